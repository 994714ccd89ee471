namespace ModelDsl.Spec.Tests;

internal static class TestModels
{
    public const string ModelPath = "models/test.model.yaml";

    /// <summary>DESIGN.md's reference model, verbatim.</summary>
    public const string Reference = """
        model: MnistLstm                # generated class name; default: file name in PascalCase
        namespace: Examples.Mnist       # default: the project's RootNamespace
        input: [28, 28]                 # per-sample shape; the batch axis is implicit
        preprocess: {rescale: 0.00392156862745098}   # optional, applied by the generated input path
        layers:
          - lstm: {units: 128, activation: relu, return_sequences: true}
          - dropout: 0.2                # shorthand for {rate: 0.2}
          - lstm: {units: 128, activation: relu}
          - dropout: 0.2
          - dense: {units: 32, activation: relu}
          - dropout: 0.2
          - dense: {units: 10, activation: softmax}
        compile:
          optimizer: {adam: {learning_rate: 0.001, decay: 0.00001}}   # or just: adam
          loss: sparse_categorical_crossentropy
          metrics: [accuracy]
        fit:                            # defaults for Train(); every one can be overridden in C#
          epochs: 3
          batch_size: 32
          shuffle: true
          seed: 42

        """;

    public static ModelAnalysis Analyze(string text, string path = ModelPath) => ModelAnalyzer.AnalyzeYaml(path, text, "Tests.Models");

    /// <summary>A model around <paramref name="layers"/> (list items, one per line) with a plain compile section.</summary>
    public static string WithLayers(string input, string layers, string compile = "{optimizer: adam, loss: mse}") =>
        $"input: {input}\nlayers:\n" + string.Join("\n", layers.Split('\n').Select(l => "  " + l.TrimEnd('\r'))) + $"\ncompile: {compile}\n";

    /// <summary>The one diagnostic with <paramref name="id"/>; fails listing everything when there is not exactly one.</summary>
    public static ModelDiagnostic Single(ModelAnalysis analysis, string id)
    {
        var matching = analysis.Diagnostics.Where(d => d.Id == id).ToList();
        Assert.True(matching.Count == 1, $"expected one {id}, got:\n" + string.Join("\n", analysis.Diagnostics));
        return matching[0];
    }

    /// <summary>Asserts the only diagnostic of <paramref name="id"/> sits at one-based (line, column) with exactly this message.</summary>
    public static ModelDiagnostic AssertDiagnostic(string text, string id, int line, int column, string message, Severity severity = Severity.Error)
    {
        var analysis = Analyze(text);
        var diagnostic = Single(analysis, id);
        Assert.Equal(message, diagnostic.Message);
        Assert.Equal((line, column), (diagnostic.Span.StartLine + 1, diagnostic.Span.StartColumn + 1));
        Assert.Equal(severity, diagnostic.Severity);
        Assert.Equal(ModelPath, diagnostic.Span.Path);
        Assert.InRange(diagnostic.Span.Start + diagnostic.Span.Length, 0, text.Length);
        if (severity == Severity.Error)
        {
            Assert.Null(analysis.Spec);
        }

        return diagnostic;
    }

    public static ModelSpec SpecOf(string text)
    {
        var analysis = Analyze(text);
        Assert.True(analysis.Spec != null, "expected a spec, got:\n" + string.Join("\n", analysis.Diagnostics));
        return analysis.Spec!;
    }
}
