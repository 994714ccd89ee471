using System.Globalization;

namespace ModelDsl.Spec;

/// <summary>
/// Keras' shape inference, per sample (the batch axis is implicit), with Keras' parameter counts. The first shape
/// error stops inference: every later shape would follow from a wrong one.
/// </summary>
internal sealed partial class Binder
{
    /// <summary>"(batch, 28, 128)": how messages write a per-sample shape with its batch axis.</summary>
    internal static string FormatShape(IEnumerable<int> shape) => "(" + string.Join(", ", new[] { "batch" }.Concat(shape.Select(d => d.ToString(CultureInfo.InvariantCulture)))) + ")";

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private bool InferShapes(int[] input, List<BoundLayer> layers)
    {
        var shape = input;
        BoundLayer? origin = null;
        long total = 0;
        foreach (var layer in layers)
        {
            if (layer.Config == null)
            {
                return false;
            }

            layer.InputShape = shape;
            var from = origin == null ? "the input" : origin.Label;
            bool inferred;
            try
            {
                inferred = Infer(layer, shape, from, origin, layers);
                total = checked(total + layer.Parameters);
            }
            catch (OverflowException)
            {
                Report(DiagnosticCatalog.SizeOverflow, layer.KeySpan, layer.Label, "the parameter count does not fit in 64 bits");
                return false;
            }

            if (!inferred)
            {
                return false;
            }

            // Layers that keep the shape do not become "where the shape came from" in messages.
            if (layer.Kind is not ("dropout" or "activation" or "batch_normalization"))
            {
                origin = layer;
            }

            shape = layer.OutputShape!;
        }

        return true;
    }

    private bool Infer(BoundLayer layer, int[] shape, string from, BoundLayer? origin, List<BoundLayer> layers)
    {
        var last = shape[shape.Length - 1];
        switch (layer.Config)
        {
            case DenseConfig c:
                Output(layer, Replace(shape, shape.Length - 1, c.Units), checked(((long)last * c.Units) + (c.UseBias ? c.Units : 0)));
                return true;
            case DropoutConfig or ActivationConfig:
                Output(layer, shape, 0);
                return true;
            case LstmConfig c:
                return Recurrent(layer, shape, from, origin, c.Units, c.ReturnSequences, 4, c.UseBias ? c.Units : 0);
            case GruConfig c:
                // reset_after keeps a second bias vector for the recurrent kernel, as Keras (and cuDNN) do.
                return Recurrent(layer, shape, from, origin, c.Units, c.ReturnSequences, 3, c.UseBias ? (c.ResetAfter ? 2L * c.Units : c.Units) : 0);
            case SimpleRnnConfig c:
                return Recurrent(layer, shape, from, origin, c.Units, c.ReturnSequences, 1, c.UseBias ? c.Units : 0);
            case Conv1DConfig c:
                return Conv1D(layer, shape, from, origin, c);
            case Conv2DConfig c:
                return Conv2D(layer, shape, from, origin, c);
            case MaxPooling1DConfig c:
                return Pooling1D(layer, shape, from, origin, c);
            case MaxPooling2DConfig c:
                return Pooling2D(layer, shape, from, origin, c);
            case FlattenConfig:
                return Flatten(layer, shape);
            case ReshapeConfig c:
                return Reshape(layer, shape, from, c);
            case BatchNormalizationConfig c:
                // gamma and beta train; the moving mean and variance do not.
                Output(layer, shape, 4L * last, (c.Scale ? last : 0L) + (c.Center ? last : 0L));
                return true;
            case EmbeddingConfig c:
                if (layer.Index > 1)
                {
                    var previous = layers[layer.Index - 2];
                    Report(DiagnosticCatalog.DTypeMismatch, layer.KeySpan, $"{layer.Label} takes integer indices, but {previous.Label} gives float values; an embedding layer must be the first layer");
                    return false;
                }

                Output(layer, shape.Concat(new[] { c.OutputDim }).ToArray(), (long)c.InputDim * c.OutputDim);
                return true;
            default:
                return false;
        }
    }

    private static void Output(BoundLayer layer, int[] shape, long parameters, long? trainable = null)
    {
        layer.OutputShape = shape;
        layer.Parameters = parameters;
        layer.TrainableParameters = trainable ?? parameters;
    }

    private static int[] Replace(int[] shape, int axis, int value)
    {
        var copy = (int[])shape.Clone();
        copy[axis] = value;
        return copy;
    }

    /// <summary>gates * (units * (features + units) + bias) parameters: one kernel, one recurrent kernel and the biases per gate.</summary>
    private bool Recurrent(BoundLayer layer, int[] shape, string from, BoundLayer? origin, int units, bool returnSequences, int gates, long bias)
    {
        if (shape.Length != 2)
        {
            Report(DiagnosticCatalog.RecurrentNeedsSequence, layer.KeySpan, layer.Index, layer.Kind, from, FormatShape(shape), SequenceHint(layer, shape, origin, "time, features"));
            return false;
        }

        var parameters = checked(gates * (((long)units * (shape[1] + (long)units)) + bias));
        Output(layer, returnSequences ? new[] { shape[0], units } : new[] { units }, parameters);
        return true;
    }

    /// <summary>
    /// How to turn what arrived into a sequence, (time, features) or (steps, channels): the fix a user most likely
    /// wants. A recurrent layer that returned only its last step is the usual cause.
    /// </summary>
    private static string SequenceHint(BoundLayer layer, int[] shape, BoundLayer? origin, string axes)
    {
        if (origin is { IsRecurrent: true } && shape.Length == 1)
        {
            return $"set return_sequences: true on layer {origin.Index}";
        }

        var suggested = shape.Length == 1 ? new[] { shape[0], 1 } : new[] { shape[0], Product(shape.Skip(1)) };
        var text = "[" + string.Join(", ", suggested.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";
        return origin == null
            ? $"declare the input as [{axes}], such as input: {text}"
            : $"add reshape: {text} before layer {layer.Index} to make it ({axes})";
    }

    private static int Product(IEnumerable<int> dims)
    {
        long product = 1;
        foreach (var d in dims)
        {
            product = Math.Min(int.MaxValue, product * d);
        }

        return (int)product;
    }

    private bool Conv1D(BoundLayer layer, int[] shape, string from, BoundLayer? origin, Conv1DConfig c)
    {
        if (!NeedsRank(layer, shape, from, origin, 2, "a 3-D input (batch, steps, channels)"))
        {
            return false;
        }

        var span = ((long)c.DilationRate * (c.KernelSize - 1)) + 1;
        var what = c.DilationRate > 1 ? $"kernel span (kernel_size {c.KernelSize} with dilation_rate {c.DilationRate})" : "kernel_size";
        var length = Slide(layer, shape, from, 0, "steps", span, c.Strides, c.Padding, what, "kernel_size");
        if (length == null)
        {
            return false;
        }

        Output(layer, new[] { length.Value, c.Filters }, checked(((long)c.KernelSize * shape[1] * c.Filters) + (c.UseBias ? c.Filters : 0)));
        return true;
    }

    private bool Conv2D(BoundLayer layer, int[] shape, string from, BoundLayer? origin, Conv2DConfig c)
    {
        if (!NeedsImage(layer, shape, from, origin))
        {
            return false;
        }

        var height = Slide(layer, shape, from, 0, "height", c.KernelHeight, c.StrideHeight, c.Padding, "kernel_size", "kernel_size");
        var width = height == null ? null : Slide(layer, shape, from, 1, "width", c.KernelWidth, c.StrideWidth, c.Padding, "kernel_size", "kernel_size");
        if (width == null)
        {
            return false;
        }

        var parameters = checked(((long)c.KernelHeight * c.KernelWidth * shape[2] * c.Filters) + (c.UseBias ? c.Filters : 0));
        Output(layer, new[] { height!.Value, width.Value, c.Filters }, parameters);
        return true;
    }

    private bool Pooling1D(BoundLayer layer, int[] shape, string from, BoundLayer? origin, MaxPooling1DConfig c)
    {
        if (!NeedsRank(layer, shape, from, origin, 2, "a 3-D input (batch, steps, channels)"))
        {
            return false;
        }

        var length = Slide(layer, shape, from, 0, "steps", c.PoolSize, c.Strides, c.Padding, "pool_size", "pool_size");
        if (length == null)
        {
            return false;
        }

        Output(layer, new[] { length.Value, shape[1] }, 0);
        return true;
    }

    private bool Pooling2D(BoundLayer layer, int[] shape, string from, BoundLayer? origin, MaxPooling2DConfig c)
    {
        if (!NeedsImage(layer, shape, from, origin))
        {
            return false;
        }

        var height = Slide(layer, shape, from, 0, "height", c.PoolHeight, c.StrideHeight, c.Padding, "pool_size", "pool_size");
        var width = height == null ? null : Slide(layer, shape, from, 1, "width", c.PoolWidth, c.StrideWidth, c.Padding, "pool_size", "pool_size");
        if (width == null)
        {
            return false;
        }

        Output(layer, new[] { height!.Value, width.Value, shape[2] }, 0);
        return true;
    }

    /// <summary>
    /// The length of one axis after a sliding window, as Keras computes it: valid padding gives
    /// floor((n - window) / stride) + 1 and needs the window to fit; same padding gives ceil(n / stride).
    /// </summary>
    private int? Slide(BoundLayer layer, int[] shape, string from, int axis, string axisName, long window, int stride, string padding, string what, string argument)
    {
        var n = shape[axis];
        if (padding == "same")
        {
            return (int)((n + (long)stride - 1) / stride);
        }

        if (window > n)
        {
            Report(DiagnosticCatalog.WindowTooLarge, layer.KeySpan, layer.Index, layer.Kind, what, window, axisName, from, FormatShape(shape), n, $"use padding: same, or a smaller {argument}");
            return null;
        }

        return (int)(((n - window) / stride) + 1);
    }

    private bool NeedsRank(BoundLayer layer, int[] shape, string from, BoundLayer? origin, int rank, string expected)
    {
        if (shape.Length == rank)
        {
            return true;
        }

        var hint = shape.Length < rank
            ? SequenceHint(layer, shape, origin, "steps, channels")
            : $"for images use {(layer.Kind == "conv1d" ? "conv2d" : "max_pooling2d")}, or add reshape: [{shape[0]}, {Product(shape.Skip(1))}] before layer {layer.Index}";
        Report(DiagnosticCatalog.RankMismatch, layer.KeySpan, layer.Index, layer.Kind, expected, from, FormatShape(shape), hint);
        return false;
    }

    /// <summary>(height, width, channels) per sample; a missing channel axis gets its own, more helpful, message.</summary>
    private bool NeedsImage(BoundLayer layer, int[] shape, string from, BoundLayer? origin)
    {
        if (shape.Length == 3)
        {
            return true;
        }

        if (shape.Length == 2)
        {
            var target = $"[{shape[0]}, {shape[1]}, 1]";
            var hint = origin == null
                ? $"declare input: {target} for one channel (grayscale)"
                : $"add reshape: {target} before layer {layer.Index} for one channel";
            Report(DiagnosticCatalog.MissingChannelAxis, layer.KeySpan, layer.Index, layer.Kind, from, FormatShape(shape), hint);
            return false;
        }

        string fix;
        if (shape.Length == 1)
        {
            var side = (int)Math.Round(Math.Sqrt(shape[0]));
            var square = side * side == shape[0] ? $"[{side}, {side}, 1]" : "[height, width, channels]";
            fix = origin == null ? $"declare the input as [height, width, channels], such as input: {square}" : $"add reshape: {square} before layer {layer.Index}";
        }
        else
        {
            fix = "it takes (height, width, channels) per sample";
        }

        Report(DiagnosticCatalog.RankMismatch, layer.KeySpan, layer.Index, layer.Kind, "a 4-D input (batch, height, width, channels)", from, FormatShape(shape), fix);
        return false;
    }

    /// <summary>The element count, saturating at <see cref="long.MaxValue"/> rather than wrapping.</summary>
    private static long Elements(IEnumerable<int> shape) =>
        shape.Aggregate(1L, (p, d) => d == 0 || p <= long.MaxValue / d ? p * d : long.MaxValue);

    private bool Flatten(BoundLayer layer, int[] shape)
    {
        var count = Elements(shape);
        if (count > int.MaxValue)
        {
            var values = count == long.MaxValue ? "more values per sample than fit in 64 bits" : $"{Count(count)} values per sample";
            Report(DiagnosticCatalog.SizeOverflow, layer.KeySpan, layer.Label, $"it would give {values}, more than {Count(int.MaxValue)}");
            return false;
        }

        Output(layer, new[] { (int)count }, 0);
        return true;
    }

    private bool Reshape(BoundLayer layer, int[] shape, string from, ReshapeConfig c)
    {
        var count = Elements(shape);
        var known = Elements(c.TargetShape.Where(d => d != -1));
        if (count == long.MaxValue || known == long.MaxValue)
        {
            Report(DiagnosticCatalog.SizeOverflow, layer.KeySpan, layer.Label, "its shapes have more values per sample than fit in 64 bits");
            return false;
        }

        var inferred = c.TargetShape.Contains(-1);
        var written = "(" + string.Join(", ", c.TargetShape) + ")";
        if (inferred ? count % known != 0 : count != known)
        {
            var wanted = inferred ? $"a multiple of {Count(known)}" : Count(known);
            Report(DiagnosticCatalog.ReshapeMismatch, layer.KeySpan, layer.Index, layer.Kind, FormatShape(shape), Count(count), from, written, wanted);
            return false;
        }

        if (count / known > int.MaxValue)
        {
            Report(DiagnosticCatalog.SizeOverflow, layer.KeySpan, layer.Label, $"its inferred dimension would be {Count(count / known)}, more than {Count(int.MaxValue)}");
            return false;
        }

        var resolved = c.TargetShape.Select(d => d == -1 ? (int)(count / known) : d).ToArray();
        layer.Config = new ReshapeConfig(resolved.ToEquatableArray());
        Output(layer, resolved, 0);
        return true;
    }
}
