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

    // Keras' masks: dropout applied to ones, so each entry is 0 or 1 / (1 - rate).
    private static Tensor DropoutMasks(int count, long batch, long width, double rate, Tensor like) =>
        nn.functional.dropout(ones([count, batch, width], like.dtype, like.device), rate, training: true);

    private static void CheckRate(double rate, string name)
    {
        if (rate is < 0 or >= 1 || double.IsNaN(rate))
            throw new ArgumentOutOfRangeException(name, rate, "a dropout rate must be in [0, 1)");
    }
}
