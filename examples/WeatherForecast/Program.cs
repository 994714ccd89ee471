// Forecasts tomorrow's temp_max from the last 7 days of vega-datasets' seattle-weather.csv with the LSTM declared in
// weather-forecast.model.yaml (the WeatherForecast class is generated from it at compile time). Windows come from
// TimeSeries.FromArray (Keras' timeseries_dataset_from_array); the last 20% of them, in date order, are the validation
// set. The baseline says tomorrow is like today: its error is that of the last day's temp_max in each window.
using System.Globalization;
using Examples.Weather;
using ModelDsl.Runtime;
using ModelDsl.Runtime.Data;
using ModelDsl.Runtime.Training;
using static TorchSharp.torch;

const double ValidationFraction = 0.2;
const double DaysPerYear = 365.25;
string[] figures = ["precipitation", "temp_max", "temp_min", "wind"];
const int TempMax = 1;

try
{
    TorchLibrary.EnsureLoaded();
    var options = WeatherOptions.Parse(args);
    if (options is null)
        return 2;
    int epochs = options.Epochs ?? WeatherForecast.DefaultEpochs;
    int days = (int)WeatherForecast.InputShape[0];
    var table = CsvTable.Read(SeattleWeather.Ensure(log: Console.Out));

    // Each day: its figures, then the day of the year as a point on a circle (31 December sits beside 1 January).
    var columns = figures.Select(table.Numbers).ToArray();
    var dates = table.Column("date");
    int steps = table.RowCount, width = figures.Length + 2;
    var series = new float[steps, width];
    for (int t = 0; t < steps; t++)
    {
        for (int f = 0; f < figures.Length; f++)
            series[t, f] = columns[f][t];
        double angle = 2 * Math.PI * DateTime.ParseExact(dates[t], "yyyy-MM-dd", CultureInfo.InvariantCulture).DayOfYear / DaysPerYear;
        (series[t, figures.Length], series[t, figures.Length + 1]) = ((float)Math.Sin(angle), (float)Math.Cos(angle));
    }

    // Window i holds days i .. i+days-1; its target is day i+days's temp_max.
    var tomorrow = columns[TempMax][days..];
    using var windows = TimeSeries.FromArray(series, tomorrow, sequenceLength: days);
    var (trainRaw, validationRaw) = windows.SplitLast(ValidationFraction);

    using var errors = (validationRaw.Inputs[.., -1, TempMax] - validationRaw.Targets).abs().mean();
    double baseline = errors.item<float>();

    // Inputs and targets standardized with the training windows' statistics only; the model's MAE is scaled back to °C.
    using var mean = trainRaw.Inputs.mean([0, 1]);
    using var deviation = trainRaw.Inputs.std([0, 1]);
    double targetMean = trainRaw.Targets.mean().item<float>(), targetDeviation = trainRaw.Targets.std().item<float>();
    using var train = new Dataset((trainRaw.Inputs - mean) / deviation, ((trainRaw.Targets - targetMean) / targetDeviation).unsqueeze(1));
    using var validation = new Dataset((validationRaw.Inputs - mean) / deviation, ((validationRaw.Targets - targetMean) / targetDeviation).unsqueeze(1));

    Console.WriteLine(WeatherForecast.Summary());
    Console.WriteLine($"{train.Count} training windows of {days} days, {validation.Count} validation windows.");
    Console.WriteLine($"Baseline (tomorrow's temp_max = today's): validation MAE {baseline:F4} °C");

    var result = WeatherForecast.Train(train, validation: validation, epochs: epochs);
    using var model = result.Model;
    double mae = model.Evaluate(validation)["mae"] * targetDeviation;
    Console.WriteLine($"Model: validation MAE {mae:F4} °C");

    const string modelPath = "weather-forecast.ckpt";
    model.Save(modelPath);
    Console.WriteLine($"Model saved to {modelPath}.");
    if (options.OnnxPath is string onnxPath)
    {
        var export = model.ExportOnnx(onnxPath);
        Console.WriteLine($"ONNX model (opset {export.Opset}; input '{export.InputName}': standardized windows, output '{export.OutputName}': standardized temp_max, as the model takes and gives them) written to {onnxPath}.");
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"metric=mae baseline={baseline:F4} model={mae:F4}"));
    return 0;
}
catch (Exception e) when (e is IOException or FormatException or ArgumentException or InvalidOperationException or NotSupportedException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
