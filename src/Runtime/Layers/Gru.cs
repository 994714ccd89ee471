namespace ModelDsl.Runtime.Layers;

/// <summary>
/// Keras' GRU over (batch, time, features): gates in Keras' order z, r, h; kernel (features, 3 units),
/// recurrent_kernel (units, 3 units). With <c>resetAfter</c> (Keras' default) the reset gate multiplies the
/// recurrent projection and the bias is (2, 3 units): an input and a recurrent bias; otherwise it multiplies the
/// state before the product and the bias is one (3 units) vector. <c>dropout</c>, <c>recurrentDropout</c> and
/// <c>goBackwards</c> as <see cref="RecurrentLayer"/> describes.
/// </summary>
public sealed class Gru : RecurrentLayer
{
    private const int GateCount = 3;

    public Gru(int inputFeatures, int units, Activation activation = Activation.Tanh, Activation recurrentActivation = Activation.Sigmoid,
        bool returnSequences = false, bool useBias = true, bool resetAfter = true,
        string kernelInitializer = "glorot_uniform", string recurrentInitializer = "orthogonal", string biasInitializer = "zeros",
        double dropout = 0, double recurrentDropout = 0, bool goBackwards = false)
        : base(nameof(Gru), inputFeatures, units, GateCount, returnSequences, dropout, recurrentDropout, goBackwards)
    {
        Activation = activation;
        RecurrentActivation = recurrentActivation;
        ResetAfter = resetAfter;
        AddWeight("kernel", Initializers.Create(kernelInitializer, [inputFeatures, GateCount * units]));
        AddWeight("recurrent_kernel", Initializers.Create(recurrentInitializer, [units, GateCount * units]));
        if (useBias)
            AddWeight("bias", Initializers.Create(biasInitializer, resetAfter ? [2, GateCount * units] : [GateCount * units]));
    }

    public Activation Activation { get; }

    public Activation RecurrentActivation { get; }

    public bool ResetAfter { get; }

    // Keras' and ONNX's gates are both z, r, h; reset_after is ONNX's linear_before_reset.
    private static readonly int[] OnnxOrder = [0, 1, 2];

    private protected override OnnxRecurrentForm OnnxForm()
    {
        var bias = Bias;
        var (input, recurrent) = bias is not null && ResetAfter ? (bias[0], bias[1]) : (bias, null);
        return new("GRU", OnnxGates(Kernel, GateCount, OnnxOrder), OnnxGates(RecurrentKernel, GateCount, OnnxOrder),
            OnnxBias(input, recurrent, GateCount, OnnxOrder), [RecurrentActivation, Activation],
            [OnnxAttribute.Int("linear_before_reset", ResetAfter ? 1 : 0)])
        {
            CudaDifferences =
            [
                .. CudaActivationDifferences(("activation", Activation, [Activation.Tanh]), ("recurrent_activation", RecurrentActivation, [Activation.Sigmoid])),
                .. ResetAfter ? Array.Empty<string>() : ["always applies the reset gate after the recurrent product (reset_after: true)"],
            ],
        };
    }

    private protected override Tensor Run(Tensor input, Tensor? inputMasks, Tensor? recurrentMasks) =>
        RecurrentKernels.Gru(input, Kernel, RecurrentKernel, Bias, Activation, RecurrentActivation, ResetAfter, ReturnSequences, inputMasks,
            recurrentMasks);
}
