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

    /// <summary>ONNX's operator for the layer: <see cref="OnnxForms.LstmOp"/>, <see cref="OnnxForms.GruOp"/> or <see cref="OnnxForms.RnnOp"/>.</summary>
    public abstract string OnnxOp { get; }

    /// <summary>The activations the cell applies: activation, then recurrent_activation (the gates') where it has gates.</summary>
    protected virtual IReadOnlyList<ActivationArgument> ActivationArguments => GatedActivations;

    private static readonly ActivationArgument[] GatedActivations = { Activation, RecurrentActivation };

    /// <summary>Each activation ONNX's recurrent operators do not take (gelu, swish, selu, softmax, exponential).</summary>
    public override IEnumerable<OnnxProblem> OnnxProblems(LayerConfig config) =>
        ActivationArguments
            .Where(a => OnnxForms.RecurrentActivationOp(a.Of(config)) == null)
            .Select(a => new OnnxProblem(a.Name, a.Of(config), OnnxOp, OnnxForms.RecurrentActivations.ToEquatableArray()));

    public override string? OnnxCudaDifference(LayerConfig config)
    {
        var differences = CudaDifferences(config).ToList();
        return differences.Count == 0 ? null : string.Join(", and ", differences);
    }

    /// <summary>
    /// Each way the cuDNN kernel ONNX Runtime's CUDA provider runs for the operator departs from this configuration.
    /// cuDNN's LSTM and GRU have fixed sigmoid gates and tanh, which are Keras' defaults; the provider ignores the
    /// operator's <c>activations</c>.
    /// </summary>
    protected virtual IEnumerable<string> CudaDifferences(LayerConfig config)
    {
        var changed = ActivationArguments.Where(a => a.Of(config) != a.DefaultValue).Select(a => $"{a.Name}: {a.Of(config)}").ToList();
        if (changed.Count > 0)
        {
            yield return $"ignores the {OnnxOp} op's activations attribute and runs cuDNN's fixed sigmoid and tanh instead of {string.Join(" and ", changed)}";
        }
    }

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

    public override string OnnxOp => OnnxForms.LstmOp;

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

    public override string OnnxOp => OnnxForms.GruOp;

    protected override int Gates => 3;

    /// <summary>cuDNN's GRU applies the reset gate after the recurrent product: ONNX Runtime's CUDA provider ignores <c>linear_before_reset: 0</c>.</summary>
    protected override IEnumerable<string> CudaDifferences(LayerConfig config)
    {
        foreach (var difference in base.CudaDifferences(config))
        {
            yield return difference;
        }

        if (!ResetAfter.Of(config))
        {
            yield return "ignores the GRU op's linear_before_reset: 0 and runs cuDNN's GRU, which applies the reset gate after the recurrent product, instead of reset_after: false";
        }
    }

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

    public override string OnnxOp => OnnxForms.RnnOp;

    protected override int Gates => 1;

    protected override IReadOnlyList<ActivationArgument> ActivationArguments => SingleActivation;

    private static readonly ActivationArgument[] SingleActivation = { Activation };

    /// <summary>cuDNN has a tanh and a relu RNN, and ONNX Runtime's CUDA provider picks between them by the activation; it has no other.</summary>
    protected override IEnumerable<string> CudaDifferences(LayerConfig config)
    {
        var activation = Activation.Of(config);
        if (activation is not ("tanh" or "relu"))
        {
            yield return $"runs only cuDNN's tanh and relu RNN modes, not activation: {activation}";
        }
    }
}
