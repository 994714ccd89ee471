namespace ModelDsl.Spec;

/// <summary>
/// What Keras' LSTM, GRU and SimpleRNN share: (time, features) in, the last step's output or every step's out, and
/// gates × (units × (features + units) + bias) parameters: one kernel, one recurrent kernel and the biases per gate.
/// </summary>
public abstract class RecurrentLayer : LayerKind
{
    private static readonly string[] RecurrentUnsupported =
    {
        "recurrent_constraint", "return_state", "stateful", "unroll", "time_major", "seed",
    };

    public static readonly IntArgument Units = CommonArguments.Units();
    public static readonly ActivationArgument Activation = CommonArguments.Activation("tanh");
    public static readonly ActivationArgument RecurrentActivation = new("recurrent_activation", "The activation of the gates.", "sigmoid");
    public static readonly BoolArgument UseBias = CommonArguments.UseBias();
    public static readonly InitializerArgument KernelInitializer = CommonArguments.KernelInitializer();
    public static readonly InitializerArgument RecurrentInitializer = new("recurrent_initializer", "How the recurrent kernel is initialised.", CommonArguments.Orthogonal);
    public static readonly InitializerArgument BiasInitializer = CommonArguments.BiasInitializer();
    public static readonly RegularizerArgument KernelRegularizer = CommonArguments.KernelRegularizer();
    public static readonly RegularizerArgument RecurrentRegularizer = new("recurrent_regularizer", "A penalty on the recurrent kernel, added to the loss.");
    public static readonly RegularizerArgument BiasRegularizer = CommonArguments.BiasRegularizer();
    public static readonly BoolArgument ReturnSequences = new("return_sequences", "Whether to return every step's output, not only the last one.", false);
    public static readonly DoubleArgument Dropout = new("dropout", "The fraction of the inputs dropped while training, one mask per sequence.", 0, r => r >= 0 && r < 1,
        "a number at least 0 and less than 1");
    public static readonly DoubleArgument RecurrentDropout = new("recurrent_dropout", "The fraction of the recurrent state dropped while training, one mask per sequence.", 0,
        r => r >= 0 && r < 1, "a number at least 0 and less than 1");
    public static readonly BoolArgument GoBackwards = new("go_backwards", "Whether to process the sequence backwards (and return it in that order).", false);

    public override Argument Shorthand => Units;

    public override IReadOnlyList<string> Unsupported { get; } = WeightUnsupported.Concat(RecurrentUnsupported).Concat(LayerUnsupported).ToArray();

    public override string UnsupportedHint(string argument) => CommonArguments.UnsupportedHint(argument);

    public override bool IsRecurrent => true;

    public override ActivationArgument OutputActivation => Activation;

    public override IntArgument Width => Units;

    public override IReadOnlyList<object> RuntimeSizes(LayerSpec layer) => InputFeatures(layer);

    /// <summary>How many gates share the kernels' columns: 4 for an LSTM, 3 for a GRU, 1 for a SimpleRNN.</summary>
    protected abstract int Gates { get; }

    /// <summary>The bias values per unit and gate.</summary>
    protected virtual long BiasPerUnit(LayerConfig config) => UseBias.Of(config) ? 1 : 0;

    internal override bool Infer(ShapeContext shapes)
    {
        if (!shapes.NeedsSequence())
        {
            return false;
        }

        var units = shapes.Get(Units);
        var parameters = checked(Gates * (((long)units * (shapes.Input[1] + (long)units)) + (BiasPerUnit(shapes.Config) * units)));
        shapes.Output(shapes.Get(ReturnSequences) ? new[] { shapes.Input[0], units } : new[] { units }, parameters);
        return true;
    }
}

/// <summary>Keras' LSTM: gates i, f, c, o and one bias; <c>unit_forget_bias</c> starts the forget gate's bias at 1.</summary>
public sealed class LstmLayer : RecurrentLayer
{
    public override LayerExample Example { get; } = new("[6, 3]", "- lstm: {units: 4, return_sequences: true}");

    public static readonly BoolArgument UnitForgetBias = new("unit_forget_bias", "Whether the forget gate's bias starts at 1.", true);

    public override string Name => "lstm";

    public override string KerasClass => "LSTM";

    public override string Summary => "A long short-term memory layer (Keras' LSTM).";

    public override IReadOnlyList<Argument> Arguments { get; } = new Argument[]
    {
        Units, Activation, RecurrentActivation, UseBias, KernelInitializer, RecurrentInitializer, BiasInitializer, UnitForgetBias, KernelRegularizer, RecurrentRegularizer,
        BiasRegularizer, CommonArguments.ActivityRegularizer, Dropout, RecurrentDropout,
        ReturnSequences, GoBackwards,
    };

    protected override int Gates => 4;
}

/// <summary>Keras' GRU; <c>reset_after</c> (Keras' and cuDNN's default) keeps a second bias for the recurrent kernel.</summary>
public sealed class GruLayer : RecurrentLayer
{
    public override LayerExample Example { get; } = new("[6, 3]", "- gru: 4");

    public static readonly BoolArgument ResetAfter = new("reset_after", "Whether the reset gate applies after the recurrent product (Keras 2.x and cuDNN).", true);

    public override string Name => "gru";

    public override string KerasClass => "GRU";

    public override string Summary => "A gated recurrent unit layer (Keras' GRU).";

    public override IReadOnlyList<Argument> Arguments { get; } = new Argument[]
    {
        Units, Activation, RecurrentActivation, UseBias, KernelInitializer, RecurrentInitializer, BiasInitializer, KernelRegularizer, RecurrentRegularizer,
        BiasRegularizer, CommonArguments.ActivityRegularizer, Dropout, RecurrentDropout, ReturnSequences, GoBackwards, ResetAfter,
    };

    protected override int Gates => 3;

    protected override long BiasPerUnit(LayerConfig config) => UseBias.Of(config) ? (ResetAfter.Of(config) ? 2 : 1) : 0;
}

/// <summary>Keras' SimpleRNN: h = activation(x W + h U + b).</summary>
public sealed class SimpleRnnLayer : RecurrentLayer
{
    public override LayerExample Example { get; } = new("[6, 3]", "- simple_rnn: {units: 4, activation: relu}");

    public override string Name => "simple_rnn";

    public override string KerasClass => "SimpleRNN";

    public override string Summary => "A fully connected recurrent layer (Keras' SimpleRNN).";

    public override IReadOnlyList<Argument> Arguments { get; } = new Argument[]
    {
        Units, Activation, UseBias, KernelInitializer, RecurrentInitializer, BiasInitializer, KernelRegularizer, RecurrentRegularizer, BiasRegularizer,
        CommonArguments.ActivityRegularizer, Dropout, RecurrentDropout, ReturnSequences, GoBackwards,
    };

    protected override int Gates => 1;
}
