// Classifies the 10,000 MNIST test images with a model an MNIST example exported (--onnx FILE), through ONNX Runtime
// alone: no TorchSharp, no libtorch, no ModelDsl. The file takes raw pixels 0..255 (the model file's rescale is in the
// graph) and gives class probabilities; the last line is the accuracy, to compare with the training run's.
using System.Diagnostics;
using System.Globalization;
using Examples.OnnxInference;
using Microsoft.ML.OnnxRuntime;

var options = InferenceOptions.Parse(args);
if (options is null)
    return 2;

try
{
    using var classifier = new OnnxClassifier(options.ModelPath);
    var test = MnistTestSet.Load(options.DataDirectory);
    if (classifier.PixelsPerImage != test.PixelsPerImage)
        throw new InvalidDataException(
            $"{options.ModelPath}: input '{classifier.InputName}' {OnnxClassifier.Describe(classifier.InputDimensions)} takes {classifier.PixelsPerImage} values per image; MNIST's images have {test.PixelsPerImage} ({test.Rows}x{test.Columns})");
    var batchSize = classifier.FixedBatch ?? options.BatchSize;
    Console.WriteLine(
        $"{options.ModelPath}: input '{classifier.InputName}' {OnnxClassifier.Describe(classifier.InputDimensions)} float32, " +
        $"output '{classifier.OutputName}' {OnnxClassifier.Describe(classifier.OutputDimensions)}; ONNX Runtime {OrtEnv.Instance().GetVersionString()}");
    Console.WriteLine($"Classifying {test.Count} MNIST test images from {options.DataDirectory}, {batchSize} at a time.");

    var clock = Stopwatch.StartNew();
    var correct = 0;
    for (var start = 0; start < test.Count; start += batchSize)
    {
        var count = Math.Min(batchSize, test.Count - start);
        if (classifier.FixedBatch is int fixedBatch && count != fixedBatch)
            throw new InvalidDataException($"{options.ModelPath} fixes its batch at {fixedBatch}, and {test.Count} images do not divide into such batches");
        var pixels = test.Pixels.AsSpan(start * test.PixelsPerImage, count * test.PixelsPerImage);
        var predictions = classifier.Classify(pixels, count);
        for (var n = 0; n < count; n++)
        {
            var image = start + n;
            var (predicted, probability) = predictions[n];
            if (predicted == test.Labels[image])
                correct++;
            if (image < options.Shown)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"test image {image}: label {test.Labels[image]}, predicted {predicted} (probability {probability:F4})"));
        }
    }

    Console.WriteLine($"Classified in {clock.Elapsed.TotalSeconds:F1} s.");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"accuracy={(double)correct / test.Count:F4} correct={correct}/{test.Count}"));
    return 0;
}
catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or OnnxRuntimeException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
