namespace ModelDsl.Spec;

/// <summary>
/// The keys of one mapping (a layer's arguments, compile, fit, ...) as the binder consumes them. It records every
/// key the binder knows, so whatever is left over is an unknown key, and the known ones are the "did you mean"
/// candidates: the list of valid keys cannot drift from the code that reads them.
/// </summary>
internal sealed class Args
{
    private readonly Dictionary<string, MappingEntry> entries = new(StringComparer.Ordinal);
    private readonly List<MappingEntry> order = new();
    private readonly List<string> known = new();
    private readonly Func<string, string> describeKey;

    /// <param name="owner">How messages name the mapping: "layer 2 'lstm'", "compile", "the model".</param>
    /// <param name="ownerSpan">Where a missing key is reported: the key that introduced the mapping.</param>
    /// <param name="describeKey">How messages name one key of it: "'units' of layer 1 'dense'".</param>
    public Args(string owner, SourceSpan ownerSpan, Func<string, string> describeKey)
    {
        Owner = owner;
        OwnerSpan = ownerSpan;
        this.describeKey = describeKey;
    }

    public string Owner { get; }

    public SourceSpan OwnerSpan { get; }

    public IReadOnlyList<string> Known => known;

    public void Add(MappingEntry entry)
    {
        if (!entries.ContainsKey(entry.Key.Value))
        {
            entries.Add(entry.Key.Value, entry);
            order.Add(entry);
        }
    }

    public void AddAll(MappingNode mapping)
    {
        foreach (var entry in mapping.Entries)
        {
            Add(entry);
        }
    }

    /// <summary>The value of <paramref name="key"/>, or null when absent; either way the key becomes known.</summary>
    public Node? this[string key]
    {
        get
        {
            Know(key);
            return entries.TryGetValue(key, out var entry) ? entry.Value : null;
        }
    }

    public ScalarNode? KeyNode(string key) => entries.TryGetValue(key, out var entry) ? entry.Key : null;

    public void Know(string key)
    {
        if (!known.Contains(key))
        {
            known.Add(key);
        }
    }

    public string Describe(string key) => describeKey(key);

    /// <summary>The entries whose keys the binder never asked for, in file order.</summary>
    public IEnumerable<MappingEntry> Unknown() => order.Where(e => !known.Contains(e.Key.Value));
}
