using System.Globalization;

namespace ModelDsl.Runtime.Training;

/// <summary>
/// Keras' CSVLogger: a header <c>epoch,</c> + the log keys sorted (<c>epoch,accuracy,loss,val_accuracy,val_loss</c>),
/// then one row per epoch (0-based), written and flushed as each epoch ends so a crashed run keeps its rows.
/// </summary>
public sealed class CsvLogger(string filename, char separator = ',', bool append = false) : Callback
{
    public string Filename { get; } = filename;

    private string[]? _keys;
    private StreamWriter? _writer;

    public override void OnTrainBegin(TrainingContext context)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(Filename));
        if (!string.IsNullOrEmpty(directory))
            Directory.CreateDirectory(directory);
        bool continuing = append && File.Exists(Filename) && new FileInfo(Filename).Length > 0;
        _keys = continuing ? ReadHeader() : null;
        _writer = new StreamWriter(Filename, append);
    }

    public override void OnEpochEnd(TrainingContext context, int epoch, IDictionary<string, double> logs)
    {
        if (_writer is null)
            return;
        if (_keys is null)
        {
            _keys = logs.Keys.Order(StringComparer.Ordinal).ToArray();
            _writer.WriteLine(string.Join(separator, _keys.Prepend("epoch")));
        }
        var values = _keys.Select(k => logs.TryGetValue(k, out var v) ? Format(v) : "NA");
        _writer.WriteLine(string.Join(separator, values.Prepend(epoch.ToString(CultureInfo.InvariantCulture))));
        _writer.Flush();
    }

    public override void OnTrainEnd(TrainingContext context)
    {
        _writer?.Dispose();
        _writer = null;
    }

    private string[] ReadHeader() =>
        File.ReadLines(Filename).First().Split(separator).Skip(1).ToArray();

    // Python's repr of a float: the shortest text that reads back the same value.
    private static string Format(double value) =>
        double.IsNaN(value) ? "nan" : double.IsInfinity(value) ? (value > 0 ? "inf" : "-inf")
        : value.ToString("R", CultureInfo.InvariantCulture);
}
