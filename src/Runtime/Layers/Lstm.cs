namespace ModelDsl.Runtime.Layers;

/// <summary>
/// Keras' LSTM over (batch, time, features): gates in Keras' order i, f, c, o; kernel (features, 4 units),
/// recurrent_kernel (units, 4 units), one bias (4 units) whose forget slice starts at 1 with <c>unitForgetBias</c>.
/// <c>activation</c> replaces both tanh's of the cell. The whole sequence is one autograd node where it can be
/// (see <see cref="RecurrentKernels"/>); <c>dropout</c>, <c>recurrentDropout</c> and <c>goBackwards</c> as
/// <see cref="RecurrentLayer"/> describes.
/// </summary>
public sealed class Lstm : RecurrentLayer
{
    private const int GateCount = 4;

    public Lstm(int inputFeatures, int units, Activation activation = Activation.Tanh, Activation recurrentActivation = Activation.Sigmoid,
        bool returnSequences = false, bool useBias = true, bool unitForgetBias = true,
        string kernelInitializer = "glorot_uniform", string recurrentInitializer = "orthogonal", string biasInitializer = "zeros",
        double dropout = 0, double recurrentDropout = 0, bool goBackwards = false)
        : base(nameof(Lstm), inputFeatures, units, GateCount, returnSequences, dropout, recurrentDropout, goBackwards)
    {
        Activation = activation;
        RecurrentActivation = recurrentActivation;
        AddWeight("kernel", Initializers.Create(kernelInitializer, [inputFeatures, GateCount * units]));
        AddWeight("recurrent_kernel", Initializers.Create(recurrentInitializer, [units, GateCount * units]));
        if (useBias)
            AddWeight("bias", unitForgetBias ? ForgetBiasOfOne(biasInitializer, units) : Initializers.Create(biasInitializer, [GateCount * units]));
    }

    public Activation Activation { get; }

    public Activation RecurrentActivation { get; }

    // Keras: [init(units), ones(units), init(2 units)].
    private static Tensor ForgetBiasOfOne(string initializer, int units)
    {
        using var input = Initializers.Create(initializer, [units]);
        using var forget = ones(units);
        using var rest = Initializers.Create(initializer, [2 * units]);
        return cat([input, forget, rest]);
    }

    // Keras' gates are i, f, c, o; ONNX's are i, o, f, c.
    private static readonly int[] OnnxOrder = [0, 3, 1, 2];

    private protected override OnnxRecurrentForm OnnxForm() => new("LSTM",
        OnnxGates(Kernel, GateCount, OnnxOrder), OnnxGates(RecurrentKernel, GateCount, OnnxOrder), OnnxBias(Bias, null, GateCount, OnnxOrder),
        [RecurrentActivation, Activation, Activation], [])
    {
        CudaDifferences = CudaActivationDifferences(("activation", Activation, [Activation.Tanh]),
            ("recurrent_activation", RecurrentActivation, [Activation.Sigmoid])),
    };

    private protected override Tensor Run(Tensor input, Tensor? inputMasks, Tensor? recurrentMasks) =>
        RecurrentKernels.Lstm(input, Kernel, RecurrentKernel, Bias, Activation, RecurrentActivation, ReturnSequences, inputMasks, recurrentMasks);
}
