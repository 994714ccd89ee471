namespace ModelDsl.Runtime.Layers;

/// <summary>Keras' SimpleRNN over (batch, time, features): h = activation(x kernel + h recurrent_kernel + bias).</summary>
public sealed class SimpleRnn : Layer
{
    public SimpleRnn(int inputFeatures, int units, Activation activation = Activation.Tanh, bool returnSequences = false, bool useBias = true,
        string kernelInitializer = "glorot_uniform", string recurrentInitializer = "orthogonal", string biasInitializer = "zeros")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputFeatures, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(units, 1);
        Units = units;
        Activation = activation;
        ReturnSequences = returnSequences;
        Kernel = RegisterParameter("kernel", Initializers.Create(kernelInitializer, [inputFeatures, units]));
        RecurrentKernel = RegisterParameter("recurrent_kernel", Initializers.Create(recurrentInitializer, [units, units]));
        if (useBias)
            Bias = RegisterParameter("bias", Initializers.Create(biasInitializer, [units]));
    }

    public int Units { get; }

    public Activation Activation { get; }

    public bool ReturnSequences { get; }

    public Parameter Kernel { get; }

    public Parameter RecurrentKernel { get; }

    public Parameter? Bias { get; }

    /// <summary>(batch, time, units) with <see cref="ReturnSequences"/>, else the last step's (batch, units).</summary>
    public override Tensor Forward(Tensor input) =>
        new(NativeMethods.SimpleRnn(input.Handle, Kernel.Handle, RecurrentKernel.Handle, Tensor.HandleOf(Bias), Activation, ReturnSequences ? 1 : 0));
}
