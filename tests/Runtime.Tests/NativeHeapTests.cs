namespace ModelDsl.Runtime.Tests;

public class NativeHeapTests
{
    [Fact]
    public void LoadingTheRuntimeTunesGlibcMallocUnlessTheEnvironmentChose()
    {
        TorchLibrary.EnsureLoaded();
        var expected = OperatingSystem.IsLinux() && !NativeHeap.UserChose(Environment.GetEnvironmentVariable);
        Assert.Equal(expected, NativeHeap.Tuned);
    }

    [Theory]
    [InlineData(null, null, null, false)]
    [InlineData("0", null, null, true)]
    [InlineData("1", null, null, false)]
    [InlineData(null, "glibc.malloc.trim_threshold=0", null, true)]
    [InlineData(null, "glibc.cpu.hwcaps=-AVX2", null, false)]
    [InlineData(null, null, "65536", true)]
    public void TheUsersOwnChoiceWins(string? modelDslSwitch, string? tunables, string? mmapThreshold, bool chose)
    {
        var environment = new Dictionary<string, string?>
        {
            [NativeHeap.SwitchVariable] = modelDslSwitch,
            ["GLIBC_TUNABLES"] = tunables,
            ["MALLOC_MMAP_THRESHOLD_"] = mmapThreshold,
        };
        Assert.Equal(chose, NativeHeap.UserChose(name => environment.GetValueOrDefault(name)));
    }
}
