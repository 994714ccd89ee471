namespace ModelDsl.Runtime.Layers;

/// <summary>Keras' Cropping1D on (batch, steps, features): steps removed at the start and the end.</summary>
public sealed class Cropping1D : Layer
{
    /// <summary>The same number of steps at both ends (Keras' int form; Keras' default is (1, 1)).</summary>
    public Cropping1D(int cropping = 1) : this((cropping, cropping))
    {
    }

    /// <summary>Keras' tuple form: (start, end).</summary>
    public Cropping1D((int Start, int End) cropping) : base(nameof(Cropping1D))
    {
        LayerInputs.NonNegative(nameof(cropping), nameof(Cropping1D), cropping.Start, cropping.End);
        Cropping = cropping;
    }

    public (int Start, int End) Cropping { get; }

    public override OnnxValue ToOnnx(OnnxGraph graph, OnnxValue input) =>
        graph.Slice(input, [Cropping.Start], [Cropping.End == 0 ? long.MaxValue : -Cropping.End], [1]);

    public override Tensor forward(Tensor input)
    {
        LayerInputs.RequireRank(input, 3, nameof(Cropping1D), "(batch, steps, features)");
        return Crop(input, 1, Cropping.Start, Cropping.End, nameof(Cropping1D));
    }

    /// <summary>A view of <paramref name="input"/> without <paramref name="start"/> and <paramref name="end"/> cells on <paramref name="axis"/>.</summary>
    internal static Tensor Crop(Tensor input, int axis, int start, int end, string layer)
    {
        var kept = input.size(axis) - start - end;
        if (kept < 1)
            throw new ArgumentException(
                $"{layer} crops {start} + {end} cells from axis {axis} of [{string.Join(", ", input.shape)}], which leaves none", nameof(input));
        return input.narrow(axis, start, kept);
    }
}
