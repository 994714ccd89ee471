namespace ModelDsl.Runtime.Layers;

/// <summary>
/// Keras' LayerNormalization: each sample normalized over <see cref="Axis"/> (mean and biased variance over those
/// axes, epsilon inside the square root), then scaled by "gamma" and shifted by "beta", weights shaped like the
/// normalized axes, in Keras' order gamma, beta.
/// </summary>
public sealed class LayerNormalization : Layer
{
    private readonly long[] _broadcastShape;
    private readonly bool _trailing;

    /// <param name="inputShape">One sample's shape (no batch axis); null marks a variable-length axis (Keras' None), which must not be normalized.</param>
    public LayerNormalization(int?[] inputShape, int axis = -1, double epsilon = 1e-3, bool center = true, bool scale = true,
        string betaInitializer = "zeros", string gammaInitializer = "ones")
        : this(inputShape, [axis], epsilon, center, scale, betaInitializer, gammaInitializer)
    {
    }

    /// <param name="inputShape">One sample's shape (no batch axis); null marks a variable-length axis (Keras' None), which must not be normalized.</param>
    /// <param name="axis">Keras' list form: the axes of the input (batch axis 0, negative from the end) normalized together.</param>
    public LayerNormalization(int?[] inputShape, int[] axis, double epsilon = 1e-3, bool center = true, bool scale = true,
        string betaInitializer = "zeros", string gammaInitializer = "ones") : base(nameof(LayerNormalization))
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        ArgumentNullException.ThrowIfNull(axis);
        if (inputShape.Length == 0)
            throw new ArgumentException("LayerNormalization needs one sample's shape with at least one axis", nameof(inputShape));
        if (axis.Length == 0)
            throw new ArgumentException("LayerNormalization needs at least one axis to normalize over", nameof(axis));
        var rank = inputShape.Length + 1;
        var axes = new SortedSet<int>();
        foreach (var a in axis)
        {
            var resolved = a < 0 ? a + rank : a;
            if (resolved < 1 || resolved >= rank)
                throw new ArgumentOutOfRangeException(nameof(axis), a,
                    $"LayerNormalization's axis must be a sample axis of the {rank}-D input: 1 to {rank - 1}, or -{rank - 1} to -1");
            if (!axes.Add(resolved))
                throw new ArgumentException($"LayerNormalization's axis lists axis {resolved} twice", nameof(axis));
            if (inputShape[resolved - 1] is not { } size || size < 1)
                throw new ArgumentException(
                    $"LayerNormalization needs a fixed size on the normalized axis {resolved}, got {inputShape[resolved - 1]?.ToString() ?? "None"}",
                    nameof(inputShape));
        }
        if (!double.IsFinite(epsilon) || epsilon <= 0)
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "LayerNormalization's epsilon must be a finite number > 0");

        Axis = [.. axes];
        Epsilon = epsilon;
        Center = center;
        Scale = scale;
        InputShape = [.. inputShape];
        long[] weightShape = [.. Axis.Select(a => (long)inputShape[a - 1]!.Value)];
        _broadcastShape = new long[rank];
        for (var i = 0; i < rank; i++)
            _broadcastShape[i] = axes.Contains(i) ? inputShape[i - 1]!.Value : 1;
        // Trailing axes are libtorch's layer_norm; any other set is normalized by hand.
        _trailing = Axis[0] == rank - Axis.Count;
        if (scale)
            AddWeight("gamma", Initializers.Create(gammaInitializer, weightShape));
        if (center)
            AddWeight("beta", Initializers.Create(betaInitializer, weightShape));
    }

    public IReadOnlyList<int?> InputShape { get; }

    /// <summary>The normalized axes of the input, ascending, as non-negative indices (the batch axis is 0).</summary>
    public IReadOnlyList<int> Axis { get; }

    public double Epsilon { get; }

    public bool Center { get; }

    public bool Scale { get; }

    public Parameter? Gamma => OptionalWeight("gamma");

    public Parameter? Beta => OptionalWeight("beta");

    /// <summary>
    /// ONNX's LayerNormalization where the axes are the trailing ones; otherwise the same mean, variance and scaling as
    /// <c>forward</c>, as primitive ops over those axes.
    /// </summary>
    public override OnnxValue ToOnnx(OnnxGraph graph, OnnxValue input)
    {
        using var scope = NewDisposeScope();
        if (_trailing)
        {
            var scale = Gamma is { } g ? graph.Weight("gamma", g) : graph.Weight("gamma", ones([.. Axis.Select(a => _broadcastShape[a])]));
            OnnxValue[] inputs = Beta is { } b ? [input, scale, graph.Weight("beta", b)] : [input, scale];
            return graph.Node("LayerNormalization", inputs, OnnxAttribute.Int("axis", Axis[0]), OnnxAttribute.Float("epsilon", Epsilon));
        }

        var axes = OnnxAttribute.Ints("axes", [.. Axis.Select(a => (long)a)]);
        var centered = graph.Node("Sub", [input, graph.Node("ReduceMean", [input], axes)]);
        var variance = graph.Node("ReduceMean", [graph.Mul(centered, centered)], axes);
        var result = graph.Node("Div", [centered, graph.Node("Sqrt", [graph.Add(variance, graph.Scalar(Epsilon))])]);
        if (Gamma is { } gamma)
            result = graph.Mul(result, graph.Weight("gamma", gamma.view(_broadcastShape)));
        if (Beta is { } beta)
            result = graph.Add(result, graph.Weight("beta", beta.view(_broadcastShape)));
        return result;
    }

    public override Tensor forward(Tensor input)
    {
        LayerInputs.RequireRank(input, _broadcastShape.Length, nameof(LayerNormalization), "(batch and one sample's axes)");
        foreach (var a in Axis)
            if (input.size(a) != _broadcastShape[a])
                throw new ArgumentException(
                    $"LayerNormalization was built for size {_broadcastShape[a]} on axis {a}, got [{string.Join(", ", input.shape)}]", nameof(input));
        using var scope = NewDisposeScope();
        Tensor result;
        if (_trailing)
        {
            result = nn.functional.layer_norm(input, [.. Axis.Select(a => input.size(a))], Gamma, Beta, Epsilon);
        }
        else
        {
            long[] axes = [.. Axis.Select(a => (long)a)];
            var mean = input.mean(axes, keepdim: true);
            var centered = input - mean;
            var variance = centered.square().mean(axes, keepdim: true);
            result = centered * (variance + Epsilon).rsqrt();
            if (Gamma is { } gamma)
                result = result * gamma.view(_broadcastShape);
            if (Beta is { } beta)
                result = result + beta.view(_broadcastShape);
        }
        return result.MoveToOuterDisposeScope();
    }
}
