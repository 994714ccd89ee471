using System.Globalization;

namespace ModelDsl.Spec;

/// <summary>A layer's arguments while the binder reads them, for the checks between arguments (<see cref="LayerKind.Validate"/>).</summary>
internal sealed class LayerBinding
{
    private readonly Dictionary<string, object?> values;

    public LayerBinding(Binder binder, Args args, Dictionary<string, object?> values)
    {
        Binder = binder;
        Args = args;
        this.values = values;
    }

    public Binder Binder { get; }

    public Args Args { get; }

    public T Get<T>(Argument<T> argument) => (T)values[argument.Name]!;

    /// <summary>A window that may be Keras' None.</summary>
    public EquatableArray<int>? GetOptional(WindowArgument argument) => values[argument.Name] is EquatableArray<int> value ? value : null;

    public void Set(Argument argument, object? value) => values[argument.Name] = value;

    /// <summary>Where the argument was written, else the layer's key.</summary>
    public SourceSpan SpanOf(Argument argument) => Args[argument.Name]?.Span ?? Args.OwnerSpan;

    public bool Written(Argument argument) => Args[argument.Name] != null;

    public void Report(ModelDiagnosticDescriptor descriptor, SourceSpan span, params object[] arguments) => Binder.Report(descriptor, span, arguments);
}

/// <summary>
/// One layer's shape inference, per sample (the batch axis is implicit): what a catalogue entry's shape rule reads
/// (the input shape, its arguments, where the input came from) and the helpers Keras' rules share, each reporting a
/// located diagnostic with the fix when the shape does not fit.
/// </summary>
internal sealed class ShapeContext
{
    private readonly Binder binder;

    public ShapeContext(Binder binder, BoundLayer layer, int[] input, BoundLayer? origin, IReadOnlyList<BoundLayer> layers)
    {
        this.binder = binder;
        Layer = layer;
        Input = input;
        Origin = origin;
        Layers = layers;
    }

    public BoundLayer Layer { get; }

    public LayerConfig Config => Layer.Config!;

    /// <summary>The input shape per sample.</summary>
    public int[] Input { get; }

    /// <summary>The size of the input's last axis (features, channels).</summary>
    public int Last => Input[Input.Length - 1];

    /// <summary>The last layer before this one that made a new shape; null when the shape is the model's input.</summary>
    public BoundLayer? Origin { get; }

    public IReadOnlyList<BoundLayer> Layers { get; }

    /// <summary>How messages name where the input came from: "the input" or "layer 1 'lstm'".</summary>
    public string From => Origin == null ? "the input" : Origin.Label;

    public T Get<T>(Argument<T> argument) => argument.Of(Config);

    /// <summary>A window that may be Keras' None.</summary>
    public EquatableArray<int>? GetOptional(WindowArgument argument) => argument.OptionalOf(Config);

    public void Output(int[] shape, long parameters, long? trainable = null)
    {
        Layer.OutputShape = shape;
        Layer.Parameters = parameters;
        Layer.TrainableParameters = trainable ?? parameters;
    }

    /// <summary>
    /// A wrapped layer's shape rule on <paramref name="input"/>: its output shape and parameter counts, or null
    /// (reported, about the wrapper's entry).
    /// </summary>
    public (int[] Output, long Parameters, long Trainable)? Nested(LayerConfig inner, int[] input)
    {
        var bound = new BoundLayer(Layer.Index, inner.Entry, Layer.Entry, Layer.KeySpan, Layer.Args) { Config = inner };
        if (!inner.Entry.Infer(new ShapeContext(binder, bound, input, Origin, Layers)))
        {
            return null;
        }

        return (bound.OutputShape!, bound.Parameters, bound.TrainableParameters);
    }

    /// <summary>Replaces the layer's config with the one shape inference resolved (Reshape's -1).</summary>
    public void Resolve(LayerConfig config) => Layer.Config = config;

    public void Report(ModelDiagnosticDescriptor descriptor, params object[] arguments) => binder.Report(descriptor, Layer.KeySpan, arguments);

    /// <summary>"(batch, 28, 128)": how messages write a per-sample shape with its batch axis.</summary>
    public static string Format(IEnumerable<int> shape) => Binder.FormatShape(shape);

    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>The shape with axis <paramref name="axis"/> set to <paramref name="value"/>.</summary>
    public static int[] Replace(int[] shape, int axis, int value)
    {
        var copy = (int[])shape.Clone();
        copy[axis] = value;
        return copy;
    }

    public static int Product(IEnumerable<int> dims)
    {
        long product = 1;
        foreach (var d in dims)
        {
            product = Math.Min(int.MaxValue, product * d);
        }

        return (int)product;
    }

    /// <summary>The element count, saturating at <see cref="long.MaxValue"/> rather than wrapping.</summary>
    public static long Elements(IEnumerable<int> shape) =>
        shape.Aggregate(1L, (p, d) => d == 0 || p <= long.MaxValue / d ? p * d : long.MaxValue);

    /// <summary>
    /// Whether every axis of the input has a fixed size (what <paramref name="needs"/> needs); otherwise reports the
    /// first variable one, where it came from, and <paramref name="fix"/>.
    /// </summary>
    public bool Fixed(string needs, string fix) => Fixed(Enumerable.Range(0, Input.Length), needs, fix);

    /// <summary>Whether the given axes (0-based, after the batch) have fixed sizes; as <see cref="Fixed(string, string)"/>.</summary>
    public bool Fixed(IEnumerable<int> axes, string needs, string fix)
    {
        foreach (var axis in axes)
        {
            if (Input[axis] == Axis.Variable)
            {
                binder.Report(DiagnosticCatalog.VariableAxis, Layer.KeySpan, Layer.Index, Layer.KindName, needs, axis + 1, Format(Input), From, fix);
                return false;
            }
        }

        return true;
    }

    /// <summary><paramref name="length"/> changed by <paramref name="change"/>, a variable length staying variable.</summary>
    public static int Resize(int length, Func<long, long> change) => length == Axis.Variable ? Axis.Variable : checked((int)change(length));

    /// <summary>A recurrent layer's input: (time, features) per sample, or an error naming the fix.</summary>
    public bool NeedsSequence()
    {
        if (Input.Length == 2)
        {
            return true;
        }

        Report(DiagnosticCatalog.RecurrentNeedsSequence, Layer.Index, Layer.KindName, From, Format(Input), SequenceHint("time, features"));
        return false;
    }

    /// <summary>
    /// How to turn what arrived into a sequence, (time, features) or (steps, channels): the fix a user most likely
    /// wants. A recurrent layer that returned only its last step is the usual cause.
    /// </summary>
    public string SequenceHint(string axes)
    {
        if (Origin is { IsRecurrent: true } && Input.Length == 1)
        {
            return $"set return_sequences: true on layer {Origin.Index}";
        }

        var suggested = Input.Length == 1 ? new[] { Input[0], 1 } : new[] { Input[0], Product(Input.Skip(1)) };
        var text = "[" + string.Join(", ", suggested.Select(d => d == Axis.Variable ? "null" : d.ToString(CultureInfo.InvariantCulture))) + "]";
        return Origin == null
            ? $"declare the input as [{axes}], such as input: {text}"
            : $"add reshape: {text} before layer {Layer.Index} to make it ({axes})";
    }

    /// <summary>An input of <paramref name="rank"/> axes per sample; <paramref name="images"/> names the 2-D layer to use instead of a 1-D one.</summary>
    public bool NeedsRank(int rank, string expected, string images)
    {
        if (Input.Length == rank)
        {
            return true;
        }

        var hint = Input.Length < rank
            ? SequenceHint("steps, channels")
            : $"for images use {images}, or add reshape: [{Input[0]}, {Product(Input.Skip(1))}] before layer {Layer.Index}";
        Report(DiagnosticCatalog.RankMismatch, Layer.Index, Layer.KindName, expected, From, Format(Input), hint);
        return false;
    }

    /// <summary>
    /// Steps and channels (<paramref name="axes"/> 1) or an image (2) per sample; <paramref name="imageLayer"/> is the
    /// 2-D layer to suggest when an image reaches the 1-D one.
    /// </summary>
    public bool NeedsSpatial(int axes, string imageLayer) =>
        axes == 1 ? NeedsRank(2, "a 3-D input (batch, steps, channels)", imageLayer) : NeedsImage();

    /// <summary>
    /// The lengths a window leaves along the first axes (steps, or height and width), as <see cref="Slide"/> computes
    /// each; <paramref name="dilation"/> (1 when null) spreads the window's taps. Null when one does not fit (reported).
    /// </summary>
    public int[]? SlideWindows(EquatableArray<int> window, EquatableArray<int> strides, EquatableArray<int>? dilation, string padding, string argument)
    {
        var names = window.Count == 1 ? new[] { "steps" } : new[] { "height", "width" };
        var output = new int[window.Count];
        for (var axis = 0; axis < window.Count; axis++)
        {
            var rate = dilation?[axis] ?? 1;
            var span = ((long)rate * (window[axis] - 1)) + 1;
            var what = rate > 1 ? $"kernel span ({argument} {window[axis]} with dilation_rate {rate})" : argument;
            var length = Slide(axis, names[axis], span, strides[axis], padding, what, argument);
            if (length == null)
            {
                return null;
            }

            output[axis] = length.Value;
        }

        return output;
    }

    /// <summary>(height, width, channels) per sample; a missing channel axis gets its own, more helpful, message.</summary>
    public bool NeedsImage()
    {
        if (Input.Length == 3)
        {
            return true;
        }

        if (Input.Length == 2)
        {
            var target = $"[{Input[0]}, {Input[1]}, 1]";
            var hint = Origin == null
                ? $"declare input: {target} for one channel (grayscale)"
                : $"add reshape: {target} before layer {Layer.Index} for one channel";
            Report(DiagnosticCatalog.MissingChannelAxis, Layer.Index, Layer.KindName, From, Format(Input), hint);
            return false;
        }

        string fix;
        if (Input.Length == 1)
        {
            var side = (int)Math.Round(Math.Sqrt(Input[0]));
            var square = side * side == Input[0] ? $"[{side}, {side}, 1]" : "[height, width, channels]";
            fix = Origin == null ? $"declare the input as [height, width, channels], such as input: {square}" : $"add reshape: {square} before layer {Layer.Index}";
        }
        else
        {
            fix = "it takes (height, width, channels) per sample";
        }

        Report(DiagnosticCatalog.RankMismatch, Layer.Index, Layer.KindName, "a 4-D input (batch, height, width, channels)", From, Format(Input), fix);
        return false;
    }

    /// <summary>
    /// The length of one axis after a sliding window, as Keras computes it: valid padding gives
    /// floor((n - window) / stride) + 1 and needs the window to fit; same and causal padding give ceil(n / stride).
    /// </summary>
    public int? Slide(int axis, string axisName, long window, int stride, string padding, string what, string argument)
    {
        var n = Input[axis];
        if (n == Axis.Variable)
        {
            return Axis.Variable;
        }

        if (padding != Padding.Valid)
        {
            return (int)((n + (long)stride - 1) / stride);
        }

        if (window > n)
        {
            Report(DiagnosticCatalog.WindowTooLarge, Layer.Index, Layer.KindName, what, window, axisName, From, Format(Input), n, $"use padding: same, or a smaller {argument}");
            return null;
        }

        return (int)(((n - window) / stride) + 1);
    }
}

/// <summary>Keras' padding names.</summary>
internal static class Padding
{
    public const string Valid = "valid";
    public const string Same = "same";
    public const string Causal = "causal";

    public static readonly string[] ValidOrSame = { Valid, Same };
}
