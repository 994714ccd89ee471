using ModelDsl.Runtime.Layers;
using ModelDsl.Runtime.Losses;
using ModelDsl.Runtime.Optimizers;

namespace ModelDsl.Runtime.Tests;

/// <summary>Tests that read process-wide native state (the live-tensor count, the seeded generator) run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NativeGlobalState
{
    public const string Name = "native global state";
}

[Collection(NativeGlobalState.Name)]
public class NativeTests
{
    private sealed class TinyModel : Module
    {
        public TinyModel()
        {
            Recurrent = RegisterModule("lstm", new Lstm(4, 8, Activation.Relu));
            Dropout = RegisterModule("dropout", new Dropout(0.2));
            Output = RegisterModule("dense", new Dense(8, 3, Activation.Softmax));
        }

        public Lstm Recurrent { get; }

        public Dropout Dropout { get; }

        public Dense Output { get; }

        public Tensor ForwardLogits(Tensor input)
        {
            using var hidden = Recurrent.Forward(input);
            using var dropped = Dropout.Forward(hidden);
            return Output.ForwardLinear(dropped);
        }
    }

    // Trains a tiny relu-LSTM classifier the way the training loop does: one dispose scope per step.
    private static List<double> Train(int steps, Action<int>? afterStep = null)
    {
        using var model = new TinyModel();
        using var adam = new Adam(learningRate: 0.01, decay: 1e-3);
        var parameters = model.Parameters();
        var loss = Loss.SparseCategoricalCrossentropy();
        using var inputs = Tensor.Rand([64, 5, 4]);
        using var labels = Tensor.From(Enumerable.Range(0, 64).Select(i => (long)(i % 3)).ToArray());
        var losses = new List<double>();
        for (var step = 0; step < steps; step++)
        {
            using (var scope = new DisposeScope())
            {
                var index = Tensor.RandPerm(64).Narrow(0, 0, 16);
                var logits = model.ForwardLogits(inputs.IndexSelect(0, index));
                var value = loss.Compute(logits, Activation.Softmax, labels.IndexSelect(0, index));
                adam.ZeroGrad(parameters);
                value.Backward();
                adam.Step(parameters);
                losses.Add(value.ToDouble());
            }
            afterStep?.Invoke(step);
        }
        return losses;
    }

    private static long SettledLiveCount()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return Torch.LiveTensorCount;
    }

    [Fact]
    public void LiveTensorCountStaysFlatOverTrainingSteps()
    {
        var before = SettledLiveCount();
        var counts = new List<long>();
        var losses = Train(200, _ => counts.Add(Torch.LiveTensorCount));
        // After the first step the optimizer's state exists; from then on every step frees what it made.
        Assert.All(counts.Skip(1), c => Assert.Equal(counts[0], c));
        Assert.Equal(before, SettledLiveCount());
        Assert.True(losses[^20..].Average() < losses[..20].Average(), "the tiny model should learn something");
    }

    [Fact]
    public void SameSeedGivesIdenticalLosses()
    {
        Torch.ManualSeed(1234);
        var first = Train(25);
        Torch.ManualSeed(1234);
        var second = Train(25);
        Torch.ManualSeed(99);
        var other = Train(25);
        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void DisposeScopeFreesTemporariesAndKeepsWhatMovesOut()
    {
        var before = SettledLiveCount();
        Tensor kept;
        Tensor temporary;
        using (var outer = new DisposeScope())
        {
            Tensor moved;
            using (var inner = new DisposeScope())
            {
                temporary = Tensor.Ones([3]);
                moved = (temporary * 2).MoveToOuterScope();
                kept = (temporary + 1).DetachFromDisposeScope();
                Assert.Equal(1, inner.Count);
            }
            Assert.True(temporary.IsDisposed);
            Assert.False(moved.IsDisposed);
            Assert.Equal(new float[] { 2, 2, 2 }, moved.ToArray<float>());
            Assert.Same(outer, DisposeScope.Current);
        }
        Assert.Null(DisposeScope.Current);
        Assert.False(kept.IsDisposed);
        Assert.Equal(before + 1, Torch.LiveTensorCount);
        kept.Dispose();
        Assert.Equal(before, Torch.LiveTensorCount);
    }

    [Fact]
    public void ScopesMustEndInnermostFirst()
    {
        var outer = new DisposeScope();
        var inner = new DisposeScope();
        Assert.Throws<InvalidOperationException>(() => outer.Dispose());
        inner.Dispose();
        outer.Dispose();
        Assert.Null(DisposeScope.Current);
    }

    [Fact]
    public void ErrorsStayOnTheirThread()
    {
        using var a = Tensor.Zeros([2, 3]);
        var messages = new string[2];
        var threads = Enumerable.Range(0, 2).Select(i => new Thread(() =>
        {
            try
            {
                using var b = Tensor.Zeros([i + 5, 1]);
                using var product = a.MatMul(b);
            }
            catch (TorchException e)
            {
                messages[i] = e.Message;
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.Contains("(2x3 and 5x1)", messages[0]);
        Assert.Contains("(2x3 and 6x1)", messages[1]);
    }

    [Fact]
    public void SettingsAndVersion()
    {
        var threads = Torch.NumThreads;
        Torch.SetNumThreads(1);
        Assert.Equal(1, Torch.NumThreads);
        Torch.SetNumThreads(threads);
        Assert.Matches(@"^\d+\.\d+", Torch.Version);
        Assert.True(Device.CudaDeviceCount >= 0);
    }
}
