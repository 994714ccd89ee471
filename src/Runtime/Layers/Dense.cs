namespace ModelDsl.Runtime.Layers;

/// <summary>Keras' Dense on the last axis: activation(x kernel + bias), kernel (inputFeatures, units).</summary>
public sealed class Dense : Layer, IActivatedLayer
{
    public Dense(int inputFeatures, int units, Activation activation = Activation.Linear, bool useBias = true,
        string kernelInitializer = "glorot_uniform", string biasInitializer = "zeros")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputFeatures, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(units, 1);
        Units = units;
        Activation = activation;
        Kernel = RegisterParameter("kernel", Initializers.Create(kernelInitializer, [inputFeatures, units]));
        Bias = useBias ? RegisterParameter("bias", Initializers.Create(biasInitializer, [units])) : null;
    }

    public int Units { get; }

    public Activation Activation { get; }

    public Parameter Kernel { get; }

    public Parameter? Bias { get; }

    public Tensor ForwardLinear(Tensor input) => input.Dense(Kernel, Bias);

    public override Tensor Forward(Tensor input)
    {
        if (Activation == Activation.Linear)
            return ForwardLinear(input);
        using var linear = ForwardLinear(input);
        return linear.Activate(Activation);
    }
}
