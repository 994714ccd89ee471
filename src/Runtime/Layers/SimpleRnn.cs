namespace ModelDsl.Runtime.Layers;

/// <summary>Keras' SimpleRNN over (batch, time, features): h = activation(x kernel + h recurrent_kernel + bias).</summary>
public sealed class SimpleRnn : Layer
{
    public SimpleRnn(int inputFeatures, int units, Activation activation = Activation.Tanh, bool returnSequences = false, bool useBias = true,
        string kernelInitializer = "glorot_uniform", string recurrentInitializer = "orthogonal", string biasInitializer = "zeros")
        : base(nameof(SimpleRnn))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputFeatures, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(units, 1);
        Units = units;
        Activation = activation;
        ReturnSequences = returnSequences;
        AddWeight("kernel", Initializers.Create(kernelInitializer, [inputFeatures, units]));
        AddWeight("recurrent_kernel", Initializers.Create(recurrentInitializer, [units, units]));
        if (useBias)
            AddWeight("bias", Initializers.Create(biasInitializer, [units]));
    }

    public int Units { get; }

    public Activation Activation { get; }

    public bool ReturnSequences { get; }

    public Parameter Kernel => Weight("kernel");

    public Parameter RecurrentKernel => Weight("recurrent_kernel");

    public Parameter? Bias => OptionalWeight("bias");

    /// <summary>(batch, time, units) with <see cref="ReturnSequences"/>, else the last step's (batch, units).</summary>
    public override Tensor forward(Tensor input) =>
        RecurrentKernels.SimpleRnn(input, Kernel, RecurrentKernel, Bias, Activation, ReturnSequences);
}
