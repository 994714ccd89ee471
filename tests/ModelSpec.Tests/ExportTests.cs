using static ModelDsl.Spec.Tests.TestModels;

namespace ModelDsl.Spec.Tests;

/// <summary>
/// <c>export: onnx</c>: how a model asks for ONNX export, and the checks that only then run (MDSL047 for a layer
/// with no ONNX form, MDSL048 for one ONNX Runtime's CUDA provider computes differently).
/// </summary>
public class ExportTests
{
    private const string Softmax = "- dense: {units: 10, activation: softmax}";

    private const string Compile = "{loss: sparse_categorical_crossentropy}";

    private const string Accepted = "linear, relu, sigmoid, tanh, elu, softplus, softsign, hard_sigmoid, leaky_relu";

    private static string Exported(string export, string layer, string input = "[28, 28]") =>
        $"export: {export}\n" + WithLayers(input, layer + "\n" + Softmax, Compile);

    private static string[] ExportDiagnostics(ModelAnalysis analysis) =>
        analysis.Diagnostics.Where(d => d.Id is "MDSL047" or "MDSL048").Select(d => d.ToString()).ToArray();

    public static TheoryData<string> Activations => new(Vocabulary.Activations);

    [Theory]
    [MemberData(nameof(Activations))]
    public void ARecurrentActivationHasAnOnnxFormExactlyWhenOnnxsOperatorsTakeIt(string activation)
    {
        var layer = $"- lstm: {{units: 8, activation: {activation}}}";
        var plain = Analyze(WithLayers("[28, 28]", layer + "\n" + Softmax, Compile));
        Assert.Empty(ExportDiagnostics(plain));
        Assert.Equal(ExportFormats.None, plain.Spec!.Export);

        var exported = Analyze(Exported("onnx", layer));
        var hasForm = OnnxForms.RecurrentActivationOp(activation) != null;
        Assert.Equal(hasForm, OnnxForms.RecurrentActivations.Contains(activation));
        Assert.Equal(!hasForm, exported.Diagnostics.Any(d => d.Id == "MDSL047"));
        Assert.Equal(hasForm && activation != "tanh", exported.Diagnostics.Any(d => d.Id == "MDSL048"));
    }

    [Fact]
    public void OnnxsRecurrentActivationsAreKerasNamesWithOnnxNames()
    {
        Assert.All(OnnxForms.RecurrentActivations, a => Assert.Contains(a, Vocabulary.Activations));
        Assert.Equal(
            new[] { "Affine", "Relu", "Sigmoid", "Tanh", "Elu", "Softplus", "Softsign", "HardSigmoid", "LeakyRelu" },
            OnnxForms.RecurrentActivations.Select(a => OnnxForms.RecurrentActivationOp(a)));
        Assert.Equal(
            new[] { "softmax", "selu", "gelu", "swish", "exponential" },
            Vocabulary.Activations.Where(a => OnnxForms.RecurrentActivationOp(a) == null));
    }

    [Fact]
    public void NothingIsCheckedWithoutExport()
    {
        var model = WithLayers("[28, 28]", "- gru: {units: 8, activation: gelu, reset_after: false, return_sequences: true}\n- simple_rnn: {units: 8, activation: selu}\n" + Softmax, Compile);
        var analysis = Analyze(model);
        Assert.Empty(analysis.Diagnostics);
        Assert.Equal(ExportFormats.None, analysis.Spec!.Export);
        Assert.Empty(Analyze(Reference).Diagnostics);
    }

    [Fact]
    public void TheListFormAsksTheSame()
    {
        const string Layer = "- lstm: {units: 8, activation: swish}";
        var scalar = Analyze(Exported("onnx", Layer));
        var list = Analyze(Exported("[onnx]", Layer));
        Assert.Equal(ExportDiagnostics(scalar), ExportDiagnostics(list));
        Assert.Single(ExportDiagnostics(list));

        Assert.Equal(ExportFormats.Onnx, SpecOf(Exported("[onnx]", "- lstm: 8")).Export);
        Assert.Equal(ExportFormats.Onnx, SpecOf(Exported("\"onnx\"", "- lstm: 8")).Export);
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[]")]
    public void AnEmptyExportAsksForNothing(string export)
    {
        var analysis = Analyze(Exported(export, "- lstm: {units: 8, activation: gelu}"));
        Assert.Empty(analysis.Diagnostics);
        Assert.Equal(ExportFormats.None, analysis.Spec!.Export);
    }

    [Theory]
    [InlineData("onx", "MDSL013", 1, 9, "'export' must be an export format (onnx), but got 'onx' (did you mean 'onnx'?)")]
    [InlineData("ONNX", "MDSL013", 1, 9, "'export' must be an export format (onnx), but got 'ONNX' (did you mean 'onnx'?)")]
    [InlineData("tflite", "MDSL013", 1, 9, "'export' must be an export format (onnx), but got 'tflite'")]
    [InlineData("true", "MDSL013", 1, 9, "'export' must be an export format (onnx), but got true (name the format, as in export: onnx)")]
    [InlineData("[onnx, torchscript]", "MDSL013", 1, 16, "item 2 of 'export' must be an export format (onnx), but got 'torchscript'")]
    [InlineData("{onnx: {opset: 17}}", "MDSL012", 1, 9, "'export' must be an export format (onnx) or a list of them, but got a mapping with the keys onnx")]
    [InlineData("[[onnx]]", "MDSL012", 1, 10, "item 1 of 'export' must be an export format (onnx), but got a list [onnx]")]
    public void AWrongExportIsALocatedError(string export, string id, int line, int column, string message)
    {
        var model = Exported(export, "- lstm: 8");
        AssertDiagnostic(model, id, line, column, message);
        Assert.Single(Analyze(model).Diagnostics);
    }

    [Fact]
    public void OnnxAtTheTopLevelPointsToExport()
    {
        AssertDiagnostic(
            "onnx: true\n" + WithLayers("[28, 28]", "- lstm: 8\n" + Softmax, Compile),
            "MDSL010", 1, 1,
            "unknown key 'onnx' in the model; did you mean 'export: onnx'?");
    }

    [Fact]
    public void ABidirectionalLayerHasTheFormOfTheLayerItWraps()
    {
        var model = Exported("onnx", "- bidirectional: {layer: {lstm: {units: 8, activation: gelu}}, merge_mode: sum}");
        AssertDiagnostic(
            model,
            "MDSL047", 4, 58,
            $"layer 1 'bidirectional' has no ONNX form: the activation 'gelu' of its lstm is not one ONNX's LSTM op takes ({Accepted}); use one of those, or remove export: onnx");
        Assert.DoesNotContain(Analyze(model).Diagnostics, d => d.Id == "MDSL048");

        AssertDiagnostic(
            Exported("onnx", "- bidirectional: {layer: {gru: {units: 8, activation: relu}}}"),
            "MDSL048", 4, 5,
            "layer 1 'bidirectional' exports to ONNX, but ONNX Runtime's CUDA execution provider ignores the GRU op's activations attribute and runs cuDNN's fixed sigmoid and tanh instead of activation: relu, so its outputs on a GPU differ; the CPU provider computes it as written",
            Severity.Warning);
        Assert.Empty(Analyze(Exported("onnx", "- bidirectional: {layer: {lstm: 8}}")).Diagnostics);
    }

    [Fact]
    public void EveryActivationWithoutAFormIsReportedAtItsValue()
    {
        var analysis = Analyze(Exported("onnx", "- gru: {units: 8, activation: selu, recurrent_activation: exponential}"));
        Assert.Equal(
            new[]
            {
                $"{ModelPath}(4,33): error MDSL047: layer 1 'gru' has no ONNX form: its activation 'selu' is not one ONNX's GRU op takes ({Accepted}); use one of those, or remove export: onnx",
                $"{ModelPath}(4,61): error MDSL047: layer 1 'gru' has no ONNX form: its recurrent_activation 'exponential' is not one ONNX's GRU op takes ({Accepted}); use one of those, or remove export: onnx",
            },
            analysis.Diagnostics.Select(d => d.ToString()));
        Assert.Null(analysis.Spec);
    }

    [Fact]
    public void TheReferenceModelUnderExportGivesOneCudaWarningPerReluLstm()
    {
        var model = Reference + "export: onnx\n";
        var analysis = Analyze(model);
        const string Message = "exports to ONNX, but ONNX Runtime's CUDA execution provider ignores the LSTM op's activations attribute and runs cuDNN's fixed sigmoid and tanh instead of activation: relu, so its outputs on a GPU differ; the CPU provider computes it as written";
        Assert.Equal(
            new[] { $"{ModelPath}(6,5): warning MDSL048: layer 1 'lstm' {Message}", $"{ModelPath}(8,5): warning MDSL048: layer 3 'lstm' {Message}" },
            analysis.Diagnostics.Select(d => d.ToString()));
        Assert.Equal(ExportFormats.Onnx, analysis.Spec!.Export);
        Assert.Equal(SpecOf(Reference) with { Export = ExportFormats.Onnx }, analysis.Spec with { Span = SpecOf(Reference).Span });
    }

    [Theory]
    [InlineData("- simple_rnn: {units: 8, activation: relu}", null)]
    [InlineData("- simple_rnn: 8", null)]
    [InlineData("- simple_rnn: {units: 8, activation: sigmoid}", "runs only cuDNN's tanh and relu RNN modes, not activation: sigmoid")]
    [InlineData("- lstm: {units: 8, recurrent_activation: hard_sigmoid}", "ignores the LSTM op's activations attribute and runs cuDNN's fixed sigmoid and tanh instead of recurrent_activation: hard_sigmoid")]
    [InlineData("- lstm: {units: 8, activation: elu, recurrent_activation: leaky_relu}", "ignores the LSTM op's activations attribute and runs cuDNN's fixed sigmoid and tanh instead of activation: elu and recurrent_activation: leaky_relu")]
    [InlineData("- gru: {units: 8, reset_after: false}", "ignores the GRU op's linear_before_reset: 0 and runs cuDNN's GRU, which applies the reset gate after the recurrent product, instead of reset_after: false")]
    [InlineData("- gru: {units: 8, activation: linear, reset_after: false}", "ignores the GRU op's activations attribute and runs cuDNN's fixed sigmoid and tanh instead of activation: linear, and ignores the GRU op's linear_before_reset: 0 and runs cuDNN's GRU, which applies the reset gate after the recurrent product, instead of reset_after: false")]
    public void WhatTheCudaProviderComputesDifferentlyIsAWarningAtTheLayer(string layer, string? difference)
    {
        var analysis = Analyze(Exported("onnx", layer));
        Assert.NotNull(analysis.Spec);
        var expected = difference == null
            ? Array.Empty<string>()
            : new[] { $"{ModelPath}(4,5): warning MDSL048: layer 1 '{layer.Substring(2, layer.IndexOf(':') - 2)}' exports to ONNX, but ONNX Runtime's CUDA execution provider {difference}, so its outputs on a GPU differ; the CPU provider computes it as written" };
        Assert.Equal(expected, analysis.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void ASimpleRnnNamesOnnxsRnnOp()
    {
        AssertDiagnostic(
            Exported("onnx", "- simple_rnn: {units: 8, activation: softmax}"),
            "MDSL047", 4, 40,
            $"layer 1 'simple_rnn' has no ONNX form: its activation 'softmax' is not one ONNX's RNN op takes ({Accepted}); use one of those, or remove export: onnx");
    }

    public static TheoryData<string> Kinds => new(LayerCatalog.Names);

    [Theory]
    [MemberData(nameof(Kinds))]
    public void EveryKindsExampleHasAnOnnxForm(string name)
    {
        var kind = LayerCatalog.Find(name)!;
        var analysis = Analyze("export: onnx\n" + WithLayers(kind.Example.Input, kind.Example.Layer, "{loss: mse}"));
        Assert.Equal(ExportFormats.Onnx, analysis.Spec!.Export);
        Assert.Empty(kind.OnnxProblems(analysis.Spec.Layers[0].Config));
        Assert.DoesNotContain(analysis.Diagnostics, d => d.Id == "MDSL047");
    }

    [Fact]
    public void NonRecurrentLayersExportEveryActivation()
    {
        var analysis = Analyze("export: onnx\n" + WithLayers("[8]", "- dense: {units: 8, activation: gelu}\n- activation: swish\n- dense: {units: 2, activation: selu}", "{loss: mse}"));
        Assert.Empty(analysis.Diagnostics);
    }

    [Fact]
    public void TheExportIsPartOfTheSpecsValue()
    {
        var model = WithLayers("[28, 28]", "- lstm: 8\n" + Softmax, Compile);
        var plain = SpecOf(model);
        var exported = SpecOf(model + "export: onnx\n");
        Assert.Equal(SpecOf(model), plain);
        Assert.Equal(SpecOf(model + "export: onnx\n"), exported);
        Assert.NotEqual(plain, exported);
        Assert.Equal(plain with { Export = ExportFormats.Onnx }, exported with { Span = plain.Span });
    }
}
