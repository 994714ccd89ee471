using ModelDsl.Generator.Tests.Infrastructure;

namespace ModelDsl.Generator.Tests;

/// <summary>Regularizers reach the runtime layers as properties, and a layer with an activity regularizer runs through <c>call</c>.</summary>
public sealed class RegularizerEmitTests
{
    private const string Yaml = """
        model: Regularized
        namespace: Consumer.App
        input: [8]
        layers:
          - dense: {units: 4, activation: relu, kernel_regularizer: l2, activity_regularizer: l1(0.001)}
          - dense: {units: 1, bias_regularizer: {l1_l2: {l1: 0.1, l2: 0.2}}}
        compile: {loss: mse}
        """;

    [Fact]
    public void RegularizersAreSetAfterTheConstructorAndTheActivityIsRecorded()
    {
        var model = GeneratorHarness.Run([GeneratorHarness.ModelFile("/models/regularized.model.yaml", Yaml)]).Model;
        Assert.Contains(
            "Dense = Add(\"dense\", new global::ModelDsl.Runtime.Layers.Dense(8, 4, activation: global::ModelDsl.Runtime.Activation.Relu) "
            + "{ KernelRegularizer = global::ModelDsl.Runtime.Regularizers.Regularizer.L2(0.01), ActivityRegularizer = global::ModelDsl.Runtime.Regularizers.Regularizer.L1(0.001) });",
            model);
        Assert.Contains("{ BiasRegularizer = global::ModelDsl.Runtime.Regularizers.Regularizer.L1L2(0.1, 0.2) }", model);
        Assert.Contains("var x = Dense.call(input);", model);
        Assert.Empty(GeneratorHarness.CompileWithRuntime([GeneratorHarness.ModelFile("/models/regularized.model.yaml", Yaml)]));
    }
}
