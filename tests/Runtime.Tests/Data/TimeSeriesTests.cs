using ModelDsl.Runtime.Data;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Tests.Data;

/// <summary>The examples of Keras' timeseries_dataset_from_array documentation, and its edge arguments.</summary>
public sealed class TimeSeriesTests
{
    [Fact]
    public void SamplingRateAndStrideGiveKerasWindows()
    {
        // Keras' example 1: indices 0..98, sequence_length=10, sampling_rate=2, sequence_stride=3.
        var steps = Enumerable.Range(0, 99).Select(i => (float)i).ToArray();
        using var windows = TimeSeries.Windows(tensor(steps), sequenceLength: 10, sequenceStride: 3, samplingRate: 2);
        Assert.Equal([27L, 10], windows.shape);
        Assert.Equal([0f, 2, 4, 6, 8, 10, 12, 14, 16, 18], windows[0].data<float>().ToArray());
        Assert.Equal([3f, 5, 7, 9, 11, 13, 15, 17, 19, 21], windows[1].data<float>().ToArray());
        Assert.Equal([78f, 80, 82, 84, 86, 88, 90, 92, 94, 96], windows[26].data<float>().ToArray());
    }

    [Fact]
    public void NextStepRegressionPairsEachWindowWithTheTargetAtItsStart()
    {
        // Keras' example 2: data 1..20, inputs data[:10], targets data[10:], sequence_length=10: one window, target 11.
        var data = Enumerable.Range(1, 20).Select(i => (float)i).ToArray();
        using var one = TimeSeries.FromArray(data[..10], data[10..], sequenceLength: 10);
        Assert.Equal(1, one.Count);
        Assert.Equal(data[..10], one.Inputs[0].data<float>().ToArray());
        Assert.Equal([11f], one.Targets.data<float>().ToArray());

        // Forecasting the step after each 3-step window of a 2-feature series: targets = series[3..].
        var series = new float[8, 2];
        for (int t = 0; t < 8; t++)
            (series[t, 0], series[t, 1]) = (t, 100 + t);
        var next = Enumerable.Range(3, 5).Select(t => (float)t).ToArray();
        using var forecast = TimeSeries.FromArray(series, next, sequenceLength: 3);
        Assert.Equal([5L, 3, 2], forecast.Inputs.shape);
        Assert.Equal([4f, 104, 5, 105, 6, 106], forecast.Inputs[4].data<float>().ToArray());
        Assert.Equal(next, forecast.Targets.data<float>().ToArray());
    }

    [Fact]
    public void StartAndEndIndexBoundTheWindowsAndShuffleIsSeeded()
    {
        var data = Enumerable.Range(0, 30).Select(i => (float)i).ToArray();
        var targets = data.Select(v => (long)v).ToArray();
        using var bounded = TimeSeries.FromArray(data, targets, sequenceLength: 4, startIndex: 5, endIndex: 15);
        // end - start - (length - 1) = 7 windows, starting at 5..11, each targeted by its start step.
        Assert.Equal([5L, 6, 7, 8, 9, 10, 11], bounded.Targets.data<long>().ToArray());
        Assert.Equal([11f, 12, 13, 14], bounded.Inputs[6].data<float>().ToArray());

        using var shuffled = TimeSeries.FromArray(data, targets, sequenceLength: 4, shuffle: true, seed: 5);
        using var again = TimeSeries.FromArray(data, targets, sequenceLength: 4, shuffle: true, seed: 5);
        var order = shuffled.Targets.data<long>().ToArray();
        Assert.Equal(order, again.Targets.data<long>().ToArray());
        Assert.NotEqual(order.Order().ToArray(), order);
        Assert.Equal(Enumerable.Range(0, 27).Select(i => (long)i), order.Order());
        Assert.Equal((float)order[0], shuffled.Inputs[0, 0].item<float>());
    }

    [Fact]
    public void SeriesTooShortForOneWindowIsNamed()
    {
        var error = Assert.Throws<ArgumentException>(() => TimeSeries.FromArray(new float[5], new float[5], sequenceLength: 3, samplingRate: 3));
        Assert.Contains("steps 0..4 of the series hold no window of 3 steps sampled every 3", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => TimeSeries.FromArray(new float[5], new float[5], sequenceLength: 2, startIndex: 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => TimeSeries.FromArray(new float[5], new float[5], sequenceLength: 0));
    }
}
