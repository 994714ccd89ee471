using ModelDsl.Runtime.Data;
using ModelDsl.Runtime.Layers;
using ModelDsl.Runtime.Optimizers;
using ModelDsl.Runtime.Regularizers;
using ModelDsl.Runtime.Training;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Tests.Optimization;

/// <summary>Keras' l1, l2 and l1_l2 penalties, on weights and on outputs, in the loss the model minimizes and reports.</summary>
[Collection(TrainingCollection.Name)]
public class RegularizerTests
{
    private static double Value(Tensor tensor)
    {
        using var wide = tensor.to(ScalarType.Float64);
        return wide.item<double>();
    }

    [Fact]
    public void PenaltiesAreKerasFormulas()
    {
        using var x = tensor(new double[] { 1, -2, 3, 0.5 }, [2, 2]);
        Assert.Equal(0.3 * 6.5, Value(Regularizer.L1(0.3).Compute(x)), 14);
        Assert.Equal(0.01 * 14.25, Value(Regularizer.L2().Compute(x)), 14);
        Assert.Equal(0.01 * 6.5, Value(Regularizer.L1().Compute(x)), 14);
        Assert.Equal(0.1 * 6.5 + 0.2 * 14.25, Value(Regularizer.L1L2(0.1, 0.2).Compute(x)), 14);
        // Keras 3's L1L2 defaults both factors to 0.
        Assert.Equal(0.0, Value(Regularizer.L1L2().Compute(x)));
        Assert.Equal((0.0, 0.0), (Regularizer.L1L2().L1Factor, Regularizer.L1L2().L2Factor));
        Assert.Equal(("l1", "l2", "l1_l2"), (Regularizer.L1().Name, Regularizer.L2().Name, Regularizer.L1L2().Name));
        Assert.Equal("l1_l2(l1=0.1, l2=0.2)", Regularizer.L1L2(0.1, 0.2).ToString());

        // The penalty is differentiable: d/dx (l1 |x| + l2 x²) = l1 sign(x) + 2 l2 x.
        using var w = tensor(new double[] { 1, -2 }).requires_grad_();
        Regularizer.L1L2(0.1, 0.2).Compute(w).backward();
        using var gradient = w.grad!;
        Assert.Equal(new[] { 0.1 + 0.4, -0.1 - 0.8 }, gradient.data<double>().ToArray(), (a, b) => Math.Abs(a - b) < 1e-14);
    }

    [Fact]
    public void FactorsMustBeNonNegativeAndFinite()
    {
        Assert.Equal("l1", Assert.Throws<ArgumentOutOfRangeException>(() => Regularizer.L1(-0.1)).ParamName);
        Assert.Equal("l2", Assert.Throws<ArgumentOutOfRangeException>(() => Regularizer.L2(double.NaN)).ParamName);
        Assert.Equal("l2", Assert.Throws<ArgumentOutOfRangeException>(() => Regularizer.L1L2(0.1, double.PositiveInfinity)).ParamName);
    }

    [Fact]
    public void KerasDocumentedExample()
    {
        // Keras' Regularizer docs: Dense(5) with ones as kernel, L1(0.01) on it and L2(0.01) on its output, called on
        // ones(5, 5) * 2: the kernel term is 0.25 and the activity term 5.0 after dividing by the batch of 5.
        using var layer = new Dense(5, 5, kernelInitializer: "ones") { KernelRegularizer = Regularizer.L1(0.01), ActivityRegularizer = Regularizer.L2(0.01) };
        using var input = ones(5, 5) * 2;
        using var output = layer.call(input);
        var (name, weight, regularizer) = Assert.Single(layer.RegularizedWeights());
        Assert.Equal("kernel", name);
        Assert.Equal(0.25, Value(regularizer.Compute(weight)), 6);
        Assert.Equal(5.0, Value(layer.ActivityPenalty(output)), 6);
    }

    [Fact]
    public void ALayerTakesOnlyRegularizersForWeightsItHas()
    {
        var error = Assert.Throws<ArgumentException>(() => new Dropout(0.5) { KernelRegularizer = Regularizer.L2() });
        Assert.Equal("kernel_regularizer", error.ParamName);
        Assert.Contains("has no weight 'kernel'", error.Message);
        Assert.Equal("recurrent_regularizer", Assert.Throws<ArgumentException>(() => new Dense(3, 2) { RecurrentRegularizer = Regularizer.L2() }).ParamName);
        Assert.Equal("embeddings_regularizer", Assert.Throws<ArgumentException>(() => new Dense(3, 2) { EmbeddingsRegularizer = Regularizer.L2() }).ParamName);

        // As in Keras, bias_regularizer on a layer without a bias is accepted and penalizes nothing.
        using var noBias = new Dense(3, 2, useBias: false) { BiasRegularizer = Regularizer.L2() };
        Assert.Empty(noBias.RegularizedWeights());
        Assert.NotNull(noBias.BiasRegularizer);

        using var lstm = new Lstm(3, 2) { KernelRegularizer = Regularizer.L1(), RecurrentRegularizer = Regularizer.L2(), BiasRegularizer = Regularizer.L1L2(0.1, 0.1) };
        Assert.Equal(["kernel", "recurrent_kernel", "bias"], lstm.RegularizedWeights().Select(w => w.Name));
        using var embedding = new Embedding(10, 4) { EmbeddingsRegularizer = Regularizer.L2(0.5) };
        Assert.Equal("embeddings", Assert.Single(embedding.RegularizedWeights()).Name);
    }

    private static Dataset Batch(int count, int seed) => TinyClassifier.Clusters(count, seed);

    // The loss the model should report for one batch of (x, y), written out from the weights in float64.
    private static double ExpectedLoss(RegularizedClassifier model, Dataset data, bool hiddenKernelCounts = true)
    {
        using var scope = NewDisposeScope();
        var x = data.Inputs.to(ScalarType.Float64);
        var w1 = model.HiddenLayer.Kernel.detach().to(ScalarType.Float64);
        var b1 = model.HiddenLayer.Bias!.detach().to(ScalarType.Float64);
        var w2 = model.OutputLayer.Kernel.detach().to(ScalarType.Float64);
        var b2 = model.OutputLayer.Bias!.detach().to(ScalarType.Float64);
        var hidden = nn.functional.relu(x.mm(w1) + b1);
        var logits = hidden.mm(w2) + b2;
        var probabilities = logits.softmax(-1);
        var batch = (double)data.Count;

        var crossentropy = -Value(logits.log_softmax(-1).gather(1, data.Targets.unsqueeze(1)).mean());
        var hiddenKernel = hiddenKernelCounts ? 0.01 * Value(w1.square().sum()) : 0;
        var hiddenBias = 0.02 * Value(b1.abs().sum());
        var hiddenActivity = 0.001 * Value(hidden.abs().sum()) / batch;
        var outputKernel = 0.01 * Value(w2.abs().sum()) + 0.02 * Value(w2.square().sum());
        var outputActivity = 0.05 * Value(probabilities.square().sum()) / batch;
        return crossentropy + hiddenKernel + hiddenBias + hiddenActivity + outputKernel + outputActivity;
    }

    private static RegularizedClassifier FullyRegularized(Func<Optimizer>? optimizer = null) => new(
        hidden: () => new Dense(RegularizedClassifier.Features, RegularizedClassifier.Hidden, Activation.Relu, biasInitializer: "random_normal")
        {
            KernelRegularizer = Regularizer.L2(0.01), BiasRegularizer = Regularizer.L1(0.02), ActivityRegularizer = Regularizer.L1(0.001),
        },
        output: () => new Dense(RegularizedClassifier.Hidden, RegularizedClassifier.Classes, Activation.Softmax)
        {
            KernelRegularizer = Regularizer.L1L2(0.01, 0.02), ActivityRegularizer = Regularizer.L2(0.05),
        },
        optimizer: optimizer);

    [Fact]
    public void TheReportedLossesIncludeEveryPenaltyAsInKeras()
    {
        // A rate of 0 keeps the weights, and one batch per epoch makes the epoch's loss that batch's loss.
        using var model = FullyRegularized();
        using var train = Batch(24, seed: 1);
        using var validation = Batch(15, seed: 2);
        var history = model.Fit(train, new FitOptions { Epochs = 1, BatchSize = 24, Seed = 3, ValidationData = validation, Verbose = Verbosity.Silent });

        var expectedTrain = ExpectedLoss(model, train);
        var expectedValidation = ExpectedLoss(model, validation);
        Assert.Equal(expectedTrain, history["loss"][0], 5);
        // Keras' validation and evaluation losses carry the penalties too (its test step computes the same total).
        Assert.Equal(expectedValidation, history["val_loss"][0], 5);
        Assert.Equal(expectedValidation, model.Evaluate(validation, batchSize: 15).Loss, 5);

        // Without the penalties the figure is clearly lower: the test can tell them apart.
        using var plain = new RegularizedClassifier();
        var plainLoss = plain.Evaluate(validation, batchSize: 15).Loss;
        Assert.True(expectedValidation - plainLoss > 0.05, $"{expectedValidation} vs {plainLoss}");
    }

    [Fact]
    public void FrozenWeightsPenaltiesDoNotCount()
    {
        using var model = FullyRegularized();
        model.HiddenLayer.Kernel.requires_grad = false;
        using var train = Batch(12, seed: 4);
        var history = model.Fit(train, new FitOptions { Epochs = 1, BatchSize = 12, Seed = 3, Verbose = Verbosity.Silent });
        Assert.Equal(ExpectedLoss(model, train, hiddenKernelCounts: false), history["loss"][0], 5);
    }

    [Fact]
    public void ThePenaltiesGradientsReachTheUpdate()
    {
        // One SGD step with and without the penalties from the same weights: they differ by lr times the penalties'
        // gradients, 2 * 0.5 * W for an l2(0.5) kernel and 0.3 * sign(W) for an l1(0.3) one.
        const double Rate = 0.1;
        using var data = Batch(10, seed: 5);
        var options = new FitOptions { Epochs = 1, BatchSize = 10, Seed = 3, Shuffle = false, Verbose = Verbosity.Silent };
        using var plain = new RegularizedClassifier(optimizer: () => new Sgd(learningRate: Rate));
        using var regularized = new RegularizedClassifier(
            hidden: () => new Dense(RegularizedClassifier.Features, RegularizedClassifier.Hidden, Activation.Relu, biasInitializer: "random_normal") { KernelRegularizer = Regularizer.L1(0.3) },
            output: () => new Dense(RegularizedClassifier.Hidden, RegularizedClassifier.Classes, Activation.Softmax) { KernelRegularizer = Regularizer.L2(0.5) },
            optimizer: () => new Sgd(learningRate: Rate));
        var hiddenStart = OptimizerSteps.Values(regularized.HiddenLayer.Kernel);
        var outputStart = OptimizerSteps.Values(regularized.OutputLayer.Kernel);
        Assert.Equal(outputStart, OptimizerSteps.Values(plain.OutputLayer.Kernel));

        plain.Fit(data, options);
        regularized.Fit(data, options);

        var hiddenDifference = OptimizerSteps.Values(regularized.HiddenLayer.Kernel).Zip(OptimizerSteps.Values(plain.HiddenLayer.Kernel), (a, b) => a - b).ToArray();
        var outputDifference = OptimizerSteps.Values(regularized.OutputLayer.Kernel).Zip(OptimizerSteps.Values(plain.OutputLayer.Kernel), (a, b) => a - b).ToArray();
        for (var i = 0; i < hiddenStart.Length; i++)
            Assert.Equal(-Rate * 0.3 * Math.Sign(hiddenStart[i]), hiddenDifference[i], 6);
        for (var i = 0; i < outputStart.Length; i++)
            Assert.Equal(-Rate * 2 * 0.5 * outputStart[i], outputDifference[i], 6);
    }

    [Fact]
    public void AnActivityRegularizedLayerRunByForwardIsReportedNotSkipped()
    {
        using var model = new RegularizedClassifier(
            hidden: () => new Dense(RegularizedClassifier.Features, RegularizedClassifier.Hidden, Activation.Relu) { ActivityRegularizer = Regularizer.L2() },
            callHidden: false);
        using var data = Batch(8, seed: 6);
        var error = Assert.Throws<InvalidOperationException>(() => model.Fit(data, new FitOptions { Epochs = 1, Verbose = Verbosity.Silent }));
        Assert.Contains("layer 'dense_1' has an activity_regularizer but its output was not seen", error.Message);
        Assert.Contains("call(x)", error.Message);
    }

    [Fact]
    public void PredictRecordsNothingAndTheNextStepCountsOnlyItsOwnBatch()
    {
        using var model = FullyRegularized();
        using var train = Batch(9, seed: 7);
        using (model.Predict(train.Inputs, batchSize: 4))
        {
        }
        var history = model.Fit(train, new FitOptions { Epochs = 1, BatchSize = 9, Seed = 3, Verbose = Verbosity.Silent });
        Assert.Equal(ExpectedLoss(model, train), history["loss"][0], 5);
    }

    [Fact]
    public void NestedLayersPenaltiesCount()
    {
        using var model = new WrappedClassifier(() => new Dense(RegularizedClassifier.Features, RegularizedClassifier.Classes, Activation.Softmax) { KernelRegularizer = Regularizer.L2(0.25) });
        using var data = Batch(6, seed: 8);
        using var plain = new WrappedClassifier();
        var penalty = 0.25 * Value(model.Inner.Kernel.detach().square().sum());
        Assert.Equal(plain.Evaluate(data).Loss + penalty, model.Evaluate(data).Loss, 5);
    }
}
