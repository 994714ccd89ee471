namespace ModelDsl.Runtime.Layers;

/// <summary>Keras' Dense on the last axis: activation(x kernel + bias), kernel (inputFeatures, units).</summary>
public sealed class Dense : Layer, IActivatedLayer
{
    public Dense(int inputFeatures, int units, Activation activation = Activation.Linear, bool useBias = true,
        string kernelInitializer = "glorot_uniform", string biasInitializer = "zeros") : base(nameof(Dense))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputFeatures, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(units, 1);
        Units = units;
        Activation = activation;
        AddWeight("kernel", Initializers.Create(kernelInitializer, [inputFeatures, units]));
        if (useBias)
            AddWeight("bias", Initializers.Create(biasInitializer, [units]));
    }

    public int Units { get; }

    public Activation Activation { get; }

    public Parameter Kernel => Weight("kernel");

    public Parameter? Bias => OptionalWeight("bias");

    public Tensor ForwardLinear(Tensor input)
    {
        var bias = Bias;
        if (input.dim() == 2)
            return bias is null ? input.mm(Kernel) : addmm(bias, input, Kernel, beta: 1, alpha: 1);
        // Not Tensor.matmul: TorchSharp 0.107's matmul lets a libtorch shape error abort the process.
        using var weight = Kernel.t();
        return nn.functional.linear(input, weight, bias);
    }

    /// <summary>MatMul over the last axis (leading axes broadcast), the bias added, then the activation.</summary>
    public override OnnxValue ToOnnx(OnnxGraph graph, OnnxValue input)
    {
        var linear = graph.MatMul(input, graph.Weight("kernel", Kernel));
        if (Bias is { } bias)
            linear = graph.Add(linear, graph.Weight("bias", bias));
        return graph.Activation(linear, Activation);
    }

    public override Tensor forward(Tensor input)
    {
        if (Activation == Activation.Linear)
            return ForwardLinear(input);
        using var linear = ForwardLinear(input);
        return Activation.Apply(linear);
    }
}
