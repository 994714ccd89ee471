namespace ModelDsl.Spec;

/// <summary>
/// One checked, immutable, value-equatable Sequential model: what every front end produces and the emitter
/// consumes. Shapes are per sample; the batch axis is implicit.
/// </summary>
public sealed record ModelSpec(
    string Name,
    string? Namespace,
    EquatableArray<int> InputShape,
    string InputDType,
    PreprocessSpec Preprocess,
    EquatableArray<LayerSpec> Layers,
    CompileSpec Compile,
    FitSpec Fit,
    SourceSpan Span)
{
    /// <summary>The formats the model asks to be exported to (<c>export: onnx</c>), whose checks it has passed.</summary>
    public ExportFormats Export { get; init; }

    public EquatableArray<int> OutputShape => Layers.Count == 0 ? InputShape : Layers[Layers.Count - 1].OutputShape;

    public long TotalParameters => Layers.Sum(l => l.Parameters);

    public long TrainableParameters => Layers.Sum(l => l.TrainableParameters);
}

/// <summary>
/// One layer after binding and shape inference. <paramref name="Index"/> is one-based, as diagnostics say
/// "layer 3"; <paramref name="Name"/> is Keras' automatic name (lstm, dropout, lstm_1, ...).
/// </summary>
public sealed record LayerSpec(
    int Index,
    string Name,
    LayerConfig Config,
    EquatableArray<int> InputShape,
    EquatableArray<int> OutputShape,
    long Parameters,
    long TrainableParameters,
    SourceSpan Span);

/// <summary>
/// A layer's Keras arguments, every one of them with Keras' default filled in, in the order its catalogue entry
/// (<see cref="LayerCatalog"/>) lists them. <see cref="Kind"/> is the layer's Keras name: lstm, dense, conv2d, ...
/// </summary>
public sealed record LayerConfig(string Kind, EquatableArray<ArgumentValue> Values)
{
    /// <summary>The value of the argument <paramref name="name"/>; throws for one the layer does not take.</summary>
    public object? this[string name]
    {
        get
        {
            foreach (var value in Values)
            {
                if (value.Name == name)
                {
                    return value.Value;
                }
            }

            throw new KeyNotFoundException($"layer kind '{Kind}' has no argument '{name}'");
        }
    }

    /// <summary>The catalogue entry of <see cref="Kind"/>.</summary>
    public LayerKind Entry => LayerCatalog.Find(Kind) ?? throw new InvalidOperationException($"no layer kind '{Kind}' in the catalogue");

    /// <summary>A copy with <paramref name="name"/> set to <paramref name="value"/>.</summary>
    public LayerConfig With(string name, object? value) =>
        this with { Values = Values.Select(v => v.Name == name ? new ArgumentValue(name, value) : v).ToEquatableArray() };

    /// <summary>Keras' config in a model file's flow style: <c>dense {units: 10, activation: linear, ...}</c>.</summary>
    public override string ToString() => Kind + " {" + string.Join(", ", Values) + "}";
}

/// <summary>One argument's value: an int, double, bool, string, <see cref="EquatableArray{T}"/> of int, or null (Keras' None).</summary>
public sealed record ArgumentValue(string Name, object? Value)
{
    public override string ToString() => Name + ": " + Format(Value);

    private static string Format(object? value) => value switch
    {
        null => "null",
        bool flag => flag ? "true" : "false",
        double number => number.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        IFormattable number => number.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        EquatableArray<int> list => "[" + string.Join(", ", list.Select(d => d.ToString(System.Globalization.CultureInfo.InvariantCulture))) + "]",
        _ => value.ToString() ?? string.Empty,
    };
}

/// <summary>Declared input preprocessing; <paramref name="Rescale"/> multiplies every input value.</summary>
public sealed record PreprocessSpec(double? Rescale);

/// <summary>
/// An optimizer by Keras name (<see cref="Kind"/>: adam, adamw, sgd, rmsprop) with every argument its catalogue
/// entry (<see cref="OptimizerCatalog"/>) lists, Keras' defaults filled in.
/// </summary>
public sealed record OptimizerSpec(string Kind, EquatableArray<ArgumentValue> Values)
{
    public object? this[string name] => Values.First(v => v.Name == name).Value;

    /// <summary>The catalogue entry of <see cref="Kind"/>.</summary>
    public OptimizerKind Entry => OptimizerCatalog.Find(Kind) ?? throw new InvalidOperationException($"no optimizer '{Kind}' in the catalogue");

    public override string ToString() => Kind + " {" + string.Join(", ", Values) + "}";
}

/// <summary>A loss by Keras name (sparse_categorical_crossentropy, categorical_crossentropy, binary_crossentropy, mse, mae).</summary>
public sealed record LossSpec(string Name, bool FromLogits);

/// <summary>
/// A metric as written (<paramref name="Name"/>, e.g. accuracy, the History key) and what it resolves to
/// for the loss (<paramref name="Kind"/>, e.g. sparse_categorical_accuracy), as Keras resolves it.
/// </summary>
public sealed record MetricSpec(string Name, string Kind);

public sealed record CompileSpec(OptimizerSpec Optimizer, LossSpec Loss, EquatableArray<MetricSpec> Metrics);

/// <summary>The defaults of the generated Train(); each one can be overridden in C#.</summary>
public sealed record FitSpec(int Epochs, int BatchSize, bool Shuffle, int? Seed, double ValidationSplit);

/// <summary>What analysing one model description yields: the spec when it has no errors, and every diagnostic.</summary>
public sealed record ModelAnalysis(ModelSpec? Spec, EquatableArray<ModelDiagnostic> Diagnostics)
{
    public bool HasErrors => Diagnostics.Any(d => d.Severity == Severity.Error);
}
