namespace ModelDsl.Runtime.Layers;

/// <summary>
/// Keras' SimpleRNN over (batch, time, features): h = activation(x kernel + h recurrent_kernel + bias).
/// <c>dropout</c>, <c>recurrentDropout</c> and <c>goBackwards</c> as <see cref="RecurrentLayer"/> describes.
/// </summary>
public sealed class SimpleRnn : RecurrentLayer
{
    private const int GateCount = 1;

    public SimpleRnn(int inputFeatures, int units, Activation activation = Activation.Tanh, bool returnSequences = false, bool useBias = true,
        string kernelInitializer = "glorot_uniform", string recurrentInitializer = "orthogonal", string biasInitializer = "zeros",
        double dropout = 0, double recurrentDropout = 0, bool goBackwards = false)
        : base(nameof(SimpleRnn), inputFeatures, units, GateCount, returnSequences, dropout, recurrentDropout, goBackwards)
    {
        Activation = activation;
        AddWeight("kernel", Initializers.Create(kernelInitializer, [inputFeatures, units]));
        AddWeight("recurrent_kernel", Initializers.Create(recurrentInitializer, [units, units]));
        if (useBias)
            AddWeight("bias", Initializers.Create(biasInitializer, [units]));
    }

    public Activation Activation { get; }

    private protected override OnnxRecurrentForm OnnxForm() =>
        new("RNN", OnnxGates(Kernel, GateCount, 0), OnnxGates(RecurrentKernel, GateCount, 0), OnnxBias(Bias, null, GateCount, 0), [Activation], [])
        {
            // cuDNN's simple RNN has a tanh mode and a relu mode.
            CudaDifferences = CudaActivationDifferences(("activation", Activation, [Activation.Tanh, Activation.Relu])),
        };

    private protected override Tensor Run(Tensor input, Tensor? inputMasks, Tensor? recurrentMasks) =>
        RecurrentKernels.SimpleRnn(input, Kernel, RecurrentKernel, Bias, Activation, ReturnSequences, inputMasks, recurrentMasks);
}
