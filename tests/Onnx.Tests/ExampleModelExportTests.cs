using System.Globalization;
using ModelDsl.Runtime.Data;
using static TorchSharp.torch;

namespace ModelDsl.Onnx.Tests;

/// <summary>The examples' models, exported and run in ONNX Runtime on the data they are made for.</summary>
public sealed class ExampleModelExportTests
{
    private static readonly Lazy<Tensor> MnistTestImages = new(() =>
    {
        var (train, test) = Mnist.Load();
        train.Dispose();
        return test.Inputs.narrow(0, 0, 256).clone().DetachFromDisposeScope();
    });

    // The days' precipitation, temp_max, temp_min and wind, standardized, as both weather examples feed them.
    private static readonly Lazy<Tensor> WeatherDays = new(() =>
    {
        var table = CsvTable.Read(SeattleWeather.Ensure(log: TextWriter.Null));
        string[] figures = ["precipitation", "temp_max", "temp_min", "wind"];
        var columns = figures.Select(table.Numbers).ToArray();
        var days = new float[table.RowCount, figures.Length];
        for (var t = 0; t < table.RowCount; t++)
        {
            for (var f = 0; f < figures.Length; f++)
                days[t, f] = columns[f][t];
        }

        using var raw = tensor(days);
        return ((raw - raw.mean([0])) / raw.std([0])).DetachFromDisposeScope();
    });

    [Theory]
    [InlineData("MnistLstm")]
    [InlineData("MnistCnn")]
    [InlineData("MnistMlp")]
    public void MnistModelsMatchPredictOnTestImages(string name)
    {
        using var model = CompiledModels.Create(name);
        OnnxCheck.Perturb(model);
        // Raw pixels 0..255: the file rescales them itself, as Predict does.
        OnnxCheck.AssertMatches(model, batch => MnistTestImages.Value.narrow(0, batch, batch));
    }

    [Fact]
    public void WeatherCsvMatchesPredictOnTheDaysFigures()
    {
        using var model = CompiledModels.Create("WeatherCsv");
        OnnxCheck.Perturb(model);
        OnnxCheck.AssertMatches(model, batch => WeatherDays.Value.narrow(0, batch * 3, batch));
    }

    [Fact]
    public void WeatherForecastMatchesPredictOnWindowsOfDays()
    {
        using var model = CompiledModels.Create("WeatherForecast");
        OnnxCheck.Perturb(model);
        var (days, features) = ((long)model.Config.InputShape[0], (long)model.Config.InputShape[1]);
        // Each window: consecutive days' figures, padded with the day of the year as a point on a circle.
        OnnxCheck.AssertMatches(model, batch => stack(Enumerable.Range(0, batch).Select(i =>
        {
            var window = WeatherDays.Value.narrow(0, i * 5, days);
            var season = arange(i * 5, i * 5 + days, ScalarType.Float32) * (2 * Math.PI / 365.25);
            return cat([window, season.sin().unsqueeze(1), season.cos().unsqueeze(1)], 1).narrow(1, 0, features);
        }).ToArray()));
    }
}
