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
        : base(nameof(Gru))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputFeatures, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(units, 1);
        Units = units;
        Activation = activation;
        RecurrentActivation = recurrentActivation;
        ReturnSequences = returnSequences;
        ResetAfter = resetAfter;
        AddWeight("kernel", Initializers.Create(kernelInitializer, [inputFeatures, 3 * units]));
        AddWeight("recurrent_kernel", Initializers.Create(recurrentInitializer, [units, 3 * units]));
        if (useBias)
            AddWeight("bias", Initializers.Create(biasInitializer, resetAfter ? [2, 3 * units] : [3 * units]));
    }

    public int Units { get; }

    public Activation Activation { get; }

    public Activation RecurrentActivation { get; }

    public bool ReturnSequences { get; }

    public bool ResetAfter { get; }

    public Parameter Kernel => Weight("kernel");

    public Parameter RecurrentKernel => Weight("recurrent_kernel");

    public Parameter? Bias => OptionalWeight("bias");

    /// <summary>(batch, time, units) with <see cref="ReturnSequences"/>, else the last step's (batch, units).</summary>
    public override Tensor forward(Tensor input) =>
        RecurrentKernels.Gru(input, Kernel, RecurrentKernel, Bias, Activation, RecurrentActivation, ResetAfter, ReturnSequences);
}
