using ModelDsl.Generator.Tests.Infrastructure;

namespace ModelDsl.Generator.Tests;

/// <summary>Wrappers in both front ends: an attribute wraps the layer attribute after it, as <c>layer:</c> does in a model file.</summary>
public sealed class WrapperTests
{
    private const string Attributes = """
        using ModelDsl;

        namespace Consumer.App;

        [SequentialModel]
        [Input(6, 3)]
        [Bidirectional(MergeMode = "sum")]
        [Lstm(4, ReturnSequences = true, RecurrentDropout = 0.1)]
        [TimeDistributed]
        [Dense(2, Activation = "softmax")]
        [Compile(Loss = "categorical_crossentropy")]
        public partial class Wrapped
        {
        }
        """;

    private const string Yaml = """
        model: Wrapped
        namespace: Consumer.App
        input: [6, 3]
        layers:
          - bidirectional: {layer: {lstm: {units: 4, return_sequences: true, recurrent_dropout: 0.1}}, merge_mode: sum}
          - time_distributed: {layer: {dense: {units: 2, activation: softmax}}}
        compile: {loss: categorical_crossentropy}
        """;

    private static string[] Layers(string source) => source.Split('\n').Where(l => l.Contains(" = Add(", StringComparison.Ordinal)).Select(l => l.Trim()).ToArray();

    [Fact]
    public void AttributesAndTheModelFileEmitTheSameWrappedLayers()
    {
        var fromAttributes = Layers(GeneratorHarness.Run([], ("/consumer/Wrapped.cs", Attributes)).Model);
        var fromYaml = Layers(GeneratorHarness.Run([GeneratorHarness.ModelFile("/models/wrapped.model.yaml", Yaml)]).Model);
        Assert.Equal(fromYaml, fromAttributes);
        Assert.Equal(
            "Bidirectional = Add(\"bidirectional\", new global::ModelDsl.Runtime.Layers.Bidirectional("
            + "new global::ModelDsl.Runtime.Layers.Lstm(3, 4, recurrentDropout: 0.1, returnSequences: true), "
            + "new global::ModelDsl.Runtime.Layers.Lstm(3, 4, recurrentDropout: 0.1, returnSequences: true, goBackwards: true), mergeMode: \"sum\"));",
            fromYaml[0]);
        Assert.Equal("TimeDistributed = Add(\"time_distributed\", new global::ModelDsl.Runtime.Layers.TimeDistributed(new global::ModelDsl.Runtime.Layers.Dense(4, 2, activation: global::ModelDsl.Runtime.Activation.Softmax)));", fromYaml[1]);
        Assert.Empty(GeneratorHarness.CompileWithRuntime([], ("/consumer/Wrapped.cs", Attributes)));
    }
}
