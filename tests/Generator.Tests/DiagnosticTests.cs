using Microsoft.CodeAnalysis;
using ModelDsl.Generator.Tests.Infrastructure;

namespace ModelDsl.Generator.Tests;

/// <summary>
/// Mistakes reach the build through the real driver as located Roslyn diagnostics: in the .model.yaml at the
/// offending node, and for attribute models at the attribute in the .cs file, with the catalogue's ID and help link.
/// </summary>
public sealed class DiagnosticTests
{
    private const string Path = TestModels.VirtualDirectory + "broken.model.yaml";

    [Fact]
    public void LstmAfterLstmWithoutSequencesIsAnErrorAtTheSecondLayer()
    {
        var diagnostic = Single("""
            model: Broken
            input: [28, 28]
            layers:
              - lstm: {units: 128, activation: relu}
              - lstm: {units: 128, activation: relu}
              - dense: {units: 10, activation: softmax}
            compile:
              optimizer: adam
              loss: sparse_categorical_crossentropy
            """);

        Assert.Equal("MDSL030", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        AssertAt(diagnostic, Path, line: 5);
        Assert.Contains("set return_sequences: true on layer 1", diagnostic.GetMessage());
        Assert.Equal("docs/diagnostics.md#mdsl030", diagnostic.Descriptor.HelpLinkUri);
        Assert.StartsWith($"{Path}(5,", diagnostic.ToString());
        Assert.EndsWith("): error MDSL030: layer 2 'lstm' needs a 3-D input (batch, time, features) but layer 1 'lstm' gives (batch, 128); set return_sequences: true on layer 1", diagnostic.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void MisspelledKeyIsAnErrorWithASuggestion()
    {
        var diagnostic = Single("""
            input: [28, 28]
            layers:
              - lstm: {units: 128, return_sequence: true}
              - lstm: {units: 128}
              - dense: {units: 10, activation: softmax}
            compile:
              optimizer: adam
              loss: sparse_categorical_crossentropy
            """, "MDSL010");

        AssertAt(diagnostic, Path, line: 3, column: 24);
        Assert.Contains("return_sequences", diagnostic.GetMessage());
    }

    [Fact]
    public void DropoutAfterTheOutputIsAWarningAndTheModelIsStillGenerated()
    {
        var run = GeneratorHarness.Run([GeneratorHarness.ModelFile(Path, """
            model: Leaky
            input: [16]
            layers:
              - dense: {units: 10, activation: softmax}
              - dropout: 0.2
            compile:
              optimizer: adam
              loss: sparse_categorical_crossentropy
            """)]);

        var warning = Assert.Single(run.Result.Diagnostics);
        Assert.Equal("MDSL044", warning.Id);
        Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
        AssertAt(warning, Path, line: 5);
        Assert.Contains("class Leaky", run.Model);
    }

    [Fact]
    public void AttributeMistakeIsReportedAtTheArgumentInTheCSharpFile()
    {
        const string source = """
            using ModelDsl;

            namespace App;

            [SequentialModel]
            [Input(28, 28)]
            [Lstm(64, Activation = "rleu")]
            [Dense(10, Activation = "softmax")]
            [Compile(Optimizer = "adam", Loss = "sparse_categorical_crossentropy")]
            public partial class Typo
            {
            }
            """;
        var run = GeneratorHarness.Run([], ("/consumer/Typo.cs", source));

        var diagnostic = Assert.Single(run.Result.Diagnostics);
        Assert.Equal("MDSL015", diagnostic.Id);
        AssertAt(diagnostic, "/consumer/Typo.cs", line: 7, column: 24);
        Assert.Contains("relu", diagnostic.GetMessage());
        Assert.Empty(run.Models);
    }

    [Fact]
    public void ShapeMistakeInAttributesPointsAtTheLayerAttribute()
    {
        const string source = """
            using ModelDsl;

            namespace App;

            [SequentialModel, Input(28, 28)]
            [Lstm(64)]
            [Gru(32)]
            [Dense(10, Activation = "softmax")]
            [Compile(Optimizer = "adam", Loss = "sparse_categorical_crossentropy")]
            public partial class Stacked
            {
            }
            """;
        var run = GeneratorHarness.Run([], ("/consumer/Stacked.cs", source));

        var diagnostic = Assert.Single(run.Result.Diagnostics);
        Assert.Equal("MDSL030", diagnostic.Id);
        AssertAt(diagnostic, "/consumer/Stacked.cs", line: 7, column: 2);
    }

    [Fact]
    public void ClassWithoutPartialIsAnErrorAtItsName()
    {
        const string source = """
            using ModelDsl;

            [SequentialModel, Input(4)]
            [Dense(1)]
            [Compile(Optimizer = "sgd", Loss = "mse")]
            public class Whole
            {
            }
            """;
        var run = GeneratorHarness.Run([], ("/consumer/Whole.cs", source));

        var diagnostic = Assert.Single(run.Result.Diagnostics);
        Assert.Equal("MDSL050", diagnostic.Id);
        Assert.Equal("class 'Whole' has [SequentialModel] but is not partial; declare it 'partial class Whole' so ModelDsl can generate the rest of it",
            diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        AssertAt(diagnostic, "/consumer/Whole.cs", line: 6, column: 14);
        Assert.Empty(run.Models);
    }

    [Theory]
    [InlineData("public static partial class Whole", 6, 29, "MDSL051", "class 'Whole' has [SequentialModel] but is static or abstract; a model class is instantiated, so it is a plain (sealed) partial class")]
    [InlineData("public abstract partial class Whole", 6, 31, "MDSL051", "class 'Whole' has [SequentialModel] but is static or abstract; a model class is instantiated, so it is a plain (sealed) partial class")]
    [InlineData("public partial class Whole<T>", 6, 22, "MDSL052", "class 'Whole' has [SequentialModel] but is nested in another type or generic; declare it as a non-generic class directly in a namespace")]
    [InlineData("public partial class Whole : System.Exception", 6, 22, "MDSL053", "class 'Whole' has [SequentialModel] but derives from another class; the generated half derives from ModelDsl.Runtime.Training.SequentialModel, so leave the base class out")]
    public void AModelClassOfTheWrongKindIsAnErrorAtItsName(string declaration, int line, int column, string id, string message)
    {
        var source = $$"""
            using ModelDsl;

            [SequentialModel, Input(4)]
            [Dense(1)]
            [Compile(Optimizer = "sgd", Loss = "mse")]
            {{declaration}}
            {
            }
            """;
        var run = GeneratorHarness.Run([], ("/consumer/Whole.cs", source));

        var diagnostic = Assert.Single(run.Result.Diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(message, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        AssertAt(diagnostic, "/consumer/Whole.cs", line, column);
        Assert.Empty(run.Models);
    }

    [Fact]
    public void ANestedModelClassIsAnErrorAtItsName()
    {
        const string source = """
            using ModelDsl;

            public static class Outer
            {
                [SequentialModel, Input(4)]
                [Dense(1)]
                [Compile(Optimizer = "sgd", Loss = "mse")]
                public partial class Inner
                {
                }
            }
            """;
        var run = GeneratorHarness.Run([], ("/consumer/Outer.cs", source));

        var diagnostic = Assert.Single(run.Result.Diagnostics);
        Assert.Equal("MDSL052", diagnostic.Id);
        Assert.Equal(
            "class 'Inner' has [SequentialModel] but is nested in another type or generic; declare it as a non-generic class directly in a namespace",
            diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        AssertAt(diagnostic, "/consumer/Outer.cs", line: 8, column: 26);
    }

    [Fact]
    public void TwoFilesGeneratingTheSameClassAreReportedNotThrown()
    {
        var model = TestModels.Read("mnist-lstm.model.yaml");
        var run = GeneratorHarness.Run([
            GeneratorHarness.ModelFile("/consumer/a/mnist.model.yaml", model),
            GeneratorHarness.ModelFile("/consumer/b/mnist.model.yaml", model)]);

        Assert.Null(run.Result.Exception);
        Assert.DoesNotContain(run.DriverDiagnostics, d => d.Id == "CS8785");
        Assert.Single(run.Models);
        var diagnostic = Assert.Single(run.Result.Diagnostics);
        Assert.Equal("MDSL054", diagnostic.Id);
        Assert.Equal("/consumer/b/mnist.model.yaml", diagnostic.Location.GetLineSpan().Path);
        Assert.Equal("model 'Examples.Mnist.MnistLstm' is already generated from /consumer/a/mnist.model.yaml; give this one another name or namespace",
            diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void EveryDiagnosticIdHasADistinctDescriptorWithAHelpLink()
    {
        var ids = Diagnostics.DiagnosticConverter.Descriptors.Select(d => d.Id).ToArray();
        Assert.Equal(ids.Length, ids.Distinct().Count());
        Assert.All(Diagnostics.DiagnosticConverter.Descriptors, d =>
        {
            Assert.Matches("^MDSL0\\d\\d$", d.Id);
            Assert.Equal("docs/diagnostics.md#" + d.Id.ToLowerInvariant(), d.HelpLinkUri);
        });
    }

    private static Diagnostic Single(string model, string? id = null)
    {
        var run = GeneratorHarness.Run([GeneratorHarness.ModelFile(Path, model)]);
        Assert.Null(run.Result.Exception);
        Assert.Empty(run.Models);
        return id is null ? Assert.Single(run.Result.Diagnostics) : run.Result.Diagnostics.First(d => d.Id == id);
    }

    /// <summary>Checks the one-based line (and column) as MSBuild prints them.</summary>
    private static void AssertAt(Diagnostic diagnostic, string path, int line, int? column = null)
    {
        var span = diagnostic.Location.GetLineSpan();
        Assert.Equal(path, span.Path);
        Assert.Equal(line, span.StartLinePosition.Line + 1);
        if (column is not null)
        {
            Assert.Equal(column, span.StartLinePosition.Character + 1);
        }
    }
}
