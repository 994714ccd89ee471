using System.Text.Json;

namespace ModelDsl.Runtime.Data;

/// <summary>
/// Categorical labels and the class indices they train as: index i is <see cref="Classes"/>[i]. Save it beside the
/// model (<see cref="PathBeside"/>), so predictions can be turned back into names and new data mapped the same way.
/// </summary>
public sealed class ClassMapping
{
    private readonly Dictionary<string, int> _indices;

    /// <param name="label">The column (or folder level) the classes came from, for messages.</param>
    /// <param name="classes">The class names in index order, each once.</param>
    public ClassMapping(string label, IReadOnlyList<string> classes)
    {
        ArgumentNullException.ThrowIfNull(classes);
        Label = label;
        Classes = classes.ToArray();
        _indices = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < Classes.Count; i++)
        {
            if (!_indices.TryAdd(Classes[i], i))
                throw new ArgumentException($"class '{Classes[i]}' is listed twice (at {_indices[Classes[i]]} and {i})", nameof(classes));
        }
    }

    /// <summary>The classes of <paramref name="labels"/> in ordinal (alphanumeric) order, as Keras orders class folders.</summary>
    public static ClassMapping FromLabels(string label, IEnumerable<string> labels) =>
        new(label, labels.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray());

    public string Label { get; }
    public IReadOnlyList<string> Classes { get; }
    public int Count => Classes.Count;

    /// <summary>The index of <paramref name="name"/>, or -1 when it is not one of the classes.</summary>
    public int IndexOf(string name) => _indices.TryGetValue(name, out var index) ? index : -1;

    /// <summary>The class name of index <paramref name="index"/>.</summary>
    public string this[long index] => index >= 0 && index < Classes.Count
        ? Classes[(int)index]
        : throw new ArgumentOutOfRangeException(nameof(index), index, $"there are {Classes.Count} classes of '{Label}'");

    /// <summary>Where <see cref="Save"/> puts the mapping of the model saved at <paramref name="modelPath"/>.</summary>
    public static string PathBeside(string modelPath) => modelPath + ".classes.json";

    /// <summary>Writes <c>{"label": ..., "classes": [...]}</c> (JSON, UTF-8).</summary>
    public void Save(string path) =>
        File.WriteAllText(path, JsonSerializer.Serialize(new Stored(Label, Classes.ToArray()), Options));

    /// <summary>Reads a mapping written by <see cref="Save"/>.</summary>
    public static ClassMapping Load(string path)
    {
        Stored? stored;
        try
        {
            stored = JsonSerializer.Deserialize<Stored>(File.ReadAllText(path), Options);
        }
        catch (JsonException e)
        {
            throw new DataFileException(path, $"line {e.LineNumber + 1}", "malformed JSON", "a class mapping written by ClassMapping.Save");
        }
        if (stored?.Label is null || stored.Classes is null)
            throw new DataFileException(path, "the top level", "no 'label' or 'classes'", "a class mapping written by ClassMapping.Save");
        return new ClassMapping(stored.Label, stored.Classes);
    }

    private static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    private sealed record Stored(string Label, string[] Classes);
}
