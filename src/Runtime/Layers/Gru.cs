namespace ModelDsl.Runtime.Layers;

/// <summary>
/// Keras' GRU over (batch, time, features): gates in Keras' order z, r, h; kernel (features, 3 units),
/// recurrent_kernel (units, 3 units). With <c>resetAfter</c> (Keras' default) the reset gate multiplies the
/// recurrent projection and the bias is (2, 3 units): an input and a recurrent bias; otherwise it multiplies the
/// state before the product and the bias is one (3 units) vector.
/// </summary>
public sealed class Gru : Layer
{
    public Gru(int inputFeatures, int units, Activation activation = Activation.Tanh, Activation recurrentActivation = Activation.Sigmoid,
        bool returnSequences = false, bool useBias = true, bool resetAfter = true,
        string kernelInitializer = "glorot_uniform", string recurrentInitializer = "orthogonal", string biasInitializer = "zeros")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputFeatures, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(units, 1);
        Units = units;
        Activation = activation;
        RecurrentActivation = recurrentActivation;
        ReturnSequences = returnSequences;
        ResetAfter = resetAfter;
        Kernel = RegisterParameter("kernel", Initializers.Create(kernelInitializer, [inputFeatures, 3 * units]));
        RecurrentKernel = RegisterParameter("recurrent_kernel", Initializers.Create(recurrentInitializer, [units, 3 * units]));
        if (useBias)
            Bias = RegisterParameter("bias", Initializers.Create(biasInitializer, resetAfter ? [2, 3 * units] : [3 * units]));
    }

    public int Units { get; }

    public Activation Activation { get; }

    public Activation RecurrentActivation { get; }

    public bool ReturnSequences { get; }

    public bool ResetAfter { get; }

    public Parameter Kernel { get; }

    public Parameter RecurrentKernel { get; }

    public Parameter? Bias { get; }

    /// <summary>(batch, time, units) with <see cref="ReturnSequences"/>, else the last step's (batch, units).</summary>
    public override Tensor Forward(Tensor input) =>
        new(NativeMethods.Gru(input.Handle, Kernel.Handle, RecurrentKernel.Handle, Tensor.HandleOf(Bias), Activation, RecurrentActivation,
            ReturnSequences ? 1 : 0, ResetAfter ? 1 : 0));
}
