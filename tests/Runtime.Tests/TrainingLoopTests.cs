using System.Text.RegularExpressions;
using ModelDsl.Runtime.Data;
using ModelDsl.Runtime.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Tests;

[Collection(TrainingCollection.Name)]
public sealed class TrainingLoopTests
{
    private static FitOptions Quiet(int epochs = 1, int batchSize = 32) =>
        new() { Epochs = epochs, BatchSize = batchSize, Seed = 3, Verbose = Verbosity.Silent };

    [Fact]
    public void LastPartialBatchIsTrained()
    {
        using var model = new TinyClassifier();
        using var data = TinyClassifier.Clusters(1050);
        var recorder = new RecordingCallback();

        model.Fit(data, Quiet(batchSize: 100) with { Callbacks = [recorder] });

        // 1050 = 10 x 100 + 50: eleven steps, the last one on 50 samples.
        Assert.Equal(11, recorder.Batches.Count);
        Assert.Equal(11, model.Optimizer.Iterations);
        Assert.Equal(11, data.BatchCount(100));
    }

    [Fact]
    public void SixtyThousandIsExactly1875BatchesOf32()
    {
        using var data = new Dataset(zeros(60000, 1), zeros(60000, dtype: ScalarType.Int64));

        Assert.Equal(1875, data.BatchCount(32));
        var (inputs, targets) = data.Batch(1874, 32);
        using (inputs)
        using (targets)
            Assert.Equal(32, inputs.size(0));
    }

    [Fact]
    public void PartialBatchHoldsTheRemainder()
    {
        using var data = TinyClassifier.Clusters(1050);
        using var order = randperm(1050);

        var (inputs, targets) = data.Batch(10, 100, order);

        using (inputs)
        using (targets)
        {
            Assert.Equal([50, TinyClassifier.Features], inputs.shape);
            Assert.Equal([50], targets.shape);
        }
    }

    [Fact]
    public void DropoutIsOnInTrainingAndOffForValidationEvaluationAndPrediction()
    {
        using var model = new TinyClassifier();
        using var data = TinyClassifier.Clusters(300);
        using var validation = TinyClassifier.Clusters(90, seed: 2);
        var recorder = new RecordingCallback
        {
            AtEpochEnd = (context, _, _) => Assert.False(((TinyClassifier)context.Model).LastForwardTrained),
        };

        model.eval();
        model.Fit(data, Quiet(epochs: 2) with { ValidationData = validation, Callbacks = [recorder] });

        Assert.All(recorder.TrainingModeAtBatchEnd, Assert.True);
        // Fit, like Predict and Evaluate, leaves the mode it found.
        Assert.False(model.training);
        model.train();
        model.Fit(data, Quiet(epochs: 1));
        Assert.True(model.training);
        model.eval();
        var first = model.Evaluate(validation);
        var second = model.Evaluate(validation);
        Assert.False(model.LastForwardTrained);
        Assert.Equal(first.Loss, second.Loss);
        using var once = model.Predict(validation.Inputs);
        using var twice = model.Predict(validation.Inputs);
        Assert.Equal(once.data<float>().ToArray(), twice.data<float>().ToArray());
    }

    [Fact]
    public void HistoryHasKerasKeysPerEpoch()
    {
        using var model = new TinyClassifier();
        using var data = TinyClassifier.Clusters(300);
        using var validation = TinyClassifier.Clusters(90, seed: 2);

        var history = model.Fit(data, Quiet(epochs: 6) with { ValidationData = validation });

        Assert.Equal(["loss", "accuracy", "val_loss", "val_accuracy"], history.Keys);
        Assert.Equal([0, 1, 2, 3, 4, 5], history.Epoch);
        Assert.All(history.Keys, key => Assert.Equal(6, history[key].Count));
        Assert.True(history["loss"][5] < history["loss"][0], history.ToString());
        Assert.True(history["val_accuracy"][5] > 0.9, history.ToString());
        // The validation figures are what Evaluate says of the final weights.
        Assert.Equal(model.Evaluate(validation)["accuracy"], history["val_accuracy"][5], 12);
    }

    [Fact]
    public void ValidationSplitTakesTheLastFractionBeforeShuffling()
    {
        using var model = new TinyClassifier();
        using var data = TinyClassifier.Clusters(1000);
        var recorder = new RecordingCallback();

        var history = model.Fit(data, Quiet(batchSize: 100) with { ValidationSplit = 0.2, Callbacks = [recorder] });

        Assert.Equal(8, recorder.Batches.Count);
        using var last = data.Skip(800);
        Assert.Equal(model.Evaluate(last, batchSize: 100).Loss, history["val_loss"][0], 12);
    }

    [Fact]
    public void RescaleIsAppliedToEveryBatchAndUint8BecomesFloat()
    {
        using var model = new TinyClassifier(rescale: 0.5);
        using var raw = tensor(new byte[] { 0, 2, 4, 255 }, [1, 4]);

        using var x = model.Preprocess(raw);

        Assert.Equal(ScalarType.Float32, x.dtype);
        Assert.Equal([0f, 1f, 2f, 127.5f], x.data<float>().ToArray());
    }

    [Fact]
    public void UnscaledInputsWarnOnce()
    {
        using var model = new TinyClassifier();
        using var data = TinyClassifier.Clusters(200, scale: 100);
        var log = new StringWriter();

        model.Fit(data, Quiet(epochs: 2) with { Verbose = Verbosity.OneLinePerEpoch, Log = log });

        var warnings = Regex.Matches(log.ToString(), "inputs look unscaled");
        Assert.Single(warnings);
        Assert.Contains("rescale", log.ToString());
    }

    [Fact]
    public void ScaledInputsDoNotWarn()
    {
        using var model = new TinyClassifier(rescale: 0.01);
        using var data = TinyClassifier.Clusters(200, scale: 100);
        var log = new StringWriter();

        model.Fit(data, Quiet() with { Verbose = Verbosity.OneLinePerEpoch, Log = log });

        Assert.DoesNotContain("unscaled", log.ToString());
    }

    [Fact]
    public void RedirectedOutputIsOneKerasLinePerEpoch()
    {
        using var model = new TinyClassifier();
        using var data = TinyClassifier.Clusters(1050);
        using var validation = TinyClassifier.Clusters(90, seed: 2);
        var log = new StringWriter();

        model.Fit(data, Quiet(epochs: 2, batchSize: 100) with { ValidationData = validation, Verbose = Verbosity.Auto, Log = log });

        var lines = log.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.DoesNotContain('\r', log.ToString());
        Assert.Equal("Epoch 1/2", lines[0]);
        var bar = new Regex(@"^11/11 \[==============================\] - \d+s \d+(ms|us|s)/step - loss: \d\.\d{4} - accuracy: \d\.\d{4} - val_loss: \d\.\d{4} - val_accuracy: \d\.\d{4}$");
        Assert.Matches(bar, lines[1]);
        Assert.Equal(2, lines.Count(l => bar.IsMatch(l)));
    }

    [Fact]
    public void LiveBarRedrawsInPlace()
    {
        using var model = new TinyClassifier();
        using var data = TinyClassifier.Clusters(300);
        var log = new StringWriter();

        model.Fit(data, Quiet(batchSize: 10) with { Verbose = Verbosity.ProgressBar, Log = log });

        var text = log.ToString();
        Assert.Contains("\r30/30 [==============================] - ", text);
        Assert.EndsWith(Environment.NewLine, text);
    }

    [Fact]
    public void ValidationBeatingTrainingIsExplainedOnce()
    {
        using var model = new TinyClassifier();
        using var data = TinyClassifier.Clusters(600);
        using var validation = TinyClassifier.Clusters(300, seed: 2);
        var log = new StringWriter();

        var history = model.Fit(data, Quiet(epochs: 4) with { ValidationData = validation, Verbose = Verbosity.OneLinePerEpoch, Log = log });

        var beats = Enumerable.Range(0, 4).Count(e => history["val_accuracy"][e] > history["accuracy"][e]);
        var notes = Regex.Matches(log.ToString(), "^note: val_accuracy .* dropout is off at validation, and accuracy is an average over an epoch", RegexOptions.Multiline);
        Assert.Equal(beats > 0 ? 1 : 0, notes.Count);
        Assert.True(beats > 0, "with dropout 0.5 on easy clusters validation should beat training at least once: " + history);
    }

    [Fact]
    public void AResumedRunDoesNotRepeatTheValidationNote()
    {
        var directory = Directory.CreateTempSubdirectory("modeldsl-resume-note-").FullName;
        try
        {
            using var data = TinyClassifier.Clusters(600);
            using var validation = TinyClassifier.Clusters(300, seed: 2);
            FitOptions Options(int epochs, TextWriter log) => Quiet(epochs) with
            {
                ValidationData = validation, Verbose = Verbosity.OneLinePerEpoch, Log = log, CheckpointDirectory = directory, Resume = true,
            };
            var first = new StringWriter();
            using (var model = new TinyClassifier())
                model.Fit(data, Options(epochs: 4, first));
            Assert.Contains("note: val_accuracy", first.ToString());

            var resumed = new StringWriter();
            using (var model = new TinyClassifier())
                model.Fit(data, Options(epochs: 6, resumed));

            Assert.Contains("Resuming from", resumed.ToString());
            Assert.DoesNotContain("note: val_accuracy", resumed.ToString());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    // TorchSharp's count of this thread's tensors created and not yet disposed. A tensor left to the finalizer is
    // never disposed on this thread, so it counts as live here however soon the GC collects it.
    private static long LiveTensors => DisposeScopeManager.Statistics.ThreadTotalLiveCount;

    [Fact]
    public void ATrainingStepFreesItsTemporaries()
    {
        using var model = new TinyClassifier();
        using var fiveSteps = TinyClassifier.Clusters(50);
        using var fifteenSteps = TinyClassifier.Clusters(150);
        var options = Quiet(batchSize: 10);
        // No scope is open around these fits, as in an application's Main.
        long Growth(Dataset data, FitOptions fit)
        {
            long start = LiveTensors;
            model.Fit(data, fit);
            return LiveTensors - start;
        }
        // The first fit creates what the model keeps: the optimizer's slots.
        Growth(fiveSteps, options);

        long byFive = Growth(fiveSteps, options);
        long byFifteen = Growth(fifteenSteps, options);
        var live = new List<long>();
        Growth(fifteenSteps, options with { Callbacks = [new StepSampler(_ => live.Add(LiveTensors))] });

        Assert.Equal(40, model.Optimizer.Iterations);
        Assert.True(byFive == byFifteen, $"a 5-step fit left {byFive} more live tensors, a 15-step one {byFifteen}");
        // Sampled at the end of every step: what a step makes goes with it, not at the end of the epoch.
        Assert.Equal(15, live.Count);
        Assert.All(live, count => Assert.Equal(live[0], count));
    }

    [Fact]
    public void LiveTensorCountStaysFlatAcrossEpochs()
    {
        using var model = new TinyClassifier();
        using var data = TinyClassifier.Clusters(500);
        using var validation = TinyClassifier.Clusters(90, seed: 2);
        var options = Quiet(batchSize: 50) with { ValidationData = validation, Callbacks = [new TerminateOnNaN()] };
        model.Fit(data, options);
        long afterOne = LiveTensors;

        model.Fit(data, options with { Epochs = 3 });

        Assert.Equal(afterOne, LiveTensors);
    }

    [Fact]
    public void ShuffleIsSeededAndOffWhenAsked()
    {
        double FirstLoss(bool shuffle, int seed)
        {
            using var model = new TinyClassifier();
            using var data = TinyClassifier.Clusters(300);
            return model.Fit(data, Quiet() with { Shuffle = shuffle, Seed = seed })["loss"][0];
        }

        Assert.Equal(FirstLoss(true, 5), FirstLoss(true, 5));
        Assert.NotEqual(FirstLoss(true, 5), FirstLoss(true, 6));
    }

    [Fact]
    public void DatasetSlicesTakeSkipAndSelect()
    {
        using var values = arange(0, 12, dtype: ScalarType.Float32);
        using var data = new Dataset(values.reshape(6, 2), arange(0, 6));

        using var first = data.Take(4);
        using var rest = data.Skip(4);
        using var indices = tensor(new long[] { 5, 0 });
        using var picked = data.Select(indices);
        using var all = data.Take(100);

        Assert.Equal([2L], data.SampleShape);
        Assert.Equal(4, first.Count);
        Assert.Equal([4L, 5], rest.Targets.data<long>().ToArray());
        Assert.Equal([10f, 11, 0, 1], picked.Inputs.data<float>().ToArray());
        Assert.Equal(6, all.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Slice(5, 2));
    }

    [Fact]
    public void DatasetRejectsMismatchedCounts()
    {
        var error = Assert.Throws<ArgumentException>(() => new Dataset(zeros(3, 2), zeros(4, dtype: ScalarType.Int64)));

        Assert.Contains("3 inputs, 4 targets", error.Message);
    }
}
