using System.Diagnostics;
using System.Text.Json;
using ModelDsl.Runtime.Training;

namespace ModelDsl.Runtime.Tests;

/// <summary>
/// The History JSON and the CSV log as an ML developer opens them: with pandas, as they are (Debian's python3-pandas,
/// installed by scripts/bootstrap.sh). pandas' reading is compared with the History the training returned.
/// </summary>
[Collection(TrainingCollection.Name)]
public sealed class PandasInteropTests : IDisposable
{
    // Debian's interpreter: the one python3-pandas installs into, whatever `python3` a PATH points at first.
    private const string Python = "/usr/bin/python3";

    private const string Script = """
        import json, sys
        import pandas as pd
        history = pd.read_json(sys.argv[1])
        log = pd.read_csv(sys.argv[2])
        frame = lambda df: {"columns": list(df.columns), "rows": len(df), "values": {c: [float(v) for v in df[c]] for c in df.columns}}
        print(json.dumps({"history": frame(history), "log": frame(log), "index": [int(i) for i in history.index]}))
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("modeldsl-pandas-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void HistoryJsonAndCsvLogLoadInPandasAsTheyAre()
    {
        using var model = new TinyClassifier();
        using var data = TinyClassifier.Clusters(200);
        using var validation = TinyClassifier.Clusters(60, seed: 2);
        var historyPath = Path.Combine(_dir, "history.json");
        var logPath = Path.Combine(_dir, "log.csv");
        var history = model.Fit(data, new FitOptions
        {
            Epochs = 3, BatchSize = 50, Seed = 5, Verbose = Verbosity.Silent, ValidationData = validation, Callbacks = [new CsvLogger(logPath)],
        });
        history.Save(historyPath);

        using var read = JsonDocument.Parse(RunPython(historyPath, logPath));
        var frames = read.RootElement;

        // history.json: one row per epoch, the columns of Keras' history.history plus epoch.
        var json = frames.GetProperty("history");
        Assert.Equal(["epoch", "loss", "accuracy", "val_loss", "val_accuracy"], Strings(json.GetProperty("columns")));
        Assert.Equal(3, json.GetProperty("rows").GetInt32());
        Assert.Equal([0, 1, 2], frames.GetProperty("index").EnumerateArray().Select(i => i.GetInt32()));
        foreach (var key in history.Keys)
            AssertClose(history[key], Numbers(json.GetProperty("values").GetProperty(key)));

        // log.csv: Keras' CSVLogger columns, epoch first, the rest sorted.
        var csv = frames.GetProperty("log");
        Assert.Equal(["epoch", "accuracy", "loss", "val_accuracy", "val_loss"], Strings(csv.GetProperty("columns")));
        Assert.Equal([0.0, 1.0, 2.0], Numbers(csv.GetProperty("values").GetProperty("epoch")));
        foreach (var key in history.Keys)
            AssertClose(history[key], Numbers(csv.GetProperty("values").GetProperty(key)));
    }

    private static string RunPython(params string[] arguments)
    {
        Assert.True(File.Exists(Python), $"{Python} is missing: run scripts/bootstrap.sh (it installs python3-pandas)");
        var start = new ProcessStartInfo(Python, ["-c", Script, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(1)), "python3 did not finish in a minute");
        Assert.True(process.ExitCode == 0, $"pandas could not read the files (is python3-pandas installed? scripts/bootstrap.sh installs it):\n{error.Result}");
        return output;
    }

    // pandas' default float parsers may round the last bit differently from .NET's.
    private static void AssertClose(IReadOnlyList<double> expected, double[] actual)
    {
        Assert.Equal(expected.Count, actual.Length);
        for (var i = 0; i < actual.Length; i++)
            Assert.Equal(expected[i], actual[i], 1e-12);
    }

    private static string[] Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToArray();

    private static double[] Numbers(JsonElement array) => array.EnumerateArray().Select(e => e.GetDouble()).ToArray();
}
