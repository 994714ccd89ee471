namespace ModelDsl.Runtime.Layers;

/// <summary>
/// Keras' LSTM over (batch, time, features): gates in Keras' order i, f, c, o; kernel (features, 4 units),
/// recurrent_kernel (units, 4 units), one bias (4 units) whose forget slice starts at 1 with <c>unitForgetBias</c>.
/// <c>activation</c> replaces both tanh's of the cell. The whole sequence runs in one native call: on the CPU a cell
/// of relu, tanh, sigmoid, linear or hard-sigmoid with sigmoid or hard-sigmoid gates is one autograd node with
/// hand-written backpropagation through time (see <see cref="Torch.FusedKernels"/>); elsewhere libtorch's fused LSTM
/// for tanh/sigmoid (cuDNN on a GPU); anything else is a native cell loop.
/// </summary>
public sealed class Lstm : Layer
{
    public Lstm(int inputFeatures, int units, Activation activation = Activation.Tanh, Activation recurrentActivation = Activation.Sigmoid,
        bool returnSequences = false, bool useBias = true, bool unitForgetBias = true,
        string kernelInitializer = "glorot_uniform", string recurrentInitializer = "orthogonal", string biasInitializer = "zeros")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputFeatures, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(units, 1);
        Units = units;
        Activation = activation;
        RecurrentActivation = recurrentActivation;
        ReturnSequences = returnSequences;
        Kernel = RegisterParameter("kernel", Initializers.Create(kernelInitializer, [inputFeatures, 4 * units]));
        RecurrentKernel = RegisterParameter("recurrent_kernel", Initializers.Create(recurrentInitializer, [units, 4 * units]));
        if (useBias)
            Bias = RegisterParameter("bias", unitForgetBias ? ForgetBiasOfOne(biasInitializer, units) : Initializers.Create(biasInitializer, [4 * units]));
    }

    public int Units { get; }

    public Activation Activation { get; }

    public Activation RecurrentActivation { get; }

    public bool ReturnSequences { get; }

    public Parameter Kernel { get; }

    public Parameter RecurrentKernel { get; }

    public Parameter? Bias { get; }

    // Keras: [init(units), ones(units), init(2 units)].
    private static Tensor ForgetBiasOfOne(string initializer, int units)
    {
        using var input = Initializers.Create(initializer, [units]);
        using var forget = Tensor.Ones([units]);
        using var rest = Initializers.Create(initializer, [2 * units]);
        return Tensor.Cat([input, forget, rest]);
    }

    /// <summary>(batch, time, units) with <see cref="ReturnSequences"/>, else the last step's (batch, units).</summary>
    public override Tensor Forward(Tensor input) =>
        new(NativeMethods.Lstm(input.Handle, Kernel.Handle, RecurrentKernel.Handle, Tensor.HandleOf(Bias), Activation, RecurrentActivation,
            ReturnSequences ? 1 : 0));
}
