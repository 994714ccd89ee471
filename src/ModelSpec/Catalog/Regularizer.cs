using System.Globalization;
using System.Text.RegularExpressions;

namespace ModelDsl.Spec;

/// <summary>Keras' weight and activity regularizers: l1, l2 and l1_l2, each adding a penalty to the training loss.</summary>
public sealed record RegularizerSpec(string Kind, double L1, double L2)
{
    public const string L1Name = "l1";
    public const string L2Name = "l2";
    public const string L1L2Name = "l1_l2";

    /// <summary>Keras' factor when a model names a regularizer without one (<c>l2</c> is <c>l2(0.01)</c>).</summary>
    public const double DefaultFactor = 0.01;

    public static readonly IReadOnlyList<string> Names = new[] { L1Name, L2Name, L1L2Name };

    /// <summary>As Keras writes it: <c>l2(0.01)</c>, <c>l1_l2(l1=0.01, l2=0.001)</c>.</summary>
    public override string ToString() => Kind switch
    {
        L1Name => $"l1({Format(L1)})",
        L2Name => $"l2({Format(L2)})",
        _ => $"l1_l2(l1={Format(L1)}, l2={Format(L2)})",
    };

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>
/// A regularizer argument (<c>kernel_regularizer</c>, <c>activity_regularizer</c>, ...), in any of the forms Keras code
/// and model files use: a name (<c>l2</c>, Keras' factor 0.01 for each), Keras' call (<c>l2(0.001)</c>,
/// <c>l1_l2(l1=0.01, l2=0.01)</c>), or a mapping (<c>{l2: 0.001}</c>, <c>{l1_l2: {l1: 0.01, l2: 0.01}}</c>). None
/// by default. The runtime takes it as a property of the layer, set in an object initializer.
/// </summary>
public sealed class RegularizerArgument(string name, string summary) : Argument<RegularizerSpec?>(name, summary, null)
{
    private static readonly Regex Call = new(@"^\s*(?<name>[a-z0-9_]+)\s*\(\s*(?<arguments>[^()]*)\)\s*$", RegexOptions.CultureInvariant);

    private static readonly Regex Named = new(@"^\s*(?<key>[a-z0-9_]+)\s*=\s*(?<value>\S+)\s*$", RegexOptions.CultureInvariant);

    public override ArgumentType Type => ArgumentType.Regularizer;

    internal override object? Parse(Binder binder, Node node, string what, Args owner)
    {
        const string expectation = "a regularizer: l1, l2 or l1_l2, such as l2, l2(0.001) or {l1_l2: {l1: 0.01, l2: 0.001}}";
        switch (node)
        {
            case var _ when Binder.IsNull(node):
                return null;
            case ScalarNode scalar when Call.Match(scalar.Value) is { Success: true } call:
                return FromCall(binder, node, what, call.Groups["name"].Value, call.Groups["arguments"].Value) ?? Failed;
            case ScalarNode scalar:
                return Create(binder, node, what, scalar.Value, null, null) ?? Failed;
            case MappingNode { Entries.Count: 1 } mapping:
                var entry = mapping.Entries[0];
                var kind = entry.Key.Value;
                if (entry.Value is MappingNode factors)
                {
                    double? l1 = null, l2 = null;
                    foreach (var factor in factors.Entries)
                    {
                        var value = binder.DoubleValue(factor.Value, $"'{factor.Key.Value}' of {what}", v => v >= 0, "a number of at least 0");
                        if (value == null)
                        {
                            return Failed;
                        }

                        if (factor.Key.Value == RegularizerSpec.L1Name)
                        {
                            l1 = value;
                        }
                        else if (factor.Key.Value == RegularizerSpec.L2Name)
                        {
                            l2 = value;
                        }
                        else
                        {
                            binder.Report(DiagnosticCatalog.UnknownKey, factor.Key.Span, factor.Key.Value, what, Suggestions.Hint(factor.Key.Value, RegularizerSpec.Names.Take(2).ToArray()));
                            return Failed;
                        }
                    }

                    return Create(binder, entry.Key, what, kind, l1, l2) ?? Failed;
                }

                if (Binder.IsNull(entry.Value))
                {
                    return Create(binder, entry.Key, what, kind, null, null) ?? Failed;
                }

                var single = binder.DoubleValue(entry.Value, $"the factor of {what}", v => v >= 0, "a number of at least 0");
                return single == null ? Failed : Create(binder, entry.Key, what, kind, kind == RegularizerSpec.L2Name ? null : single, kind == RegularizerSpec.L2Name ? single : null, singleFactor: true) ?? Failed;
            default:
                binder.Report(DiagnosticCatalog.WrongType, node.Span, what, expectation, Binder.Describe(node));
                return Failed;
        }
    }

    /// <summary>Keras' call syntax: <c>l2(0.001)</c>, <c>l1(l1=0.01)</c>, <c>l1_l2(l1=0.01, l2=0.001)</c>.</summary>
    private static RegularizerSpec? FromCall(Binder binder, Node node, string what, string kind, string arguments)
    {
        double? l1 = null, l2 = null;
        var parts = arguments.Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < parts.Length; i++)
        {
            var named = Named.Match(parts[i]);
            var key = named.Success ? named.Groups["key"].Value : kind == RegularizerSpec.L1L2Name ? (i == 0 ? RegularizerSpec.L1Name : RegularizerSpec.L2Name) : kind;
            var text = named.Success ? named.Groups["value"].Value : parts[i].Trim();
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < 0 || double.IsInfinity(value))
            {
                binder.Report(DiagnosticCatalog.OutOfRange, node.Span, $"the factor {key} of {what}", "a number of at least 0", $"'{text}'");
                return null;
            }

            if (key == RegularizerSpec.L1Name)
            {
                l1 = value;
            }
            else
            {
                l2 = value;
            }
        }

        return Create(binder, node, what, kind, l1, l2);
    }

    private static RegularizerSpec? Create(Binder binder, Node node, string what, string kind, double? l1, double? l2, bool singleFactor = false)
    {
        switch (kind)
        {
            case RegularizerSpec.L1Name when l2 == null:
                return new RegularizerSpec(kind, l1 ?? RegularizerSpec.DefaultFactor, 0);
            case RegularizerSpec.L2Name when l1 == null:
                return new RegularizerSpec(kind, 0, l2 ?? RegularizerSpec.DefaultFactor);
            case RegularizerSpec.L1L2Name when !singleFactor:
                // Keras 2's l1_l2() defaults both factors to 0.01, and so does a bare l1_l2 here.
                return new RegularizerSpec(kind, l1 ?? RegularizerSpec.DefaultFactor, l2 ?? RegularizerSpec.DefaultFactor);
            case RegularizerSpec.L1Name or RegularizerSpec.L2Name or RegularizerSpec.L1L2Name:
                binder.Report(DiagnosticCatalog.OutOfRange, node.Span, what, kind == RegularizerSpec.L1L2Name ? "l1_l2 with its factors named, such as {l1_l2: {l1: 0.01, l2: 0.001}}" : $"{kind} with the factor {kind} only", $"'{kind}' with another factor");
                return null;
            default:
                var closest = Suggestions.Closest(kind, RegularizerSpec.Names);
                binder.Report(DiagnosticCatalog.OutOfRange, node.Span, what, "one of 'l1', 'l2', 'l1_l2'", $"'{kind}'" + (closest == null ? string.Empty : $" (did you mean '{closest}'?)"));
                return null;
        }
    }
}
