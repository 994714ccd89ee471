using System.Runtime.InteropServices;
using ModelDsl.Runtime;
using ModelDsl.Runtime.Data;
using ModelDsl.Runtime.Report;
using ModelDsl.Runtime.Training;

namespace Examples.Mnist;

/// <summary>What the MNIST examples share: options, data, training, the report at the end.</summary>
internal static class ExampleRunner
{
    /// <param name="train">Calls the generated model's static Train with the data and the options.</param>
    public static int Run<TModel>(
        string[] args,
        string summary,
        string defaultModelPath,
        Func<Dataset, Dataset, ExampleOptions, TrainingResult<TModel>> train)
        where TModel : SequentialModel
    {
        try
        {
            // First: the options touch TorchSharp (devices), and a native library that cannot load must say why.
            TorchLibrary.EnsureLoaded();
            var options = ExampleOptions.Parse(args);
            return options is null ? 2 : Train(options, summary, defaultModelPath, train);
        }
        catch (Exception e) when (e is ExternalException or IOException or InvalidDataException or InvalidOperationException or NotSupportedException)
        {
            // Expected failures (missing data, a bad checkpoint, a libtorch error, a layer without an ONNX form) get their
            // message, not a stack trace.
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    private static int Train<TModel>(
        ExampleOptions options,
        string summary,
        string defaultModelPath,
        Func<Dataset, Dataset, ExampleOptions, TrainingResult<TModel>> train)
        where TModel : SequentialModel
    {
        var (trainSet, testSet) = ModelDsl.Runtime.Data.Mnist.Load();
        if (options.Limit is int limit)
        {
            trainSet = trainSet.Take(limit);
        }

        Console.WriteLine(summary);
        Console.WriteLine($"Training on {trainSet.Count} images, validating on {testSet.Count}, device {options.Device}.");

        var result = train(trainSet, testSet, options);
        var model = result.Model;
        if (options.HistoryPath is string historyPath)
        {
            result.History.Save(historyPath);
            Console.WriteLine($"History written to {historyPath}.");
            var reportPath = TrainingReport.PathBeside(historyPath);
            TrainingReport.Create(model, result.History, summary, testSet).Save(reportPath);
            Console.WriteLine($"Report (curves, confusion matrix, worst test images) written to {reportPath}.");
        }

        var evaluation = model.Evaluate(testSet);
        Console.WriteLine($"Test accuracy: {evaluation["accuracy"]:F4} (loss {evaluation.Loss:F4})");

        var modelPath = options.ModelPath ?? defaultModelPath;
        model.Save(modelPath);
        Console.WriteLine($"Model saved to {modelPath}.");
        if (options.OnnxPath is string onnxPath)
        {
            var export = model.ExportOnnx(onnxPath);
            Console.WriteLine($"ONNX model (opset {export.Opset}, input '{export.InputName}', output '{export.OutputName}') written to {onnxPath}.");
        }

        DigitPreview.Show(model, testSet, count: 3);
        return 0;
    }
}
