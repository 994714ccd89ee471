using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using ModelDsl.Runtime.Data;
using ModelDsl.Runtime.Report;
using ModelDsl.Runtime.Training;
using Xunit.Abstractions;

namespace ModelDsl.Runtime.Tests;

/// <summary>
/// Opens a real report in headless Chromium, which dumps the DOM (where the page's script left whether it ran and where
/// it drew each chart) and takes a screenshot of the same load, whose chart rectangles must hold drawn charts.
/// </summary>
[Collection(TrainingCollection.Name)]
public sealed class ReportRenderingTests(ITestOutputHelper output)
{
    // The charts come first on the page, so this window shows them whole.
    private const int Width = 1280;
    private const int Height = 900;

    // The curves' colours in the page (train #1f77b4, validation #ff7f0e).
    private static readonly (string Name, byte R, byte G, byte B)[] SeriesColours = [("train", 0x1f, 0x77, 0xb4), ("validation", 0xff, 0x7f, 0x0e)];

    [Fact]
    public void ChartsRenderInHeadlessChromium()
    {
        HeadlessChromium.Executable(); // Fails at once, before any training, where chromium is missing.
        var directory = Directory.CreateTempSubdirectory("modeldsl-report-render-");
        try
        {
            var page = Path.Combine(directory.FullName, "report.html");
            WriteMnistReport(page);

            var png = Path.Combine(directory.FullName, "report.png");
            var clock = Stopwatch.StartNew();
            var status = Status(HeadlessChromium.Render(page, Width, Height, png));
            output.WriteLine($"chromium: {clock.Elapsed.TotalSeconds:F1} s");
            Assert.True(status.GetProperty("ok").GetBoolean(), $"the page's script failed: {status}");
            var charts = status.GetProperty("charts").EnumerateArray().ToArray();
            Assert.Equal(2, charts.Length);
            Assert.Equal(TrainingReport.DefaultWorstCount, status.GetProperty("images").GetInt32());

            var screenshot = PngImage.Load(png);
            Assert.Equal((Width, Height), (screenshot.Width, screenshot.Height));
            foreach (var chart in charts)
                AssertDrawn(screenshot, chart);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>A flatten-dense MNIST classifier trained 2 epochs on 400 images, reported on 200 test images.</summary>
    private static void WriteMnistReport(string path)
    {
        var (fullTrain, fullTest) = Mnist.Load();
        using (fullTrain)
        using (fullTest)
        using (var train = fullTrain.Take(400))
        using (var test = fullTest.Take(200))
        using (var model = new TinyImageClassifier(side: 28, classes: 10))
        {
            var history = model.Fit(train, new FitOptions { Epochs = 2, Seed = 1, ValidationData = test, Verbose = Verbosity.Silent });
            TrainingReport.Create(model, history, "Model: \"TinyImageClassifier\"", test).Save(path);
        }
    }

    private static JsonElement Status(string dom)
    {
        var match = Regex.Match(dom, "<output id=\"report-status\"[^>]*>(.*?)</output>", RegexOptions.Singleline);
        Assert.True(match.Success, "the dumped DOM has no #report-status element");
        Assert.False(string.IsNullOrWhiteSpace(match.Groups[1].Value), "the page's script never reported: did it run?");
        using var json = JsonDocument.Parse(WebUtility.HtmlDecode(match.Groups[1].Value));
        return json.RootElement.Clone();
    }

    /// <summary>The chart's rectangle holds more than its background: axes, labels and both curves in their colours.</summary>
    private static void AssertDrawn(PngImage screenshot, JsonElement chart)
    {
        var id = chart.GetProperty("id").GetString();
        int x0 = chart.GetProperty("x").GetInt32(), y0 = chart.GetProperty("y").GetInt32();
        int width = chart.GetProperty("width").GetInt32(), height = chart.GetProperty("height").GetInt32();
        Assert.True(width > 200 && height > 150, $"{id} is only {width}x{height}");
        Assert.True(x0 >= 0 && y0 >= 0 && x0 + width <= screenshot.Width && y0 + height <= screenshot.Height, $"{id} at {x0},{y0} {width}x{height} is off the screenshot");

        var counts = new Dictionary<uint, int>();
        for (var y = y0; y < y0 + height; y++)
            for (var x = x0; x < x0 + width; x++)
                counts[screenshot[x, y]] = counts.GetValueOrDefault(screenshot[x, y]) + 1;
        var background = counts.MaxBy(c => c.Value);
        var drawn = width * height - background.Value;
        Assert.True(drawn > width * height / 50, $"{id}: only {drawn} of {width * height} pixels differ from the background #{background.Key:x8}");
        Assert.True(counts.Count >= 20, $"{id}: only {counts.Count} distinct colours");
        foreach (var (name, r, g, b) in SeriesColours)
        {
            var near = counts.Where(c => Near(c.Key, r, g, b)).Sum(c => c.Value);
            Assert.True(near >= 50, $"{id}: {near} pixels in the {name} curve's colour");
        }
    }

    private static bool Near(uint rgba, byte r, byte g, byte b) =>
        Math.Abs((int)(rgba >> 24) - r) <= 24 && Math.Abs((int)((rgba >> 16) & 0xff) - g) <= 24 && Math.Abs((int)((rgba >> 8) & 0xff) - b) <= 24;
}
