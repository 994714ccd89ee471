using ModelDsl;

namespace Examples.Mnist;

/// <summary>
/// A multilayer perceptron on MNIST, declared with attributes instead of a model file. The generator reads
/// the attributes in source order, checks them like a model file (a mistake is reported at the attribute)
/// and writes the rest of this partial class.
/// </summary>
[SequentialModel]
[Input(28, 28)]
[Preprocess(Rescale = 1 / 255.0)]
[Flatten]
[Dense(128, Activation = "relu")]
[Dropout(0.2)]
[Dense(10, Activation = "softmax")]
[Compile(Optimizer = "adam", Loss = "sparse_categorical_crossentropy", Metrics = new[] { "accuracy" })]
[Fit(Epochs = 5, BatchSize = 32, Seed = 42)]
public partial class MnistMlp
{
}
