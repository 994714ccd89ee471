namespace ModelDsl.Runtime.Layers;

/// <summary>
/// Keras' PReLU: x where x >= 0, alpha * x below, with a learned alpha per input element; the 1-based
/// <see cref="SharedAxes"/> share one alpha along those axes (alpha has size 1 there). The weight is Keras' "alpha",
/// shaped like one sample with the shared axes set to 1.
/// </summary>
public sealed class PRelu : Layer
{
    /// <param name="inputShape">One sample's shape (no batch axis); null marks a variable-length axis (Keras' None), which must be shared.</param>
    public PRelu(int?[] inputShape, string alphaInitializer = "zeros", int[]? sharedAxes = null) : base(nameof(PRelu))
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        if (inputShape.Length == 0)
            throw new ArgumentException("PReLU needs one sample's shape with at least one axis", nameof(inputShape));
        var shared = sharedAxes ?? [];
        foreach (var axis in shared)
            if (axis < 1 || axis > inputShape.Length)
                throw new ArgumentOutOfRangeException(nameof(sharedAxes), axis,
                    $"PReLU's shared_axes are 1-based axes of the input, from 1 to {inputShape.Length}");
        var alphaShape = new long[inputShape.Length];
        for (var i = 0; i < inputShape.Length; i++)
        {
            if (Array.IndexOf(shared, i + 1) >= 0)
                alphaShape[i] = 1;
            else if (inputShape[i] is { } size and >= 1)
                alphaShape[i] = size;
            else
                throw new ArgumentException(
                    $"PReLU needs a fixed size on axis {i + 1} of the input, got {inputShape[i]?.ToString() ?? "None"}; " +
                    $"a variable-length axis must be in shared_axes", nameof(inputShape));
        }
        InputShape = [.. inputShape];
        SharedAxes = [.. shared];
        AddWeight("alpha", Initializers.Create(alphaInitializer, alphaShape));
    }

    public IReadOnlyList<int?> InputShape { get; }

    public IReadOnlyList<int> SharedAxes { get; }

    public Parameter Alpha => Weight("alpha");

    /// <summary>ONNX PRelu: alpha has one sample's shape (1 on shared axes) and broadcasts over the batch.</summary>
    public override OnnxValue ToOnnx(OnnxGraph graph, OnnxValue input) => graph.Node("PRelu", [input, graph.Weight("alpha", Alpha)]);

    public override Tensor forward(Tensor input)
    {
        var alpha = Alpha;
        if (input.dim() != alpha.dim() + 1)
            throw new ArgumentException(
                $"PReLU needs a {alpha.dim() + 1}-D input (batch and one sample's axes), got [{string.Join(", ", input.shape)}]", nameof(input));
        for (var i = 0; i < alpha.dim(); i++)
            if (alpha.size(i) != 1 && alpha.size(i) != input.size(i + 1))
                throw new ArgumentException(
                    $"PReLU's alpha is [{string.Join(", ", alpha.shape)}], which does not fit the input [{string.Join(", ", input.shape)}] on axis {i + 1}",
                    nameof(input));
        using var scope = NewDisposeScope();
        var result = nn.functional.relu(input) - alpha * nn.functional.relu(input.neg());
        return result.MoveToOuterDisposeScope();
    }
}
