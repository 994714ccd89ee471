using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ModelDsl.Runtime.Training;

/// <summary>
/// Per-epoch figures under Keras' keys (<c>loss</c>, <c>accuracy</c>, <c>val_loss</c>, <c>val_accuracy</c>, ...),
/// like Keras' <c>history.history</c>, plus <see cref="Epoch"/> (Keras' <c>history.epoch</c>, 0-based).
/// </summary>
public sealed class History
{
    private readonly List<int> _epochs = [];
    private readonly Dictionary<string, List<double>> _values = [];
    private readonly List<string> _keys = [];

    public IReadOnlyList<int> Epoch => _epochs;
    /// <summary>The keys in the order they first appeared: loss and the metrics, then their val_ twins.</summary>
    public IReadOnlyList<string> Keys => _keys;
    public IReadOnlyList<double> this[string key] =>
        _values.TryGetValue(key, out var list) ? list
            : throw new KeyNotFoundException($"History has no '{key}'; it has {string.Join(", ", _keys)}");
    public bool ContainsKey(string key) => _values.ContainsKey(key);

    /// <summary>Why training stopped before the last epoch (a callback's reason), or null.</summary>
    public string? StopReason { get; internal set; }

    public void Add(int epoch, IReadOnlyDictionary<string, double> logs)
    {
        foreach (var (key, _) in logs)
        {
            if (_values.ContainsKey(key))
                continue;
            // A key that first appears late (a callback's learning_rate) is padded so every list stays aligned.
            _values[key] = Enumerable.Repeat(double.NaN, _epochs.Count).ToList();
            _keys.Add(key);
        }
        _epochs.Add(epoch);
        foreach (var key in _keys)
            _values[key].Add(logs.TryGetValue(key, out var value) ? value : double.NaN);
    }

    /// <summary>
    /// A JSON object of equal-length lists, <c>{"epoch": [0, 1], "loss": [...], ...}</c>: <c>pandas.read_json</c>
    /// loads it as a frame with one row per epoch. NaN and infinities, which JSON lacks, are written as null.
    /// </summary>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteStartArray("epoch");
            foreach (var epoch in _epochs)
                json.WriteNumberValue(epoch);
            json.WriteEndArray();
            foreach (var key in _keys)
            {
                json.WriteStartArray(key);
                foreach (var value in _values[key])
                {
                    if (double.IsFinite(value))
                        json.WriteNumberValue(value);
                    else
                        json.WriteNullValue();
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public void Save(string path) => AtomicFile.WriteAllText(path, ToJson());

    public static History FromJson(string json)
    {
        using var document = JsonDocument.Parse(json);
        var history = new History();
        var root = document.RootElement;
        var epochs = root.GetProperty("epoch").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var columns = root.EnumerateObject().Where(p => p.Name != "epoch")
            .Select(p => (p.Name, Values: p.Value.EnumerateArray()
                .Select(v => v.ValueKind == JsonValueKind.Null ? double.NaN : v.GetDouble()).ToArray()))
            .ToArray();
        for (int row = 0; row < epochs.Length; row++)
            history.Add(epochs[row], columns.ToDictionary(c => c.Name, c => c.Values[row]));
        return history;
    }

    public static History Load(string path) => FromJson(File.ReadAllText(path));

    public override string ToString() =>
        string.Join(Environment.NewLine, _epochs.Select((epoch, row) =>
            $"epoch {epoch + 1}: " + string.Join(" - ", _keys.Select(k =>
                $"{k}: {_values[k][row].ToString("0.0000", CultureInfo.InvariantCulture)}"))));
}
