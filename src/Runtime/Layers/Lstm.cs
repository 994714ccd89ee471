namespace ModelDsl.Runtime.Layers;

/// <summary>
/// Keras' LSTM over (batch, time, features): gates in Keras' order i, f, c, o; kernel (features, 4 units),
/// recurrent_kernel (units, 4 units), one bias (4 units) whose forget slice starts at 1 with <c>unitForgetBias</c>.
/// <c>activation</c> replaces both tanh's of the cell. The whole sequence is one autograd node where it can be
/// (see <see cref="RecurrentKernels"/>).
/// </summary>
public sealed class Lstm : Layer
{
    public Lstm(int inputFeatures, int units, Activation activation = Activation.Tanh, Activation recurrentActivation = Activation.Sigmoid,
        bool returnSequences = false, bool useBias = true, bool unitForgetBias = true,
        string kernelInitializer = "glorot_uniform", string recurrentInitializer = "orthogonal", string biasInitializer = "zeros")
        : base(nameof(Lstm))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputFeatures, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(units, 1);
        Units = units;
        Activation = activation;
        RecurrentActivation = recurrentActivation;
        ReturnSequences = returnSequences;
        AddWeight("kernel", Initializers.Create(kernelInitializer, [inputFeatures, 4 * units]));
        AddWeight("recurrent_kernel", Initializers.Create(recurrentInitializer, [units, 4 * units]));
        if (useBias)
            AddWeight("bias", unitForgetBias ? ForgetBiasOfOne(biasInitializer, units) : Initializers.Create(biasInitializer, [4 * units]));
    }

    public int Units { get; }

    public Activation Activation { get; }

    public Activation RecurrentActivation { get; }

    public bool ReturnSequences { get; }

    public Parameter Kernel => Weight("kernel");

    public Parameter RecurrentKernel => Weight("recurrent_kernel");

    public Parameter? Bias => OptionalWeight("bias");

    // Keras: [init(units), ones(units), init(2 units)].
    private static Tensor ForgetBiasOfOne(string initializer, int units)
    {
        using var input = Initializers.Create(initializer, [units]);
        using var forget = ones(units);
        using var rest = Initializers.Create(initializer, [2 * units]);
        return cat([input, forget, rest]);
    }

    /// <summary>(batch, time, units) with <see cref="ReturnSequences"/>, else the last step's (batch, units).</summary>
    public override Tensor forward(Tensor input) =>
        RecurrentKernels.Lstm(input, Kernel, RecurrentKernel, Bias, Activation, RecurrentActivation, ReturnSequences);
}
