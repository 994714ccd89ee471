using ModelDsl.Spec;

namespace ModelDsl.Generator.Emit;

/// <summary>
/// How one checked layer becomes a runtime layer, read from its catalogue entry: its type, its constructor call and
/// the activation that <c>ForwardLinear</c> leaves out. The constructor takes the sizes computed at compile time,
/// then the required Keras arguments in order, then, by name, only those that differ from Keras' defaults.
/// </summary>
internal static class LayerEmitter
{
    private const string LayersNamespace = "global::ModelDsl.Runtime.Layers.";

    /// <summary>The runtime class of a layer, fully qualified.</summary>
    public static string TypeName(LayerConfig config) => LayersNamespace + config.Entry.RuntimeType;

    /// <summary>
    /// The Keras activation a layer ends in, when the runtime layer can stop before it
    /// (<c>ForwardLinear</c>); null for layers without one.
    /// </summary>
    public static string? TrailingActivation(LayerConfig config) =>
        config.Entry.CanStopBeforeActivation ? config.Entry.EndActivation(config) : null;

    /// <summary><c>new global::ModelDsl.Runtime.Layers.Lstm(28, 128, activation: ...)</c></summary>
    public static string Construction(LayerSpec layer)
    {
        var config = layer.Config;
        var call = "new " + TypeName(config) + "(" + string.Join(", ", Arguments(config.Entry, config, config.Entry.RuntimeSizes(layer))) + ")";

        // Regularizers are properties of every runtime layer, set after its constructor.
        var regularizers = config.Entry.Arguments.Where(a => a.Type == ArgumentType.Regularizer && config[a.Name] != null)
            .Select(a => a.PropertyName + " = " + Regularizer((RegularizerSpec)config[a.Name]!)).ToArray();
        return regularizers.Length == 0 ? call : call + " { " + string.Join(", ", regularizers) + " }";
    }

    /// <summary>
    /// Whether the layer has an activity regularizer: the model must then run it through TorchSharp's <c>call</c>,
    /// whose hooks record the penalty on its output.
    /// </summary>
    public static bool RecordsActivity(LayerConfig config) =>
        config.Entry.Arguments.Contains(CommonArguments.ActivityRegularizer) && config[CommonArguments.ActivityRegularizer.Name] != null;

    /// <summary><c>global::ModelDsl.Runtime.Regularizers.Regularizer.L2(0.01)</c></summary>
    private static string Regularizer(RegularizerSpec spec)
    {
        const string Type = "global::ModelDsl.Runtime.Regularizers.Regularizer.";
        return spec.Kind switch
        {
            RegularizerSpec.L1Name => $"{Type}L1({CSharp.Literal(spec.L1)})",
            RegularizerSpec.L2Name => $"{Type}L2({CSharp.Literal(spec.L2)})",
            _ => $"{Type}L1L2({CSharp.Literal(spec.L1)}, {CSharp.Literal(spec.L2)})",
        };
    }

    /// <summary>The constructor arguments of a catalogue entry's runtime class: sizes, required values, then named changes.</summary>
    public static IEnumerable<string> Arguments(IReadOnlyList<Argument> arguments, Func<string, object?> values, IEnumerable<object> sizes)
    {
        foreach (var size in sizes)
        {
            yield return size switch
            {
                int count => CSharp.Literal(count),
                SampleShape shape => "new int?[] { " + string.Join(", ", shape.Dimensions.Select(d => d == Axis.Variable ? "null" : CSharp.Literal(d))) + " }",
                LayerSpec wrapped => Construction(wrapped),
                _ => throw new InvalidOperationException($"The emitter cannot write a runtime size {size}."),
            };
        }

        // A wrapped layer is passed as a runtime size, constructed.
        foreach (var argument in arguments.Where(a => a.Required && a.Type != ArgumentType.Layer))
        {
            yield return Value(argument, values(argument.Name), named: false);
        }

        foreach (var argument in arguments.Where(a => !a.Required && a.Type != ArgumentType.Regularizer))
        {
            var value = values(argument.Name);
            if (argument.AlwaysWritten || !argument.IsDefault(value, values))
            {
                yield return argument.ParameterName + ": " + Value(argument, value, named: true);
            }
        }
    }

    private static IEnumerable<string> Arguments(LayerKind kind, LayerConfig config, IEnumerable<object> sizes) =>
        Arguments(kind.Arguments, name => config[name], sizes);

    /// <summary>An argument's value as the runtime constructor takes it.</summary>
    public static string Value(Argument argument, object? value, bool named) => argument.Type switch
    {
        ArgumentType.Int => CSharp.Literal((int)value!),
        ArgumentType.Double => CSharp.Literal((double)value!),
        ArgumentType.OptionalDouble => value is double number ? CSharp.Literal(number) : "null",
        ArgumentType.Bool => CSharp.Literal((bool)value!),
        ArgumentType.Name => CSharp.Literal((string)value!),
        ArgumentType.Activation => ActivationExpression((string)value!),
        ArgumentType.Window => value is EquatableArray<int> sizes ? Window(sizes) : "null",
        ArgumentType.IntList when named => "new[] { " + string.Join(", ", ((EquatableArray<int>)value!).Select(CSharp.Literal)) + " }",
        ArgumentType.IntList => string.Join(", ", ((EquatableArray<int>)value!).Select(CSharp.Literal)),
        ArgumentType.Amounts => Amounts((EquatableArray<int>)value!),
        _ => throw new InvalidOperationException($"The emitter cannot write an argument of type {argument.Type}."),
    };

    /// <summary>One axis as an <c>int</c>, more as a tuple: <c>3</c>, <c>(3, 3)</c>.</summary>
    private static string Window(EquatableArray<int> sizes) =>
        sizes.Count == 1 ? CSharp.Literal(sizes[0]) : "(" + string.Join(", ", sizes.Select(CSharp.Literal)) + ")";

    /// <summary>Before and after each axis: <c>(1, 2)</c>, <c>((1, 1), (2, 2))</c>.</summary>
    private static string Amounts(EquatableArray<int> amounts) => amounts.Count == 2
        ? $"({CSharp.Literal(amounts[0])}, {CSharp.Literal(amounts[1])})"
        : $"(({CSharp.Literal(amounts[0])}, {CSharp.Literal(amounts[1])}), ({CSharp.Literal(amounts[2])}, {CSharp.Literal(amounts[3])}))";

    /// <summary><c>global::ModelDsl.Runtime.Activation.HardSigmoid</c> for Keras' <c>hard_sigmoid</c>.</summary>
    public static string ActivationExpression(string kerasName) =>
        "global::ModelDsl.Runtime.Activation." + ActivationMember(kerasName);

    private static string ActivationMember(string kerasName) => kerasName switch
    {
        // Keras spells one activation two ways.
        "silu" => "Swish",
        _ => CSharp.PascalCase(kerasName),
    };
}
