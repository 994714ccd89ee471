namespace ModelDsl.Runtime.Layers;

/// <summary>
/// What Keras' LSTM, GRU and SimpleRNN share: a (batch, time, features) input, kernel (features, gates units),
/// recurrent_kernel (units, gates units) and an optional bias; <c>return_sequences</c>, <c>go_backwards</c> and the
/// training-only <c>dropout</c> (of the inputs) and <c>recurrent_dropout</c> (of the state the recurrent kernel
/// multiplies). As in Keras, each call draws its masks once, for the whole sequence: every step drops the same
/// features and the same units. Keras 3 computes each gate separately when <c>recurrent_dropout</c> is set, and then
/// draws one input mask and one recurrent mask per gate; otherwise one input mask serves every gate.
/// </summary>
public abstract class RecurrentLayer : Layer
{
    private protected RecurrentLayer(string name, int inputFeatures, int units, int gates, bool returnSequences, double dropout,
        double recurrentDropout, bool goBackwards) : base(name)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputFeatures, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(units, 1);
        CheckRate(dropout, nameof(dropout));
        CheckRate(recurrentDropout, nameof(recurrentDropout));
        InputFeatures = inputFeatures;
        Units = units;
        Gates = gates;
        ReturnSequences = returnSequences;
        Dropout = dropout;
        RecurrentDropout = recurrentDropout;
        GoBackwards = goBackwards;
    }

    /// <summary>The features of each input step (the kernel's rows).</summary>
    public int InputFeatures { get; }

    public int Units { get; }

    /// <summary>The gates the kernels concatenate: 4 (LSTM), 3 (GRU), 1 (SimpleRNN).</summary>
    public int Gates { get; }

    public bool ReturnSequences { get; }

    /// <summary>Keras' <c>dropout</c>: the fraction of input features dropped while training.</summary>
    public double Dropout { get; }

    /// <summary>Keras' <c>recurrent_dropout</c>: the fraction of state units dropped before the recurrent product while training.</summary>
    public double RecurrentDropout { get; }

    /// <summary>Keras' <c>go_backwards</c>: the sequence is processed last step first, and a returned sequence is in that order.</summary>
    public bool GoBackwards { get; }

    public Parameter Kernel => Weight("kernel");

    public Parameter RecurrentKernel => Weight("recurrent_kernel");

    public Parameter? Bias => OptionalWeight("bias");

    /// <summary>(batch, time, units) with <see cref="ReturnSequences"/>, else the last processed step's (batch, units).</summary>
    public override Tensor forward(Tensor input)
    {
        if (input.dim() != 3)
            throw new ArgumentException($"{GetType().Name} needs a (batch, time, features) input, got ({string.Join(", ", input.shape)})", nameof(input));
        using var scope = NewDisposeScope();
        var sequence = GoBackwards ? input.flip(1) : input;
        Tensor? inputMasks = null, recurrentMasks = null;
        if (training)
        {
            long batch = input.shape[0];
            if (Dropout > 0)
                inputMasks = DropoutMasks(RecurrentDropout > 0 ? Gates : 1, batch, input.shape[2], Dropout, input);
            if (RecurrentDropout > 0)
                recurrentMasks = DropoutMasks(Gates, batch, Units, RecurrentDropout, input);
        }
        return Run(sequence, inputMasks, recurrentMasks).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The recurrence over <paramref name="input"/> in processing order, through <see cref="RecurrentKernels"/>, with
    /// the call's masks (null: none): input masks (1 or <see cref="Gates"/>, batch, features), recurrent masks
    /// (<see cref="Gates"/>, batch, units).
    /// </summary>
    private protected abstract Tensor Run(Tensor input, Tensor? inputMasks, Tensor? recurrentMasks);

    /// <summary>
    /// ONNX's own LSTM, GRU or RNN op on (time, batch, features), forward; <c>go_backwards</c> reverses the input
    /// first, as this layer does. Dropout is off at inference, so it has no part here.
    /// </summary>
    public override OnnxValue ToOnnx(OnnxGraph graph, OnnxValue input)
    {
        using var scope = NewDisposeScope();
        var form = OnnxForm();
        var activations = form.Activations.Select(a => OnnxActivations.Recurrent(a) ?? throw new NotSupportedException(
            $"ONNX's {form.Op} op has no '{a.KerasName()}' activation; it takes {string.Join(", ", OnnxActivations.RecurrentNames)}")).ToArray();
        if (form.CudaDifferences.Length > 0)
        {
            graph.Warn($"ONNX Runtime's CUDA execution provider runs cuDNN's {form.Op}, which {string.Join(", and ", form.CudaDifferences)}, " +
                       "so its outputs on a GPU differ; the CPU provider computes it as exported");
        }

        var sequence = graph.Transpose(GoBackwards ? graph.Reverse(input, 1) : input, 1, 0, 2);
        OnnxValue[] inputs = [sequence, graph.Weight("W", form.W.unsqueeze(0)), graph.Weight("R", form.R.unsqueeze(0))];
        if (form.B is { } bias)
            inputs = [.. inputs, graph.Weight("B", bias.unsqueeze(0))];
        var alphas = activations.Where(a => a.Alpha is not null).Select(a => a.Alpha!.Value).ToArray();
        var betas = activations.Where(a => a.Beta is not null).Select(a => a.Beta!.Value).ToArray();
        OnnxAttribute[] attributes =
        [
            OnnxAttribute.Int("hidden_size", Units),
            OnnxAttribute.Strings("activations", activations.Select(a => a.Name).ToArray()),
            .. alphas.Length > 0 ? [OnnxAttribute.Floats("activation_alpha", alphas)] : Array.Empty<OnnxAttribute>(),
            .. betas.Length > 0 ? [OnnxAttribute.Floats("activation_beta", betas)] : Array.Empty<OnnxAttribute>(),
            .. form.Attributes,
        ];
        var outputs = graph.Nodes(form.Op, 2, inputs, attributes);
        // Y is (time, directions, batch, units) and Y_h (directions, batch, units), with one direction.
        return ReturnSequences
            ? graph.Transpose(graph.Squeeze(outputs[0], 1), 1, 0, 2)
            : graph.Squeeze(outputs[1], 0);
    }

    /// <summary>This layer's ONNX op, its weights in ONNX's layout (W, R, and B or null) and its activations in the op's order.</summary>
    private protected abstract OnnxRecurrentForm OnnxForm();

    /// <summary>What cuDNN's fixed modes change where this layer's activations differ from <paramref name="modes"/>' (Keras' defaults).</summary>
    private protected static string[] CudaActivationDifferences(params (string Argument, Activation Value, Activation[] Modes)[] modes) =>
        modes.Where(m => !m.Modes.Contains(m.Value))
            .Select(m => $"ignores the op's activations and has no {m.Argument}: {m.Value.KerasName()}")
            .ToArray();

    /// <summary>ONNX's (gates x units, inputs) layout of a Keras (inputs, gates x units) kernel, the gates reordered by <paramref name="order"/>.</summary>
    private protected static Tensor OnnxGates(Tensor kernel, int gates, params int[] order) => Reordered(kernel.detach().t(), gates, order);

    /// <summary>ONNX's B: the input bias (gates reordered) followed by the recurrent bias (zero where Keras has one bias).</summary>
    private protected static Tensor? OnnxBias(Tensor? inputBias, Tensor? recurrentBias, int gates, params int[] order) =>
        inputBias is null
            ? null
            : cat([Reordered(inputBias.detach(), gates, order), recurrentBias is null ? zeros_like(inputBias) : Reordered(recurrentBias.detach(), gates, order)], 0);

    // The first axis's gates, in the order given.
    private static Tensor Reordered(Tensor gated, int gates, int[] order)
    {
        var chunks = gated.chunk(gates, 0);
        return cat(order.Select(g => chunks[g]).ToArray(), 0);
    }

    // Keras' masks: dropout applied to ones, so each entry is 0 or 1 / (1 - rate).
    private static Tensor DropoutMasks(int count, long batch, long width, double rate, Tensor like) =>
        nn.functional.dropout(ones([count, batch, width], like.dtype, like.device), rate, training: true);

    private static void CheckRate(double rate, string name)
    {
        if (rate is < 0 or >= 1 || double.IsNaN(rate))
            throw new ArgumentOutOfRangeException(name, rate, "a dropout rate must be in [0, 1)");
    }
}

/// <summary>What a recurrent layer becomes in ONNX: the op, its weights in ONNX's layout, activations and other attributes.</summary>
internal sealed record OnnxRecurrentForm(string Op, Tensor W, Tensor R, Tensor? B, Activation[] Activations, OnnxAttribute[] Attributes)
{
    /// <summary>How ONNX Runtime's CUDA provider computes the op otherwise (it runs cuDNN's kernels); empty where it does not.</summary>
    public string[] CudaDifferences { get; init; } = [];
}
