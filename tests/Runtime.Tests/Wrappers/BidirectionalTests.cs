using ModelDsl.Runtime.Layers;
using static ModelDsl.Runtime.Tests.Wrappers.WrapperAssert;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Tests.Wrappers;

/// <summary>
/// Keras' go_backwards and Bidirectional: forwards by hand on a one-unit SimpleRNN, against two separately run layers,
/// shapes, parameter counts (Keras' printed summaries), submodule and weight names, and misuse. Layers with equal
/// weights come from reseeding the shared generator, so these run alone.
/// </summary>
[Collection(NativeGlobalState.Name)]
public class BidirectionalTests
{
    private const int Batch = 2, Time = 5, Features = 3, Units = 4;

    public enum Kind { Lstm, Gru, SimpleRnn }

    private static RecurrentLayer Create(Kind kind, bool returnSequences, bool goBackwards, int units = Units) => kind switch
    {
        Kind.Lstm => new Lstm(Features, units, returnSequences: returnSequences, goBackwards: goBackwards),
        Kind.Gru => new Gru(Features, units, returnSequences: returnSequences, goBackwards: goBackwards),
        _ => new SimpleRnn(Features, units, returnSequences: returnSequences, goBackwards: goBackwards),
    };

    private static Tensor Input() => rand(new long[] { Batch, Time, Features }, generator: new Generator(9)) * 2 - 1;

    // A one-unit linear SimpleRNN: h_t = 0.5 x_t + 0.8 h_{t-1} + 0.1.
    private static SimpleRnn Tiny(bool returnSequences, bool goBackwards)
    {
        var rnn = new SimpleRnn(1, 1, Activation.Linear, returnSequences, goBackwards: goBackwards);
        using var noGrad = no_grad();
        rnn.Kernel.fill_(0.5);
        rnn.RecurrentKernel.fill_(0.8);
        rnn.Bias!.fill_(0.1);
        return rnn;
    }

    private static readonly Tensor TinyInput = tensor(new[] { 1.0f, 2.0f, 3.0f }, [1, 3, 1]);

    [Fact]
    public void GoingBackwardsReadsTheLastStepFirstAndReturnsTheStepsInThatOrder()
    {
        using var rnn = Tiny(returnSequences: true, goBackwards: true);
        // Steps 3, 2, 1: 0.5*3 + 0.1 = 1.6; 0.5*2 + 0.1 + 0.8*1.6 = 2.38; 0.5*1 + 0.1 + 0.8*2.38 = 2.504.
        Close(tensor(new[] { 1.6f, 2.38f, 2.504f }, [1, 3, 1]), rnn.forward(TinyInput), 1e-6);
        using var last = Tiny(returnSequences: false, goBackwards: true);
        Close(tensor(new[] { 2.504f }, [1, 1]), last.forward(TinyInput), 1e-6);
    }

    [Theory]
    [InlineData("concat", new[] { 0.6f, 2.504f, 1.58f, 2.38f, 2.864f, 1.6f }, 2)]
    [InlineData("sum", new[] { 3.104f, 3.96f, 4.464f }, 1)]
    [InlineData("mul", new[] { 0.6f * 2.504f, 1.58f * 2.38f, 2.864f * 1.6f }, 1)]
    [InlineData("ave", new[] { 1.552f, 1.98f, 2.232f }, 1)]
    public void TinyBidirectionalMergesForwardAndFlippedBackward(string mergeMode, float[] expected, int width)
    {
        // Forwards: 0.6, 1.58, 2.864. Backwards, flipped back into input order: 2.504, 2.38, 1.6.
        using var bidirectional = new Bidirectional(Tiny(true, false), Tiny(true, true), mergeMode);
        Close(tensor(expected, [1, 3, width]), bidirectional.forward(TinyInput), 1e-6);
    }

    [Fact]
    public void TinyBidirectionalWithoutSequencesMergesTheLastProcessedSteps()
    {
        using var bidirectional = new Bidirectional(Tiny(false, false), Tiny(false, true));
        Close(tensor(new[] { 2.864f, 2.504f }, [1, 2]), bidirectional.forward(TinyInput), 1e-6);
    }

    public static TheoryData<Kind, string, bool> Cases()
    {
        var cases = new TheoryData<Kind, string, bool>();
        foreach (var kind in Enum.GetValues<Kind>())
            foreach (var mergeMode in Bidirectional.MergeModes)
                foreach (var returnSequences in new[] { true, false })
                    cases.Add(kind, mergeMode, returnSequences);
        return cases;
    }

    /// <summary>The wrapper against its two layers' twins run separately: the backward twin reads the flipped input.</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesTwoSeparatelyRunLayers(Kind kind, string mergeMode, bool returnSequences)
    {
        using var scope = NewDisposeScope();
        manual_seed(21);
        using var bidirectional = new Bidirectional(Create(kind, returnSequences, false), Create(kind, returnSequences, true), mergeMode);
        manual_seed(21);
        using var forward = Create(kind, returnSequences, false);
        using var backward = Create(kind, returnSequences, false);
        Close(bidirectional.BackwardLayer.Kernel, backward.Kernel, 0);
        var input = Input();

        var y = forward.forward(input);
        var yBackward = backward.forward(input.flip(1));
        if (returnSequences)
            yBackward = yBackward.flip(1);
        var expected = mergeMode switch
        {
            "concat" => cat([y, yBackward], -1),
            "sum" => y + yBackward,
            "mul" => y * yBackward,
            _ => (y + yBackward) / 2,
        };
        var actual = bidirectional.forward(input);
        long width = mergeMode == "concat" ? 2 * Units : Units;
        Assert.Equal(returnSequences ? [Batch, Time, width] : new long[] { Batch, width }, actual.shape);
        Assert.Equal(width, bidirectional.Units);
        Close(expected, actual, 1e-6);
    }

    [Fact]
    public void ParameterCountsAreTwiceTheWrappedLayersAsKerasPrintsThem()
    {
        // keras-io's bidirectional LSTM on IMDB: Embedding(20000, 128), then two Bidirectional(LSTM(64)), 98,816 each.
        using var first = new Bidirectional(new Lstm(128, 64, returnSequences: true), new Lstm(128, 64, returnSequences: true, goBackwards: true));
        Assert.Equal(98_816, first.WeightCount);
        Assert.Equal(128, first.Units);
        using var gru = new Bidirectional(new Gru(16, 32), new Gru(16, 32, goBackwards: true), "sum");
        Assert.Equal(2 * 3 * 32 * (16 + 32 + 2), gru.WeightCount);
        Assert.Equal(32, gru.Units);
        using var rnn = new SimpleRnn(16, 8);
        using var pair = new Bidirectional(new SimpleRnn(16, 8), new SimpleRnn(16, 8, goBackwards: true));
        Assert.Equal(2 * rnn.WeightCount, pair.WeightCount);
        Assert.Equal(pair.parameters().Sum(p => p.numel()), pair.WeightCount);
    }

    [Fact]
    public void SubmodulesAndWeightsAreNamedAsKerasNamesThem()
    {
        using var lstm = new Bidirectional(new Lstm(Features, Units), new Lstm(Features, Units, goBackwards: true));
        string[] expected =
        [
            "forward_lstm.kernel", "forward_lstm.recurrent_kernel", "forward_lstm.bias",
            "backward_lstm.kernel", "backward_lstm.recurrent_kernel", "backward_lstm.bias",
        ];
        Assert.Equal(expected, lstm.named_parameters().Select(p => p.name));
        Assert.Equal(expected, lstm.Weights().Select(w => w.Name));
        Assert.Equal(expected, lstm.state_dict().Keys);
        Assert.Equal(["forward_lstm", "backward_lstm"], lstm.named_children().Select(c => c.name));

        using var named = new Bidirectional(new Gru(Features, Units), new Gru(Features, Units, goBackwards: true), layerName: "gru_3");
        Assert.Equal(["forward_gru_3", "backward_gru_3"], named.named_children().Select(c => c.name));
        using var rnn = new Bidirectional(new SimpleRnn(Features, Units), new SimpleRnn(Features, Units, goBackwards: true));
        Assert.Equal("simple_rnn", rnn.LayerName);
        Assert.Equal("backward_simple_rnn.bias", rnn.named_parameters().Last().name);
    }

    [Fact]
    public void TrainAndEvalReachBothLayers()
    {
        using var bidirectional = new Bidirectional(new Lstm(Features, Units, dropout: 0.5), new Lstm(Features, Units, dropout: 0.5, goBackwards: true));
        bidirectional.eval();
        Assert.False(bidirectional.ForwardLayer.training);
        Assert.False(bidirectional.BackwardLayer.training);
        var input = Input();
        Close(bidirectional.forward(input), bidirectional.forward(input), 0);
        bidirectional.train();
        Assert.True(bidirectional.BackwardLayer.training);
        Assert.NotEqual(Values(bidirectional.forward(input)), Values(bidirectional.forward(input)));
    }

    [Fact]
    public void ConcatAllowsABackwardLayerOfOtherUnits()
    {
        using var bidirectional = new Bidirectional(new Gru(Features, Units), new Gru(Features, 2, goBackwards: true));
        Assert.Equal(Units + 2, bidirectional.Units);
        Assert.Equal([Batch, Units + 2], bidirectional.forward(Input()).shape);
    }

    [Fact]
    public void MisuseIsRejectedWithTheArgumentAndTheFix()
    {
        var error = Assert.Throws<ArgumentException>(() => new Bidirectional(new Lstm(3, 4), new Lstm(3, 4, goBackwards: true), "cat"));
        Assert.Equal("mergeMode", error.ParamName);
        Assert.Contains("'cat'", error.Message);
        Assert.Contains("concat", error.Message);

        error = Assert.Throws<ArgumentException>(() => new Bidirectional(new Lstm(3, 4), new Lstm(3, 4)));
        Assert.Equal("backwardLayer", error.ParamName);
        Assert.Contains("go_backwards", error.Message);

        error = Assert.Throws<ArgumentException>(() => new Bidirectional(new Lstm(3, 4, returnSequences: true), new Lstm(3, 4, goBackwards: true)));
        Assert.Contains("return_sequences", error.Message);

        error = Assert.Throws<ArgumentException>(() => new Bidirectional(new Lstm(3, 4), new Lstm(5, 4, goBackwards: true)));
        Assert.Contains("features", error.Message);

        error = Assert.Throws<ArgumentException>(() => new Bidirectional(new Lstm(3, 4), new Lstm(3, 2, goBackwards: true), "sum"));
        Assert.Contains("units", error.Message);
    }
}
