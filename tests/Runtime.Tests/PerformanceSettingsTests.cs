namespace ModelDsl.Runtime.Tests;

/// <summary>The process-wide performance settings the benchmarks and hosts use. Runs alone: they are global.</summary>
[Collection(NativeGlobalState.Name)]
public class PerformanceSettingsTests
{
    [Fact]
    public void BlasThreadsCanBeSetAfterLoadWhenTheBlasIsOpenBlas()
    {
        var before = Torch.BlasThreads;
        if (!Torch.SetBlasThreads(1))
        {
            Assert.Equal(0, before);  // not OpenBLAS: reported as such, nothing changed
            return;
        }
        try
        {
            Assert.Equal(1, Torch.BlasThreads);
        }
        finally
        {
            Torch.SetBlasThreads(before);
        }
    }

    [Fact]
    public void BlasThreadsRejectsFewerThanOne() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Torch.SetBlasThreads(0));

    [Fact]
    public void FusedKernelsAreOnByDefaultAndPerThread()
    {
        Assert.True(Torch.FusedKernels);
        bool onOtherThread = false;
        Torch.FusedKernels = false;
        try
        {
            var thread = new Thread(() => onOtherThread = Torch.FusedKernels);
            thread.Start();
            thread.Join();
        }
        finally
        {
            Torch.FusedKernels = true;
        }
        Assert.True(onOtherThread);
    }
}
