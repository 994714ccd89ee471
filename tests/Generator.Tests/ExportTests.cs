using Microsoft.CodeAnalysis;
using ModelDsl.Generator.Pipeline;
using ModelDsl.Generator.Tests.Infrastructure;
using ModelDsl.Spec;

namespace ModelDsl.Generator.Tests;

/// <summary>
/// Asking for ONNX export in both front ends: <c>export: onnx</c> in a model file and
/// <c>[SequentialModel(Export = "onnx")]</c> give the same spec, and the export checks' diagnostics reach the build
/// located at the model file's node or the attribute's argument.
/// </summary>
public sealed class ExportTests
{
    private const string YamlPath = TestModels.VirtualDirectory + "exported.model.yaml";

    private const string CsPath = "/consumer/Exported.cs";

    private static string Attributes(string export, string layers) => $$"""
        using ModelDsl;

        namespace Consumer.App;

        [SequentialModel({{export}})]
        [Input(28, 28)]
        {{layers}}
        [Dense(10, Activation = "softmax")]
        [Compile(Optimizer = "adam", Loss = "sparse_categorical_crossentropy")]
        public partial class Exported
        {
        }
        """;

    private static string Yaml(string export, string layer) => $"""
        model: Exported
        namespace: Consumer.App
        input: [28, 28]
        {export}
        layers:
          {layer}
          - dense: {"{"}units: 10, activation: softmax{"}"}
        compile: {"{"}optimizer: adam, loss: sparse_categorical_crossentropy{"}"}
        """;

    [Fact]
    public void AModelFileLayerWithNoOnnxFormIsAnErrorAtItsActivation()
    {
        var run = GeneratorHarness.Run([GeneratorHarness.ModelFile(YamlPath, Yaml("export: onnx", "- lstm: {units: 64, activation: gelu}"))]);

        var diagnostic = Assert.Single(run.Result.Diagnostics);
        Assert.Equal("MDSL047", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal("docs/diagnostics.md#mdsl047", diagnostic.Descriptor.HelpLinkUri);
        Assert.Equal(
            $"{YamlPath}(6,35): error MDSL047: layer 1 'lstm' has no ONNX form: its activation 'gelu' is not one ONNX's LSTM op takes "
            + "(linear, relu, sigmoid, tanh, elu, softplus, softsign, hard_sigmoid, leaky_relu); use one of those, or remove export: onnx",
            diagnostic.ToString());
        Assert.Empty(run.Models);
    }

    [Fact]
    public void AnAttributeLayerWithNoOnnxFormIsAnErrorAtItsActivationArgument()
    {
        var run = GeneratorHarness.Run([], (CsPath, Attributes("Export = \"onnx\"", "[Lstm(64, Activation = \"gelu\")]")));

        var diagnostic = Assert.Single(run.Result.Diagnostics);
        Assert.Equal("MDSL047", diagnostic.Id);
        AssertAt(diagnostic, CsPath, line: 7, column: 24);
        Assert.StartsWith("layer 1 'lstm' has no ONNX form: its activation 'gelu' is not one ONNX's LSTM op takes (", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Empty(run.Models);
    }

    [Fact]
    public void AWrappedAttributeLayerIsReportedAtTheWrappedLayersArgument()
    {
        var run = GeneratorHarness.Run([], (CsPath, Attributes("Export = \"onnx\"", "[Bidirectional]\n[Gru(8, RecurrentActivation = \"swish\")]")));

        var diagnostic = Assert.Single(run.Result.Diagnostics);
        Assert.Equal("MDSL047", diagnostic.Id);
        AssertAt(diagnostic, CsPath, line: 8, column: 31);
        Assert.StartsWith("layer 1 'bidirectional' has no ONNX form: the recurrent_activation 'swish' of its gru is not one ONNX's GRU op takes (",
            diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void AnAttributeReluLstmUnderExportIsAWarningAtTheLayerAndTheModelIsGenerated()
    {
        var run = GeneratorHarness.Run([], (CsPath, Attributes("Export = \"onnx\"", "[Lstm(64, Activation = \"relu\")]")));

        var warning = Assert.Single(run.Result.Diagnostics);
        Assert.Equal("MDSL048", warning.Id);
        Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
        AssertAt(warning, CsPath, line: 7, column: 2);
        Assert.Contains("class Exported", run.Model);
    }

    [Theory]
    [InlineData("Export = \"onx\"", "MDSL013", 5, 27, "'export' must be an export format (onnx), but got the string \"onx\" (did you mean 'onnx'?)")]
    [InlineData("\"Named\", Export = \"tflite\"", "MDSL013", 5, 36, "'export' must be an export format (onnx), but got the string \"tflite\"")]
    public void AnUnknownAttributeFormatIsAnErrorAtItsValue(string arguments, string id, int line, int column, string message)
    {
        var run = GeneratorHarness.Run([], (CsPath, Attributes(arguments, "[Lstm(64)]")));

        var diagnostic = Assert.Single(run.Result.Diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(message, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        AssertAt(diagnostic, CsPath, line, column);
    }

    [Theory]
    [InlineData("Export = \"onnx\"", "export: onnx", ExportFormats.Onnx)]
    [InlineData("Export = \"onnx\"", "export: [onnx]", ExportFormats.Onnx)]
    [InlineData("Export = null", "export: null", ExportFormats.None)]
    [InlineData("", "", ExportFormats.None)]
    public void BothFrontEndsAskTheSame(string attribute, string yaml, ExportFormats expected)
    {
        var fromAttributes = Spec(GeneratorHarness.Run([], (CsPath, Attributes(attribute, "[Lstm(64)]"))), TrackingNames.AttributeAnalysis);
        var fromYaml = Spec(GeneratorHarness.Run([GeneratorHarness.ModelFile(YamlPath, Yaml(yaml, "- lstm: 64"))]), TrackingNames.YamlAnalysis);

        Assert.Equal(expected, fromAttributes.Export);
        Assert.Equal(expected, fromYaml.Export);
        Assert.Equal(fromYaml.Layers.Select(l => l.Config), fromAttributes.Layers.Select(l => l.Config));
    }

    [Fact]
    public void WithoutExportNothingIsChecked()
    {
        var attributes = GeneratorHarness.Run([], (CsPath, Attributes(string.Empty, "[Lstm(64, Activation = \"gelu\")]")));
        var yaml = GeneratorHarness.Run([GeneratorHarness.ModelFile(YamlPath, Yaml(string.Empty, "- lstm: {units: 64, activation: gelu}"))]);

        Assert.Empty(attributes.Result.Diagnostics);
        Assert.Empty(yaml.Result.Diagnostics);
        Assert.Contains("class Exported", attributes.Model);
        Assert.Contains("class Exported", yaml.Model);
    }

    /// <summary>The one model's spec as the analysis step handed it on.</summary>
    private static ModelSpec Spec(GeneratorRun run, string step)
    {
        Assert.Empty(run.Result.Diagnostics);
        var output = Assert.Single(run.Result.TrackedSteps[step].SelectMany(r => r.Outputs)).Value;
        var analysis = output switch
        {
            AttributeAnalysis attributes => attributes.Analysis,
            YamlModel yaml => yaml.Analysis,
            _ => throw new InvalidOperationException(output.GetType().Name),
        };
        return analysis.Spec ?? throw new InvalidOperationException("no spec: " + string.Join("\n", analysis.Diagnostics));
    }

    /// <summary>Checks the one-based line and column as MSBuild prints them.</summary>
    private static void AssertAt(Diagnostic diagnostic, string path, int line, int column)
    {
        var span = diagnostic.Location.GetLineSpan();
        Assert.Equal((path, line, column), (span.Path, span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1));
    }
}
