// Trains the model declared in digits.model.yaml on MNIST. DigitClassifier is generated from that file at compile time.
using ModelDsl.Runtime.Data;
using ModelDslApp._1;

var (train, test) = Mnist.Load();
Console.WriteLine(DigitClassifier.Summary());

var (model, history) = DigitClassifier.Train(train, validation: test);
Console.WriteLine($"test accuracy: {model.Evaluate(test)["accuracy"]:F4}");
model.Save("digits.ckpt");
