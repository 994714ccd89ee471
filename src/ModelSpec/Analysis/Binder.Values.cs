using System.Globalization;
using System.Text.RegularExpressions;

namespace ModelDsl.Spec;

/// <summary>Reading typed values out of scalars, with YAML 1.2 core-schema spellings and precise complaints.</summary>
internal sealed partial class Binder
{
    private static readonly Regex IntegerPattern = new(@"^[-+]?[0-9]+$", RegexOptions.CultureInvariant);

    private static readonly Regex FloatPattern = new(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant);

    private static readonly Regex InfinityPattern = new(@"^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$", RegexOptions.CultureInvariant);

    private static readonly Regex FractionPattern = new(@"^\s*([0-9]+\.?[0-9]*)\s*/\s*([0-9]+\.?[0-9]*)\s*$", RegexOptions.CultureInvariant);

    private const string PositiveInteger = "a positive integer";

    internal static bool IsNull(Node node) => node is ScalarNode { IsQuoted: false, Value: "" or "~" or "null" or "Null" or "NULL" };

    /// <summary>What arrived, for "but got ...": 128, 'relu', the string "128", a list [28, 28], a mapping with keys a, b.</summary>
    internal static string Describe(Node node)
    {
        switch (node)
        {
            case ScalarNode s when IsNull(s):
                return "an empty value";
            case ScalarNode { IsQuoted: true } s:
                return $"the string \"{Shorten(s.Value)}\"";
            case ScalarNode s when IsNumberText(s.Value) || IsBoolText(s.Value):
                return Shorten(s.Value);
            case ScalarNode s:
                return $"'{Shorten(s.Value)}'";
            case SequenceNode q when q.Items.Count == 0:
                return "an empty list";
            case SequenceNode q when q.Items.Count <= 6 && q.Items.All(i => i is ScalarNode):
                return "a list [" + string.Join(", ", q.Items.Select(i => Shorten(((ScalarNode)i).Value))) + "]";
            case SequenceNode q:
                return $"a list of {q.Items.Count} items";
            case MappingNode m when m.Entries.Count == 0:
                return "an empty mapping";
            case MappingNode m:
                return "a mapping with the keys " + string.Join(", ", m.Entries.Take(6).Select(e => Shorten(e.Key.Value))) + (m.Entries.Count > 6 ? ", ..." : string.Empty);
            default:
                return "a value";
        }
    }

    private static string Shorten(string text) => TextFormat.Shorten(text);

    private static bool IsNumberText(string text) => FloatPattern.IsMatch(text) || InfinityPattern.IsMatch(text);

    private static bool IsBoolText(string text) => text is "true" or "True" or "TRUE" or "false" or "False" or "FALSE";

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    internal void Report(ModelDiagnosticDescriptor descriptor, SourceSpan span, params object[] arguments) =>
        diagnostics.Add(descriptor.Create(span, arguments));

    internal void ReportMissing(Args a, string key, string hint) =>
        Report(DiagnosticCatalog.MissingKey, a.OwnerSpan, a.Owner, key, hint);

    /// <summary>An integer of at least <paramref name="min"/>; null (reported) when the node is anything else.</summary>
    internal int? IntValue(Node node, string what, int min, string? expectation = null)
    {
        expectation ??= min == 1 ? PositiveInteger : min == 0 ? "a non-negative integer" : $"an integer of at least {min}";
        if (node is not ScalarNode { IsQuoted: false } scalar || !IntegerPattern.IsMatch(scalar.Value))
        {
            var hint = node is ScalarNode { IsQuoted: true } q && IntegerPattern.IsMatch(q.Value) ? " (remove the quotes)" : string.Empty;
            Report(DiagnosticCatalog.WrongType, node.Span, what, expectation, Describe(node) + hint);
            return null;
        }

        if (!long.TryParse(scalar.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value > int.MaxValue)
        {
            Report(DiagnosticCatalog.OutOfRange, node.Span, what, expectation + " no larger than 2147483647", Shorten(scalar.Value));
            return null;
        }

        if (value < min)
        {
            Report(DiagnosticCatalog.OutOfRange, node.Span, what, expectation, Shorten(scalar.Value));
            return null;
        }

        return (int)value;
    }

    private int Int(Args a, string key, int fallback, int min)
    {
        var node = a[key];
        return node == null ? fallback : IntValue(node, a.Describe(key), min) ?? fallback;
    }

    /// <summary>A finite number satisfying <paramref name="valid"/>; null (reported) otherwise.</summary>
    internal double? DoubleValue(Node node, string what, Func<double, bool> valid, string expectation)
    {
        if (node is not ScalarNode { IsQuoted: false } scalar || !IsNumberText(scalar.Value))
        {
            var got = Describe(node);
            if (node is ScalarNode s && FractionPattern.Match(s.Value) is { Success: true } fraction)
            {
                var quotient = double.Parse(fraction.Groups[1].Value, CultureInfo.InvariantCulture) / double.Parse(fraction.Groups[2].Value, CultureInfo.InvariantCulture);
                got += double.IsInfinity(quotient) || double.IsNaN(quotient) ? string.Empty : $" (YAML does no arithmetic; write {Number(quotient)})";
            }
            else if (node is ScalarNode { IsQuoted: true } q && IsNumberText(q.Value))
            {
                got += " (remove the quotes)";
            }

            Report(DiagnosticCatalog.WrongType, node.Span, what, expectation, got);
            return null;
        }

        // .NET Framework, where the generator may run, fails to parse what overflows; .NET Core gives infinity.
        if (InfinityPattern.IsMatch(scalar.Value) || !double.TryParse(scalar.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            value = double.NaN;
        }

        if (double.IsNaN(value) || double.IsInfinity(value) || !valid(value))
        {
            Report(DiagnosticCatalog.OutOfRange, node.Span, what, expectation, Shorten(scalar.Value));
            return null;
        }

        return value;
    }

    private double Double(Args a, string key, double fallback, Func<double, bool> valid, string expectation)
    {
        var node = a[key];
        return node == null ? fallback : DoubleValue(node, a.Describe(key), valid, expectation) ?? fallback;
    }

    internal bool? BoolValue(Node node, string what)
    {
        if (node is ScalarNode { IsQuoted: false } scalar && IsBoolText(scalar.Value))
        {
            return scalar.Value[0] is 't' or 'T';
        }

        var got = Describe(node);
        if (node is ScalarNode { IsQuoted: false, Value: "yes" or "Yes" or "YES" or "no" or "No" or "NO" or "on" or "On" or "ON" or "off" or "Off" or "OFF" })
        {
            got += " (YAML 1.2 spells booleans true and false)";
        }
        else if (node is ScalarNode { IsQuoted: true } quoted && IsBoolText(quoted.Value))
        {
            got += " (remove the quotes)";
        }

        Report(DiagnosticCatalog.WrongType, node.Span, what, "true or false", got);
        return null;
    }

    private bool Bool(Args a, string key, bool fallback)
    {
        var node = a[key];
        return node == null ? fallback : BoolValue(node, a.Describe(key)) ?? fallback;
    }

    /// <summary>A name (plain or quoted scalar); null (reported as the wrong type) for anything else.</summary>
    internal string? NameValue(Node node, string what, string expectation)
    {
        if (node is ScalarNode scalar && !IsNull(scalar) && scalar.Value.Length > 0)
        {
            return scalar.Value;
        }

        Report(DiagnosticCatalog.WrongType, node.Span, what, expectation, Describe(node));
        return null;
    }

    /// <summary>One of <paramref name="options"/>, such as padding's valid and same; null (reported) otherwise.</summary>
    internal string? ChoiceValue(Node node, string what, IReadOnlyCollection<string> options, string extra)
    {
        var expectation = "one of " + string.Join(", ", options.Select(o => $"'{o}'"));
        var name = NameValue(node, what, expectation);
        if (name == null)
        {
            return null;
        }

        if (options.Contains(name))
        {
            return name;
        }

        var closest = Suggestions.Closest(name, options);
        var hint = closest != null ? $" (did you mean '{closest}'?)" : extra;
        Report(DiagnosticCatalog.OutOfRange, node.Span, what, expectation, Describe(node) + hint);
        return null;
    }

    internal string? ActivationValue(Node node, string what, string owner)
    {
        var name = NameValue(node, what, "an activation name such as relu");
        if (name == null)
        {
            return null;
        }

        if (Vocabulary.Activations.Contains(name))
        {
            return name;
        }

        if (Vocabulary.ActivationAliases.TryGetValue(name, out var canonical))
        {
            return canonical;
        }

        var hint = Vocabulary.UnsupportedActivations.Contains(name)
            ? "; Keras has it, but ModelDsl does not support it; supported: " + string.Join(", ", Vocabulary.Activations)
            : Suggestions.Hint(name, Vocabulary.Activations.ToArray());
        Report(DiagnosticCatalog.UnknownActivation, node.Span, name, owner, hint);
        return null;
    }

    internal string? InitializerValue(Node node, string what)
    {
        var name = NameValue(node, what, "an initializer name such as glorot_uniform");
        if (name == null)
        {
            return null;
        }

        if (Vocabulary.Initializers.Contains(name))
        {
            return name;
        }

        var hint = Vocabulary.UnsupportedInitializers.Contains(name)
            ? "; Keras has it, but ModelDsl does not support it; supported: " + string.Join(", ", Vocabulary.Initializers)
            : Suggestions.Hint(name, Vocabulary.Initializers.ToArray());
        Report(DiagnosticCatalog.UnknownInitializer, node.Span, name, what, hint);
        return null;
    }

    /// <summary>
    /// A window size as Keras takes it: one integer for every axis, or a list with one per axis. Null when
    /// invalid (reported).
    /// </summary>
    internal int[]? IntTupleValue(Node node, string what, int axes, int min)
    {
        var expectation = axes == 1
            ? (min == 1 ? PositiveInteger : $"an integer of at least {min}")
            : $"{(min == 1 ? "a positive integer" : $"an integer of at least {min}")} or a list of {axes} of them";
        if (node is SequenceNode list)
        {
            if (list.Items.Count != axes)
            {
                Report(DiagnosticCatalog.OutOfRange, node.Span, what, expectation, Describe(node));
                return null;
            }

            var values = list.Items.Select((item, i) => IntValue(item, $"the {Ordinal(i)} value of {what}", min)).ToArray();
            return values.All(v => v.HasValue) ? values.Select(v => v!.Value).ToArray() : null;
        }

        var single = IntValue(node, what, min, expectation);
        return single.HasValue ? Enumerable.Repeat(single.Value, axes).ToArray() : null;
    }

    private static string Ordinal(int index) => index switch
    {
        0 => "first",
        1 => "second",
        2 => "third",
        _ => $"{index + 1}th",
    };
}
