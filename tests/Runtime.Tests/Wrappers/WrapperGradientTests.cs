using ModelDsl.Runtime.Layers;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Tests.Wrappers;

/// <summary>
/// Finite-difference gradient checks (<see cref="GradientTests.CheckGradients"/>) of go_backwards, the wrappers and the
/// recurrent dropouts. The dropout checks reseed the shared generator before each forward pass, so that every pass
/// draws the same masks: they run alone.
/// </summary>
[Collection(NativeGlobalState.Name)]
public class WrapperGradientTests
{
    private const int Seed = 11;

    private static void Reseed() => manual_seed(Seed);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void LstmGoingBackwards(bool returnSequences) =>
        GradientTests.CheckGradients(new Lstm(3, 4, returnSequences: returnSequences, goBackwards: true), [2, 5, 3]);

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, false)]
    public void GruGoingBackwards(bool resetAfter, bool returnSequences) =>
        GradientTests.CheckGradients(new Gru(3, 4, returnSequences: returnSequences, resetAfter: resetAfter, goBackwards: true), [2, 5, 3]);

    [Fact]
    public void SimpleRnnGoingBackwards() => GradientTests.CheckGradients(new SimpleRnn(3, 4, returnSequences: true, goBackwards: true), [2, 5, 3]);

    [Theory]
    [InlineData("concat", true)]
    [InlineData("concat", false)]
    [InlineData("sum", true)]
    [InlineData("mul", false)]
    [InlineData("ave", true)]
    public void BidirectionalLstm(string mergeMode, bool returnSequences) =>
        GradientTests.CheckGradients(new Bidirectional(new Lstm(3, 4, returnSequences: returnSequences),
            new Lstm(3, 4, returnSequences: returnSequences, goBackwards: true), mergeMode), [2, 5, 3]);

    [Theory]
    [InlineData("concat", true)]
    [InlineData("mul", false)]
    public void BidirectionalGru(string mergeMode, bool resetAfter) =>
        GradientTests.CheckGradients(new Bidirectional(new Gru(3, 4, returnSequences: true, resetAfter: resetAfter),
            new Gru(3, 4, returnSequences: true, resetAfter: resetAfter, goBackwards: true), mergeMode), [2, 5, 3]);

    [Fact]
    public void BidirectionalSimpleRnn() =>
        GradientTests.CheckGradients(new Bidirectional(new SimpleRnn(3, 4), new SimpleRnn(3, 4, goBackwards: true), "sum"), [2, 5, 3]);

    [Fact]
    public void TimeDistributedDense() => GradientTests.CheckGradients(new TimeDistributed(new Dense(5, 4, Activation.Tanh)), [2, 3, 5]);

    [Fact]
    public void TimeDistributedConv1D() =>
        GradientTests.CheckGradients(new TimeDistributed(new Conv1D(2, 3, 3, padding: "same", activation: Activation.Sigmoid)), [2, 3, 5, 2]);

    [Fact]
    public void TimeDistributedDenseOverImages() => GradientTests.CheckGradients(new TimeDistributed(new Dense(2, 3, Activation.Tanh)), [2, 3, 4, 4, 2]);

    [Fact]
    public void TimeDistributedBatchNormalizationWhileTraining() =>
        GradientTests.CheckGradients(new TimeDistributed(new BatchNormalization(3)), [5, 2, 3]);

    [Theory]
    [InlineData(0.3, 0.0)]   // input dropout only: the fused node on the masked input
    [InlineData(0.0, 0.4)]   // recurrent dropout: the cell loop, a mask per gate
    [InlineData(0.3, 0.4)]
    public void LstmWithDropout(double dropout, double recurrentDropout) =>
        GradientTests.CheckGradients(new Lstm(3, 4, returnSequences: true, dropout: dropout, recurrentDropout: recurrentDropout), [2, 5, 3],
            beforeForward: Reseed);

    [Theory]
    [InlineData(true, 0.3, 0.0)]
    [InlineData(true, 0.3, 0.4)]
    [InlineData(false, 0.3, 0.4)]
    public void GruWithDropout(bool resetAfter, double dropout, double recurrentDropout) =>
        GradientTests.CheckGradients(new Gru(3, 4, returnSequences: true, resetAfter: resetAfter, dropout: dropout, recurrentDropout: recurrentDropout),
            [2, 5, 3], beforeForward: Reseed);

    [Theory]
    [InlineData(0.3, 0.0)]
    [InlineData(0.3, 0.4)]
    public void SimpleRnnWithDropout(double dropout, double recurrentDropout) =>
        GradientTests.CheckGradients(new SimpleRnn(3, 4, returnSequences: false, dropout: dropout, recurrentDropout: recurrentDropout, goBackwards: true),
            [2, 5, 3], beforeForward: Reseed);

    [Fact]
    public void BidirectionalWithRecurrentDropout() =>
        GradientTests.CheckGradients(new Bidirectional(new Lstm(3, 4, recurrentDropout: 0.3), new Lstm(3, 4, recurrentDropout: 0.3, goBackwards: true)),
            [2, 5, 3], beforeForward: Reseed);
}
