using System.Globalization;
using System.Text.RegularExpressions;
using ModelDsl.Package.Tests;

namespace ModelDsl.Runtime.Tests.Data;

/// <summary>
/// The two vega-datasets examples, built and run as a user runs them (seattle-weather.csv comes from npm into the
/// cache on first use), each beating its baseline by a stated margin.
/// </summary>
[Collection(TrainingCollection.Name)]
public sealed partial class WeatherExampleTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(8);
    private readonly string _dir = Directory.CreateTempSubdirectory("modeldsl-weather-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [GeneratedRegex(@"^metric=(?<metric>\w+) baseline=(?<baseline>[0-9.]+) model=(?<model>[0-9.]+)$", RegexOptions.Multiline)]
    private static partial Regex MetricLine();

    private (string Metric, double Baseline, double Model) Run(string example, params string[] arguments)
    {
        var project = Path.Combine(Dotnet.RepositoryRoot, "examples", example);
        var output = Dotnet.Succeed(_dir, new Dictionary<string, string>(), Timeout,
            ["run", "--project", project, "-c", Dotnet.Configuration, "--", .. arguments]);
        var lines = output.TrimEnd().Split('\n');
        var match = MetricLine().Match(lines[^1].TrimEnd());
        Assert.True(match.Success, $"{example} did not end with its metric line:\n{output}");
        return (match.Groups["metric"].Value,
            double.Parse(match.Groups["baseline"].Value, CultureInfo.InvariantCulture),
            double.Parse(match.Groups["model"].Value, CultureInfo.InvariantCulture));
    }

    [Fact]
    public void WeatherTypeClassifierBeatsTheMajorityClassByThirtyPoints()
    {
        // 10 of its 60 epochs: about 0.83 against the baseline's 0.375 ('rain' on validation days that are mostly sunny).
        var (metric, baseline, model) = Run("WeatherCsv", "--epochs", "10");
        Assert.Equal("accuracy", metric);
        Assert.InRange(baseline, 0.3, 0.45);
        Assert.True(model >= baseline + 0.30, $"accuracy {model} does not beat the baseline {baseline} by 0.30");
    }

    [Fact]
    public void TemperatureForecastBeatsYesterdaysValueByFivePercent()
    {
        // Its full run takes seconds: 60 epochs, about 2.18 °C against persistence's 2.35 °C.
        var (metric, baseline, model) = Run("WeatherForecast");
        Assert.Equal("mae", metric);
        Assert.InRange(baseline, 2.0, 2.7);
        Assert.True(model <= 0.95 * baseline, $"MAE {model} °C is not 5% below the baseline's {baseline} °C");
    }
}
