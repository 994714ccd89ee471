// Classifies each day of vega-datasets' seattle-weather.csv (drizzle, fog, rain, snow, sun) from that day's figures,
// with the classifier declared in weather-csv.model.yaml (the WeatherCsv class is generated from it at compile time).
// The last 20% of the days (in date order) are the validation set; the baseline is the training days' most common type.
using System.Globalization;
using Examples.Weather;
using ModelDsl.Runtime;
using ModelDsl.Runtime.Data;
using ModelDsl.Runtime.Training;
using static TorchSharp.torch;

const double ValidationFraction = 0.2;
string[] features = ["precipitation", "temp_max", "temp_min", "wind"];

try
{
    TorchLibrary.EnsureLoaded();
    var options = WeatherOptions.Parse(args);
    if (options is null)
        return 2;
    int epochs = options.Epochs ?? WeatherCsv.DefaultEpochs;
    var path = SeattleWeather.Ensure(log: Console.Out);
    using var csv = CsvLoader.Load(path, new CsvOptions { LabelColumn = "weather", FeatureColumns = features });
    var classes = csv.Classes!;
    var (trainRaw, validationRaw) = csv.Data.SplitLast(ValidationFraction);

    // Standardized with the training days' statistics only: the validation days stay unseen.
    using var mean = trainRaw.Inputs.mean([0]);
    using var deviation = trainRaw.Inputs.std([0]);
    using var train = new Dataset((trainRaw.Inputs - mean) / deviation, trainRaw.Targets.alias());
    using var validation = new Dataset((validationRaw.Inputs - mean) / deviation, validationRaw.Targets.alias());

    using var counts = trainRaw.Targets.bincount(null, classes.Count);
    long majority = counts.argmax().item<long>();
    using var hits = validation.Targets.eq(majority).to(ScalarType.Float64).mean();
    double baseline = hits.item<double>();

    Console.WriteLine(WeatherCsv.Summary());
    Console.WriteLine($"{train.Count} training days, {validation.Count} validation days; classes {string.Join(", ", classes.Classes)}.");
    Console.WriteLine($"Baseline (always '{classes[majority]}', the training days' most common type): accuracy {baseline:F4}");

    var result = WeatherCsv.Train(train, validation: validation, epochs: epochs);
    using var model = result.Model;
    double accuracy = model.Evaluate(validation)["accuracy"];
    Console.WriteLine($"Model: validation accuracy {accuracy:F4}");

    const string modelPath = "weather-csv.ckpt";
    model.Save(modelPath);
    classes.Save(ClassMapping.PathBeside(modelPath));
    Console.WriteLine($"Model saved to {modelPath}, its classes to {ClassMapping.PathBeside(modelPath)}.");
    if (options.OnnxPath is string onnxPath)
    {
        var export = model.ExportOnnx(onnxPath);
        Console.WriteLine($"ONNX model (opset {export.Opset}; input '{export.InputName}': standardized figures, as the model takes them; output '{export.OutputName}': the {classes.Count} classes' probabilities) written to {onnxPath}.");
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"metric=accuracy baseline={baseline:F4} model={accuracy:F4}"));
    return 0;
}
catch (Exception e) when (e is IOException or FormatException or ArgumentException or InvalidOperationException or NotSupportedException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
