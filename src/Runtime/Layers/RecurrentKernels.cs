using ModelDsl.Runtime.Layers.Recurrent;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Layers;

/// <summary>
/// Keras' LSTM, GRU and SimpleRNN over a whole (batch, time, features) sequence from a zero state, with Keras' weight
/// layout: kernel (features, gates * units), recurrent kernel (units, gates * units). Each returns (batch, time, units)
/// with <c>returnSequences</c>, else the last step's (batch, units), owned by the caller's dispose scope.
/// <para>
/// On the CPU, in float32 or float64, with cell and gate activations among linear, relu, sigmoid, tanh and
/// hard_sigmoid, a layer is one autograd node with hand-written backpropagation through time (see
/// <see cref="FusedRecurrence{TSelf}"/>); without gradients it saves nothing and keeps one rolling state. Anything
/// else (another device, dtype or activation, or <see cref="Fused"/> off) runs as a cell loop of TorchSharp ops.
/// </para>
/// <para>
/// Keras' dropout comes as per-sequence masks (0 or 1 / (1 - rate), the same at every step), null for none: input
/// masks (1 or gates, batch, features) and recurrent masks (gates, batch, units). One input mask multiplies the input
/// before the recurrence, fused or not. Per-gate masks, which Keras 3 draws whenever recurrent dropout is on, run the
/// cell loop: each gate then has its own product of a differently masked input and state (Keras' implementation 1),
/// where the fused node has one product of the state for all gates per step. Only training draws masks, so inference
/// keeps the fused node.
/// </para>
/// </summary>
public static class RecurrentKernels
{
    [ThreadStatic]
    private static bool unfused;

    /// <summary>
    /// Whether this thread uses the fused kernels where they apply (the default); off, every layer runs the TorchSharp
    /// cell loop, which gives the same results (tests compare the two). Per thread: a thread starts with it on.
    /// </summary>
    public static bool Fused
    {
        get => !unfused;
        set => unfused = !value;
    }

    /// <summary>
    /// Keras' LSTM, gates i, f, c, o; <paramref name="activation"/> replaces both tanh's of the cell. Bias (4 units)
    /// or null.
    /// </summary>
    public static Tensor Lstm(Tensor input, Tensor kernel, Tensor recurrentKernel, Tensor? bias, Activation activation,
        Activation recurrentActivation, bool returnSequences, Tensor? inputMasks = null, Tensor? recurrentMasks = null)
    {
        const int Gates = 4;
        CheckShapes(input, kernel, recurrentKernel, bias, Gates, pairedBias: false);
        CheckMasks(input, recurrentKernel, Gates, inputMasks, recurrentMasks);
        if (PerGate(inputMasks, recurrentMasks))
            return CellLoops.Lstm(input, kernel, recurrentKernel, bias, activation, recurrentActivation, returnSequences, inputMasks, recurrentMasks);
        using var scope = NewDisposeScope();
        var x = Dropped(input, inputMasks);
        var output = Fusable(x, kernel, recurrentKernel, bias, Gates, activation, recurrentActivation)
            ? FusedLstm.Run(x, kernel, recurrentKernel, bias, new(activation, recurrentActivation, false), returnSequences)
            : CellLoops.Lstm(x, kernel, recurrentKernel, bias, activation, recurrentActivation, returnSequences);
        return output.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Keras' GRU, gates z, r, h. With <paramref name="resetAfter"/> (Keras' default) the bias is (2, 3 units): row 0
    /// the input bias, row 1 the recurrent bias; otherwise one (3 units) bias. Null for none.
    /// </summary>
    public static Tensor Gru(Tensor input, Tensor kernel, Tensor recurrentKernel, Tensor? bias, Activation activation,
        Activation recurrentActivation, bool resetAfter, bool returnSequences, Tensor? inputMasks = null, Tensor? recurrentMasks = null)
    {
        const int Gates = 3;
        CheckShapes(input, kernel, recurrentKernel, bias, Gates, pairedBias: resetAfter);
        CheckMasks(input, recurrentKernel, Gates, inputMasks, recurrentMasks);
        if (PerGate(inputMasks, recurrentMasks))
            return CellLoops.Gru(input, kernel, recurrentKernel, bias, activation, recurrentActivation, resetAfter, returnSequences, inputMasks,
                recurrentMasks);
        using var scope = NewDisposeScope();
        var x = Dropped(input, inputMasks);
        var output = Fusable(x, kernel, recurrentKernel, bias, Gates, activation, recurrentActivation)
            ? FusedGru.Run(x, kernel, recurrentKernel, bias, new(activation, recurrentActivation, resetAfter), returnSequences)
            : CellLoops.Gru(x, kernel, recurrentKernel, bias, activation, recurrentActivation, resetAfter, returnSequences);
        return output.MoveToOuterDisposeScope();
    }

    /// <summary>Keras' SimpleRNN: h = act(x K + h U + b); bias (units) or null.</summary>
    public static Tensor SimpleRnn(Tensor input, Tensor kernel, Tensor recurrentKernel, Tensor? bias, Activation activation, bool returnSequences,
        Tensor? inputMasks = null, Tensor? recurrentMasks = null)
    {
        const int Gates = 1;
        CheckShapes(input, kernel, recurrentKernel, bias, Gates, pairedBias: false);
        CheckMasks(input, recurrentKernel, Gates, inputMasks, recurrentMasks);
        if (PerGate(inputMasks, recurrentMasks))
            return CellLoops.SimpleRnn(input, kernel, recurrentKernel, bias, activation, returnSequences, inputMasks, recurrentMasks);
        using var scope = NewDisposeScope();
        var x = Dropped(input, inputMasks);
        var output = Fusable(x, kernel, recurrentKernel, bias, Gates, activation, activation)
            ? FusedSimpleRnn.Run(x, kernel, recurrentKernel, bias, new(activation, activation, false), returnSequences)
            : CellLoops.SimpleRnn(x, kernel, recurrentKernel, bias, activation, returnSequences);
        return output.MoveToOuterDisposeScope();
    }

    // Recurrent masks, or input masks for each gate: the cell loop's per-gate products.
    private static bool PerGate(Tensor? inputMasks, Tensor? recurrentMasks) => recurrentMasks is not null || inputMasks?.shape[0] > 1;

    // One input mask for every gate and step: the recurrence sees the masked input.
    private static Tensor Dropped(Tensor input, Tensor? inputMasks) => inputMasks is null ? input : input * inputMasks[0].unsqueeze(1);

    private static bool Fusable(Tensor input, Tensor kernel, Tensor recurrent, Tensor? bias, int gates, Activation activation, Activation gate)
    {
        var dtype = input.dtype;
        // The passes read raw memory of one element type; Tensor.bytes spans at most int.MaxValue bytes, and the
        // largest buffer is every step's gates.
        long bytes = input.shape[0] * input.shape[1] * gates * recurrent.shape[0] * (dtype == ScalarType.Float64 ? 8 : 4);
        return Fused && dtype is ScalarType.Float32 or ScalarType.Float64 && bytes <= int.MaxValue
            && FusedActivations.Supports(activation) && FusedActivations.Supports(gate)
            && new[] { input, kernel, recurrent, bias }.All(t => t is null || (t.device_type == DeviceType.CPU && t.dtype == dtype));
    }

    // Checked up front: the fused passes index the buffers by these sizes.
    private static void CheckShapes(Tensor input, Tensor kernel, Tensor recurrent, Tensor? bias, int gates, bool pairedBias)
    {
        if (input.dim() != 3 || input.shape[1] == 0)
            throw new ArgumentException($"a recurrent layer needs a (batch, time, features) input with at least one step, got {Shape(input)}", nameof(input));
        long features = input.shape[2], units = recurrent.shape[0], width = gates * units;
        if (kernel.dim() != 2 || kernel.shape[0] != features || kernel.shape[1] != width)
            throw new ArgumentException($"the kernel must be ({features}, {width}), got {Shape(kernel)}", nameof(kernel));
        if (recurrent.dim() != 2 || recurrent.shape[1] != width)
            throw new ArgumentException($"the recurrent kernel must be ({units}, {width}), got {Shape(recurrent)}", nameof(recurrent));
        long[] biasShape = pairedBias ? [2, width] : [width];
        if (bias is not null && !bias.shape.SequenceEqual(biasShape))
            throw new ArgumentException($"the bias must be ({string.Join(", ", biasShape)}), got {Shape(bias)}", nameof(bias));
    }

    private static void CheckMasks(Tensor input, Tensor recurrent, int gates, Tensor? inputMasks, Tensor? recurrentMasks)
    {
        long batch = input.shape[0], features = input.shape[2], units = recurrent.shape[0];
        if (inputMasks is not null && (inputMasks.dim() != 3 || (inputMasks.shape[0] != 1 && inputMasks.shape[0] != gates)
                || inputMasks.shape[1] != batch || inputMasks.shape[2] != features))
            throw new ArgumentException($"the input masks must be (1 or {gates}, {batch}, {features}), got {Shape(inputMasks)}", nameof(inputMasks));
        if (recurrentMasks is not null && !recurrentMasks.shape.SequenceEqual([gates, batch, units]))
            throw new ArgumentException($"the recurrent masks must be ({gates}, {batch}, {units}), got {Shape(recurrentMasks)}", nameof(recurrentMasks));
    }

    private static string Shape(Tensor tensor) => $"({string.Join(", ", tensor.shape)})";
}
