using ModelDsl.Runtime.Layers;
using static ModelDsl.Runtime.Tests.Wrappers.WrapperAssert;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Tests.Wrappers;

/// <summary>
/// Keras' <c>dropout</c> and <c>recurrent_dropout</c> on LSTM, GRU and SimpleRNN: training only, masks drawn once per
/// call and the same at every step, one per gate when recurrent dropout is on (Keras 3), each entry 0 or 1 / (1 - rate);
/// which path (fused node or cell loop) each case takes. The masks come from the shared generator, so these run alone.
/// </summary>
[Collection(NativeGlobalState.Name)]
public class RecurrentDropoutTests
{
    private const int Batch = 3, Time = 6, Features = 4, Units = 5, Seed = 3;

    public enum Kind { Lstm, GruResetAfter, GruResetBefore, SimpleRnn }

    private static RecurrentLayer Create(Kind kind, double dropout, double recurrentDropout, bool returnSequences = true, bool goBackwards = false)
    {
        // The same seed gives the same weights, whatever the rates.
        manual_seed(Seed);
        return kind switch
        {
            Kind.Lstm => new Lstm(Features, Units, returnSequences: returnSequences, dropout: dropout, recurrentDropout: recurrentDropout,
                goBackwards: goBackwards),
            Kind.GruResetAfter => new Gru(Features, Units, returnSequences: returnSequences, dropout: dropout, recurrentDropout: recurrentDropout,
                goBackwards: goBackwards),
            Kind.GruResetBefore => new Gru(Features, Units, returnSequences: returnSequences, resetAfter: false, dropout: dropout,
                recurrentDropout: recurrentDropout, goBackwards: goBackwards),
            _ => new SimpleRnn(Features, Units, returnSequences: returnSequences, dropout: dropout, recurrentDropout: recurrentDropout,
                goBackwards: goBackwards),
        };
    }

    private static Tensor Input() => rand(new long[] { Batch, Time, Features }, generator: new Generator(5)) * 2 - 1;

    // What the layer draws, in its order: the input masks, then the recurrent ones.
    private static (Tensor? Input, Tensor? Recurrent) Masks(int inputCount, double dropout, int recurrentCount, double recurrentDropout)
    {
        manual_seed(Seed + 1);
        var input = dropout > 0 ? nn.functional.dropout(ones(inputCount, Batch, Features), dropout, training: true) : null;
        var recurrent = recurrentDropout > 0 ? nn.functional.dropout(ones(recurrentCount, Batch, Units), recurrentDropout, training: true) : null;
        return (input, recurrent);
    }

    private static Tensor TrainingForward(RecurrentLayer layer, Tensor input)
    {
        layer.train();
        manual_seed(Seed + 1);
        return layer.forward(input);
    }

    [Theory]
    [InlineData(Kind.Lstm)]
    [InlineData(Kind.GruResetAfter)]
    [InlineData(Kind.GruResetBefore)]
    [InlineData(Kind.SimpleRnn)]
    public void EvaluationIgnoresBothDropouts(Kind kind)
    {
        using var scope = NewDisposeScope();
        using var plain = Create(kind, 0, 0);
        using var dropped = Create(kind, 0.5, 0.5);
        plain.eval();
        dropped.eval();
        var input = Input();
        Close(plain.forward(input), dropped.forward(input), 0);
    }

    [Theory]
    [InlineData(Kind.Lstm)]
    [InlineData(Kind.GruResetAfter)]
    [InlineData(Kind.SimpleRnn)]
    public void TrainingDrawsNewMasksEachCallAndTheSeedRepeatsThem(Kind kind)
    {
        using var scope = NewDisposeScope();
        using var layer = Create(kind, 0.4, 0.4);
        var input = Input();
        var first = TrainingForward(layer, input);
        var again = TrainingForward(layer, input);
        Close(first, again, 0);
        var next = layer.forward(input);
        Assert.NotEqual(Values(first), Values(next));
        layer.eval();
        Assert.NotEqual(Values(first), Values(layer.forward(input)));
    }

    /// <summary>Input dropout alone: the layer in training is the evaluated layer on the input times one mask, the same at every step.</summary>
    [Theory]
    [InlineData(Kind.Lstm)]
    [InlineData(Kind.GruResetAfter)]
    [InlineData(Kind.GruResetBefore)]
    [InlineData(Kind.SimpleRnn)]
    public void InputDropoutIsOneMaskForTheWholeSequence(Kind kind)
    {
        using var scope = NewDisposeScope();
        const double Rate = 0.5;
        using var layer = Create(kind, Rate, 0);
        var input = Input();
        var trained = TrainingForward(layer, input);
        var mask = Masks(1, Rate, 0, 0).Input!;
        var kept = Values(mask);
        Assert.All(kept, m => Assert.True(m == 0 || Math.Abs(m - 1 / (1 - Rate)) < 1e-6, $"mask entry {m}"));
        Assert.Contains(0.0, kept);
        layer.eval();
        Close(layer.forward(input * mask[0].unsqueeze(1)), trained, 1e-5);
    }

    /// <summary>
    /// Recurrent dropout: Keras 3's per-gate cell (implementation 1), written here with TorchSharp ops: each gate sees
    /// the input through its own mask and h_{t-1} through its own mask; c and the h a GRU mixes in are not masked.
    /// </summary>
    [Theory]
    [InlineData(Kind.Lstm, 0.0)]
    [InlineData(Kind.Lstm, 0.3)]
    [InlineData(Kind.GruResetAfter, 0.3)]
    [InlineData(Kind.GruResetBefore, 0.3)]
    [InlineData(Kind.SimpleRnn, 0.3)]
    public void RecurrentDropoutMasksEachGatesStateOncePerSequence(Kind kind, double dropout)
    {
        using var scope = NewDisposeScope();
        const double RecurrentRate = 0.4;
        using var layer = Create(kind, dropout, RecurrentRate);
        var input = Input();
        var trained = TrainingForward(layer, input);
        Assert.Equal(kind switch { Kind.Lstm => 4, Kind.SimpleRnn => 1, _ => 3 }, layer.Gates);
        var (inputMasks, recurrentMasks) = Masks(layer.Gates, dropout, layer.Gates, RecurrentRate);
        Close(PerGateCell(layer, kind, input, inputMasks, recurrentMasks!), trained, 1e-5);
    }

    private static Tensor PerGateCell(RecurrentLayer layer, Kind kind, Tensor input, Tensor? inputMasks, Tensor recurrentMasks)
    {
        Tensor K(int g) => layer.Kernel.narrow(1, g * Units, Units);
        Tensor U(int g) => layer.RecurrentKernel.narrow(1, g * Units, Units);
        var bias = layer.Bias!;
        Tensor InputBias(int g) => (kind == Kind.GruResetAfter ? bias[0] : bias).narrow(0, g * Units, Units);
        Tensor X(Tensor x, int g) => (inputMasks is null ? x : x * inputMasks[g]).mm(K(g)) + InputBias(g);
        Tensor H(Tensor h, int g) => (h * recurrentMasks[g]).mm(U(g));
        var h = zeros(Batch, Units);
        var c = zeros(Batch, Units);
        var outputs = new List<Tensor>();
        for (int t = 0; t < Time; t++)
        {
            var x = input.select(1, t);
            switch (kind)
            {
                case Kind.Lstm:
                    var i = (X(x, 0) + H(h, 0)).sigmoid();
                    var f = (X(x, 1) + H(h, 1)).sigmoid();
                    c = f * c + i * (X(x, 2) + H(h, 2)).tanh();
                    h = (X(x, 3) + H(h, 3)).sigmoid() * c.tanh();
                    break;
                case Kind.GruResetAfter:
                    Tensor RecurrentBias(int g) => bias[1].narrow(0, g * Units, Units);
                    var z = (X(x, 0) + H(h, 0) + RecurrentBias(0)).sigmoid();
                    var r = (X(x, 1) + H(h, 1) + RecurrentBias(1)).sigmoid();
                    var n = (X(x, 2) + r * (H(h, 2) + RecurrentBias(2))).tanh();
                    h = z * h + (1 - z) * n;
                    break;
                case Kind.GruResetBefore:
                    var zb = (X(x, 0) + H(h, 0)).sigmoid();
                    var rb = (X(x, 1) + H(h, 1)).sigmoid();
                    var nb = (X(x, 2) + H(rb * h, 2)).tanh();
                    h = zb * h + (1 - zb) * nb;
                    break;
                default:
                    h = (X(x, 0) + H(h, 0)).tanh();
                    break;
            }
            outputs.Add(h);
        }
        return stack(outputs, 1);
    }

    [Fact]
    public void GoingBackwardsMasksTheSameFeaturesAndUnits()
    {
        // Masks are per sequence, so processing order does not change them: backwards on x is forwards on flipped x.
        using var scope = NewDisposeScope();
        using var backwards = Create(Kind.Lstm, 0.3, 0.4, goBackwards: true);
        using var forwards = Create(Kind.Lstm, 0.3, 0.4);
        var input = Input();
        Close(TrainingForward(forwards, input.flip(1)), TrainingForward(backwards, input), 1e-6);
    }

    public static TheoryData<Kind, double, double, bool, bool> Paths() => new()
    {
        { Kind.Lstm, 0, 0, true, true },
        { Kind.Lstm, 0.3, 0, true, true },          // input dropout: the masked input goes into the node
        { Kind.Lstm, 0.3, 0.3, true, false },       // recurrent dropout in training: the per-gate cell loop
        { Kind.Lstm, 0.3, 0.3, false, true },       // evaluation: no masks, the node
        { Kind.GruResetAfter, 0, 0, true, true },
        { Kind.GruResetAfter, 0, 0.3, true, false },
        { Kind.GruResetBefore, 0.3, 0.3, false, true },
        { Kind.SimpleRnn, 0.3, 0, true, true },
        { Kind.SimpleRnn, 0, 0.3, true, false },
    };

    [Theory]
    [MemberData(nameof(Paths))]
    public void OnlyRecurrentDropoutWhileTrainingLeavesTheFusedNode(Kind kind, double dropout, double recurrentDropout, bool training, bool fused)
    {
        using var scope = NewDisposeScope();
        using var layer = Create(kind, dropout, recurrentDropout);
        layer.train(training);
        var input = Input().requires_grad_();
        long made = TensorsMadeByBackward(layer.forward(input));
        Assert.True(fused ? made >= Time : made == 0, $"the backward made {made} tensors");
        Assert.NotNull(input.grad);
    }

    [Theory]
    [InlineData(1.0, 0.0, "dropout")]
    [InlineData(-0.1, 0.0, "dropout")]
    [InlineData(0.0, 1.0, "recurrentDropout")]
    [InlineData(0.0, double.NaN, "recurrentDropout")]
    public void RatesOutsideZeroToOneAreRejected(double dropout, double recurrentDropout, string parameter)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Gru(Features, Units, dropout: dropout, recurrentDropout: recurrentDropout));
        Assert.Equal(parameter, error.ParamName);
    }

    [Fact]
    public void RecurrentLayersRejectAnInputWithoutATimeAxis()
    {
        using var layer = new SimpleRnn(Features, Units, goBackwards: true);
        var error = Assert.Throws<ArgumentException>(() => layer.forward(zeros(Batch, Features)));
        Assert.Contains($"({Batch}, {Features})", error.Message);
    }
}
