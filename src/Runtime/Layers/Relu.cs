namespace ModelDsl.Runtime.Layers;

/// <summary>
/// Keras' ReLU layer: x above <see cref="Threshold"/> (capped at <see cref="MaxValue"/> when set), and
/// <see cref="NegativeSlope"/> * (x - threshold) at or below it. With the defaults it is max(x, 0).
/// </summary>
public sealed class Relu : Layer
{
    public Relu(double? maxValue = null, double negativeSlope = 0, double threshold = 0) : base(nameof(Relu))
    {
        if (maxValue is { } max)
            LayerInputs.AtLeast(max, 0, nameof(maxValue), "ReLU");
        MaxValue = maxValue;
        NegativeSlope = LayerInputs.AtLeast(negativeSlope, 0, nameof(negativeSlope), "ReLU");
        Threshold = LayerInputs.AtLeast(threshold, 0, nameof(threshold), "ReLU");
    }

    public double? MaxValue { get; }

    public double NegativeSlope { get; }

    public double Threshold { get; }

    /// <summary>The same steps as <c>forward</c>: the threshold's step, the cap, then the slope below the threshold.</summary>
    public override OnnxValue ToOnnx(OnnxGraph graph, OnnxValue input)
    {
        var result = Threshold == 0
            ? graph.Node("Relu", [input])
            : graph.Node("Where", [graph.Node("Greater", [input, graph.Scalar(Threshold)]), input, graph.Scalar(0)]);
        if (MaxValue is { } max)
            result = graph.Node("Min", [result, graph.Scalar(max)]);
        if (NegativeSlope != 0)
        {
            var below = graph.Node("Relu", [graph.Node("Sub", [graph.Scalar(Threshold), input])]);
            result = graph.Node("Sub", [result, graph.Mul(below, graph.Scalar(NegativeSlope))]);
        }

        return result;
    }

    public override Tensor forward(Tensor input)
    {
        if (MaxValue is null && NegativeSlope == 0 && Threshold == 0)
            return nn.functional.relu(input);
        using var scope = NewDisposeScope();
        // Keras keeps x itself above the threshold (not x - threshold), so a positive threshold makes a step there.
        var result = Threshold == 0 ? nn.functional.relu(input) : input * input.gt(Threshold).to_type(input.dtype);
        if (MaxValue is { } max)
            result = result.clamp_max(max);
        if (NegativeSlope != 0)
            result = result - nn.functional.relu(input.neg().add(Threshold)) * NegativeSlope;
        return result.MoveToOuterDisposeScope();
    }
}
