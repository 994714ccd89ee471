namespace ModelDsl.Spec;

/// <summary>How an argument's value is written in C#: what the emitter and the attribute form need to know of it.</summary>
public enum ArgumentType
{
    /// <summary>An <c>int</c>.</summary>
    Int,

    /// <summary>A <c>double</c>.</summary>
    Double,

    /// <summary>A <c>double?</c>: Keras' None is <see langword="null"/>.</summary>
    OptionalDouble,

    /// <summary>A <c>bool</c>.</summary>
    Bool,

    /// <summary>A Keras name kept as a string (padding, an initializer, merge_mode).</summary>
    Name,

    /// <summary>A Keras activation name, written as the runtime's <c>Activation</c> enum.</summary>
    Activation,

    /// <summary>Keras' "an int or a tuple" window: an <c>int</c> for one axis, an <c>(int, int)</c> for two.</summary>
    Window,

    /// <summary>A list of integers (a target shape, permuted axes): a <c>params</c> list when required, else an <c>int[]</c>.</summary>
    IntList,

    /// <summary>A Keras regularizer, set as a property of the runtime layer (<c>{ KernelRegularizer = Regularizer.L2(0.01) }</c>).</summary>
    Regularizer,

    /// <summary>A wrapped layer (Bidirectional's and TimeDistributed's <c>layer</c>): the wrapper's runtime sizes construct it.</summary>
    Layer,

    /// <summary>
    /// Keras' padding or cropping amounts, before and after each axis: <c>(before, after)</c> for one axis,
    /// <c>((top, bottom), (left, right))</c> for two.
    /// </summary>
    Amounts,
}

/// <summary>
/// One Keras argument of a layer or an optimizer, as the catalogue defines it: its name (and Keras 2's, where it
/// differs), its default, how a model file writes it and how messages describe it. The binder reads it through
/// <see cref="Read"/>; the emitter writes it by <see cref="Type"/>; the attribute form offers it as a constructor
/// parameter when <see cref="Required"/>, else as a property.
/// </summary>
public abstract class Argument
{
    protected Argument(string name, string summary)
    {
        Name = name;
        Summary = summary;
    }

    /// <summary>Keras' snake_case name.</summary>
    public string Name { get; }

    /// <summary>What it does, for the attribute form's documentation.</summary>
    public string Summary { get; }

    /// <summary>Keras 2's name where Keras 3 renamed it (<c>alpha</c> for <c>negative_slope</c>).</summary>
    public string? OldName { get; init; }

    /// <summary>When set, the argument has no default and a missing one is reported with this hint.</summary>
    public string? MissingHint { get; init; }

    public bool Required => MissingHint != null;

    /// <summary>Written in the emitted constructor call even at its default (an optimizer's learning rate), so a reader sees it.</summary>
    public bool AlwaysWritten { get; init; }

    public abstract ArgumentType Type { get; }

    /// <summary>The value when the model file leaves the argument out (unused when <see cref="Required"/>).</summary>
    public abstract object? Default { get; }

    /// <summary>For a <see cref="ArgumentType.Window"/>: how many axes it spans.</summary>
    public virtual int Axes => 1;

    /// <summary>The runtime constructor's parameter: camelCase of the Keras name.</summary>
    public string ParameterName => CaseNames.Camel(Name);

    /// <summary>The attribute form's property: PascalCase of the Keras name.</summary>
    public string PropertyName => CaseNames.Pascal(Name);

    /// <summary>
    /// Whether <paramref name="value"/> is what the runtime constructor assumes when the argument is not passed;
    /// <paramref name="values"/> gives the other arguments' values by name.
    /// </summary>
    public virtual bool IsDefault(object? value, Func<string, object?> values) => Equals(value, Default);

    /// <summary>
    /// The value of the argument in <paramref name="a"/>: its default when absent, <see cref="Failed"/> when a
    /// required one is missing or a value is invalid (the binder has reported why).
    /// </summary>
    internal object? Read(Binder binder, Args a)
    {
        var node = a[Name];
        if (node == null && OldName != null)
        {
            node = a[OldName];
        }

        if (node == null)
        {
            if (MissingHint != null)
            {
                binder.ReportMissing(a, Name, MissingHint);
                return Failed;
            }

            return Default;
        }

        var value = Parse(binder, node, a.Describe(Name), a);
        return value == Failed && !Required ? Default : value;
    }

    /// <summary>The value <paramref name="node"/> gives, or <see cref="Failed"/> (reported).</summary>
    internal abstract object? Parse(Binder binder, Node node, string what, Args owner);

    /// <summary>Stands for "no value": a required argument that was missing or invalid.</summary>
    internal static readonly object Failed = new();
}

/// <summary>An argument of a known value type, read from a <see cref="LayerConfig"/> with <see cref="Of"/>.</summary>
public abstract class Argument<T> : Argument
{
    protected Argument(string name, string summary, T defaultValue) : base(name, summary)
    {
        DefaultValue = defaultValue;
    }

    public T DefaultValue { get; }

    public override object? Default => DefaultValue;

    public T Of(LayerConfig config) => (T)config[Name]!;

    public T Of(OptimizerSpec spec) => (T)spec[Name]!;
}

/// <summary>An integer of at least <see cref="Min"/>.</summary>
public sealed class IntArgument(string name, string summary, int defaultValue = 0, int min = 1) : Argument<int>(name, summary, defaultValue)
{
    public int Min { get; } = min;

    public override ArgumentType Type => ArgumentType.Int;

    internal override object? Parse(Binder binder, Node node, string what, Args owner) => (object?)binder.IntValue(node, what, Min) ?? Failed;
}

/// <summary>A finite number that <see cref="Valid"/> accepts, described by <see cref="Expectation"/>.</summary>
public sealed class DoubleArgument(string name, string summary, double defaultValue, Func<double, bool> valid, string expectation)
    : Argument<double>(name, summary, defaultValue)
{
    public Func<double, bool> Valid { get; } = valid;

    public string Expectation { get; } = expectation;

    public override ArgumentType Type => ArgumentType.Double;

    internal override object? Parse(Binder binder, Node node, string what, Args owner) =>
        (object?)binder.DoubleValue(node, what, Valid, Expectation) ?? Failed;
}

/// <summary>A number or Keras' None (no limit), such as ReLU's <c>max_value</c>.</summary>
public sealed class OptionalDoubleArgument(string name, string summary, Func<double, bool> valid, string expectation)
    : Argument<double?>(name, summary, null)
{
    public override ArgumentType Type => ArgumentType.OptionalDouble;

    internal override object? Parse(Binder binder, Node node, string what, Args owner) =>
        Binder.IsNull(node) ? null : (object?)binder.DoubleValue(node, what, valid, expectation + " or null") ?? Failed;
}

public sealed class BoolArgument(string name, string summary, bool defaultValue) : Argument<bool>(name, summary, defaultValue)
{
    public override ArgumentType Type => ArgumentType.Bool;

    internal override object? Parse(Binder binder, Node node, string what, Args owner) => (object?)binder.BoolValue(node, what) ?? Failed;
}

/// <summary>One of a fixed set of Keras names (padding's valid and same); <see cref="Hint"/> follows a rejected one.</summary>
public sealed class ChoiceArgument(string name, string summary, string defaultValue, IReadOnlyList<string> options, string hint = "")
    : Argument<string>(name, summary, defaultValue)
{
    public IReadOnlyList<string> Options { get; } = options;

    /// <summary>Keras values this argument does not take here, each with the fix (causal padding on a conv2d).</summary>
    public IReadOnlyDictionary<string, string> Elsewhere { get; init; } = new Dictionary<string, string>();

    public override ArgumentType Type => ArgumentType.Name;

    internal override object? Parse(Binder binder, Node node, string what, Args owner) =>
        binder.ChoiceValue(node, what, Options, node is ScalarNode scalar && Elsewhere.TryGetValue(scalar.Value, out var fix) ? fix : hint) ?? Failed;
}

/// <summary>A Keras activation; None is linear, as in Keras.</summary>
public sealed class ActivationArgument(string name, string summary, string defaultValue) : Argument<string>(name, summary, defaultValue)
{
    public override ArgumentType Type => ArgumentType.Activation;

    internal override object? Parse(Binder binder, Node node, string what, Args owner) =>
        Binder.IsNull(node) ? Vocabulary.Linear : binder.ActivationValue(node, what, owner.Owner) ?? Failed;
}

public sealed class InitializerArgument(string name, string summary, string defaultValue) : Argument<string>(name, summary, defaultValue)
{
    public override ArgumentType Type => ArgumentType.Name;

    internal override object? Parse(Binder binder, Node node, string what, Args owner) => binder.InitializerValue(node, what) ?? Failed;
}

/// <summary>
/// Keras' "an integer or a tuple": one integer for every axis, or one per axis. When <see cref="Follows"/> is set,
/// Keras' None default means that argument's value (pooling strides default to the pool size).
/// </summary>
public sealed class WindowArgument(string name, string summary, int axes, int defaultValue = 1, int min = 1)
    : Argument<EquatableArray<int>>(name, summary, Enumerable.Repeat(defaultValue, axes).ToEquatableArray())
{
    public override ArgumentType Type => ArgumentType.Window;

    public override int Axes { get; } = axes;

    public int Min { get; } = min;

    /// <summary>The argument whose value this one takes when left out or None.</summary>
    public WindowArgument? Follows { get; init; }

    /// <summary>Whether Keras' default is None, kept as null (a transposed convolution's output_padding).</summary>
    public bool NoneByDefault { get; init; }

    /// <summary>The value, or null for Keras' None (<see cref="NoneByDefault"/>).</summary>
    public EquatableArray<int>? OptionalOf(LayerConfig config) => config[Name] is EquatableArray<int> value ? value : null;

    public override object? Default => Follows == null && !NoneByDefault ? DefaultValue : null;

    public override bool IsDefault(object? value, Func<string, object?> values) =>
        Follows == null ? Equals(value, Default) : Equals(value, values(Follows.Name));

    internal override object? Parse(Binder binder, Node node, string what, Args owner)
    {
        if ((Follows != null || NoneByDefault) && Binder.IsNull(node))
        {
            return null;
        }

        var values = binder.IntTupleValue(node, what, Axes, Min);
        return values == null ? Failed : values.ToEquatableArray();
    }
}

/// <summary>
/// A list of integers such as Reshape's target shape or Permute's axes, each at least <see cref="Min"/>; the
/// layer's <see cref="LayerKind.Validate"/> checks the list as a whole.
/// </summary>
public sealed class IntListArgument(string name, string summary, int min, string expectation, string itemExpectation)
    : Argument<EquatableArray<int>>(name, summary, EquatableArray<int>.Empty)
{
    public override ArgumentType Type => ArgumentType.IntList;

    public int Min { get; } = min;

    /// <summary>What the whole list must be, for a value that is not a list.</summary>
    public string Expectation { get; } = expectation;

    /// <summary>What each item must be.</summary>
    public string ItemExpectation { get; } = itemExpectation;

    internal override object? Parse(Binder binder, Node node, string what, Args owner)
    {
        if (node is not SequenceNode { Items.Count: > 0 } list)
        {
            binder.Report(DiagnosticCatalog.WrongType, node.Span, what, Expectation, Binder.Describe(node));
            return Failed;
        }

        var values = new List<int>();
        for (var i = 0; i < list.Items.Count; i++)
        {
            var item = binder.IntValue(list.Items[i], $"dimension {i + 1} of {what}", Min, ItemExpectation);
            if (item == null)
            {
                return Failed;
            }

            values.Add(item.Value);
        }

        return values.ToEquatableArray();
    }
}

/// <summary>
/// Keras' padding and cropping amounts in any of Keras' forms: one integer for every side; for one axis a list
/// (before, after); for two axes a list (height, width) of symmetric amounts or ((top, bottom), (left, right)).
/// Stored flat, before and after per axis.
/// </summary>
public sealed class AmountsArgument(string name, string summary, int axes, int defaultValue)
    : Argument<EquatableArray<int>>(name, summary, Enumerable.Repeat(defaultValue, 2 * axes).ToEquatableArray())
{
    public override ArgumentType Type => ArgumentType.Amounts;

    public override int Axes { get; } = axes;

    internal override object? Parse(Binder binder, Node node, string what, Args owner)
    {
        var expectation = Axes == 1
            ? "a non-negative integer or a list [before, after]"
            : "a non-negative integer, a list [height, width] or [[top, bottom], [left, right]]";
        if (node is not SequenceNode list)
        {
            var single = binder.IntValue(node, what, 0, expectation);
            return single == null ? Failed : Enumerable.Repeat(single.Value, 2 * Axes).ToEquatableArray();
        }

        if (list.Items.Count != 2)
        {
            binder.Report(DiagnosticCatalog.OutOfRange, node.Span, what, expectation, Binder.Describe(node));
            return Failed;
        }

        var amounts = new List<int>();
        for (var i = 0; i < 2; i++)
        {
            var item = list.Items[i];
            if (Axes == 2 && item is SequenceNode pair)
            {
                var values = binder.IntTupleValue(pair, $"the {(i == 0 ? "first" : "second")} value of {what}", 2, 0);
                if (values == null)
                {
                    return Failed;
                }

                amounts.AddRange(values);
                continue;
            }

            var value = binder.IntValue(item, $"the {(i == 0 ? "first" : "second")} value of {what}", 0, expectation);
            if (value == null)
            {
                return Failed;
            }

            // One axis: (before, after). Two axes: a symmetric amount per axis.
            amounts.AddRange(Axes == 1 ? new[] { value.Value } : new[] { value.Value, value.Value });
        }

        return amounts.ToEquatableArray();
    }
}

/// <summary>
/// A wrapped layer, written as a layer entry is: <c>{lstm: {units: 64}}</c> or <c>lstm</c>. Its value is the wrapped
/// layer's <see cref="LayerConfig"/>; the wrapper's <see cref="LayerKind.RuntimeSizes"/> pass it to the runtime.
/// </summary>
public sealed class LayerArgument(string name, string summary) : Argument<LayerConfig?>(name, summary, null)
{
    public override ArgumentType Type => ArgumentType.Layer;

    internal override object? Parse(Binder binder, Node node, string what, Args owner) => (object?)binder.BindNested(node, what) ?? Failed;
}

/// <summary>Keras' snake_case names in C#'s cases.</summary>
public static class CaseNames
{
    /// <summary>
    /// <c>kernel_size</c> → <c>KernelSize</c>, <c>beta_1</c> → <c>Beta1</c>, and a letter after a digit starts a word
    /// as in Keras' class names: <c>conv2d</c> → <c>Conv2D</c>.
    /// </summary>
    public static string Pascal(string snakeCase)
    {
        var builder = new System.Text.StringBuilder(snakeCase.Length);
        var upper = true;
        foreach (var c in snakeCase)
        {
            if (c == '_')
            {
                upper = true;
                continue;
            }

            builder.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = char.IsDigit(c);
        }

        return builder.ToString();
    }

    /// <summary><c>kernel_size</c> → <c>kernelSize</c>.</summary>
    public static string Camel(string snakeCase)
    {
        var pascal = Pascal(snakeCase);
        return pascal.Length == 0 ? pascal : char.ToLowerInvariant(pascal[0]) + pascal.Substring(1);
    }
}
