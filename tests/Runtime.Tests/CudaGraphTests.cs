using ModelDsl.Runtime.Training;

namespace ModelDsl.Runtime.Tests;

/// <summary>
/// CUDA graphs where there is no CUDA: a graph needs a CUDA device, a CPU build of the shim says it has no CUDA,
/// and training with graphs on (the default) runs eagerly, exactly as with them off. Replay itself is checked on a
/// GPU by <c>bench/gpu/run.sh</c> (graph-check).
/// </summary>
[Collection(TrainingCollection.Name)]
public class CudaGraphTests
{
    [Fact]
    public void ACpuDeviceIsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => new CudaGraph(Device.Cpu));
        Assert.Contains("CUDA graphs need a CUDA device, not cpu", error.Message);
    }

    [Fact]
    public void AGraphOnAnAbsentGpuFailsWithAMessage()
    {
        var absent = Device.Cuda(Device.CudaDeviceCount);
        var error = Assert.Throws<TorchException>(() => new CudaGraph(absent));
        var expected = CudaGraph.Supported ? $"CUDA device {absent.Index} is not there" : "this build of the native shim has no CUDA";
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void GraphsOnOrOffTrainTheSameOnTheCpu()
    {
        double[] Losses(bool graphs)
        {
            using var data = TinyClassifier.Clusters(count: 96, seed: 5);
            using var model = new TinyClassifier(seed: 3);
            var history = model.Fit(data, new FitOptions { Epochs = 3, BatchSize = 16, Seed = 11, Verbose = Verbosity.Silent, CudaGraphs = graphs });
            return [.. history["loss"]];
        }

        Assert.Equal(Losses(graphs: false), Losses(graphs: true));
    }
}
