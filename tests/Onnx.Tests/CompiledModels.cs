using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using ModelDsl.Generator.Tests.Infrastructure;
using ModelDsl.Runtime.Training;
using ModelDsl.Spec;

namespace ModelDsl.Onnx.Tests;

/// <summary>
/// The models the export is checked on, generated and compiled in-process into one assembly: a model per layer kind of
/// the catalogue (its example), the variants in <see cref="Variants"/>, and the examples' models from their own files.
/// </summary>
internal static class CompiledModels
{
    private const string Namespace = "Onnx.Checks";

    /// <summary>Arguments and forms the catalogue examples do not reach: (model name, input, layers).</summary>
    public static readonly IReadOnlyList<(string Name, string Input, string Layers)> Variants =
    [
        ("LstmBackwardSequences", "[6, 3]", "- lstm: {units: 4, return_sequences: true, go_backwards: true}\n  - lstm: {units: 3, activation: relu}"),
        ("LstmWithoutBias", "[5, 3]", "- lstm: {units: 4, use_bias: false, recurrent_activation: hard_sigmoid}"),
        ("LstmVariableLength", "[null, 3]", "- lstm: {units: 4, activation: elu, return_sequences: true}\n  - lstm: 2"),
        ("GruResetBefore", "[5, 3]", "- gru: {units: 4, reset_after: false, return_sequences: true}\n  - gru: {units: 2, go_backwards: true}"),
        ("GruLeakyRelu", "[5, 3]", "- gru: {units: 4, activation: leaky_relu, recurrent_activation: sigmoid}"),
        ("SimpleRnnSequences", "[5, 3]", "- simple_rnn: {units: 4, return_sequences: true, activation: softsign}\n  - simple_rnn: {units: 3, activation: linear}"),
        ("BidirectionalSum", "[5, 3]", "- bidirectional: {layer: {gru: {units: 4, return_sequences: true}}, merge_mode: sum}\n  - bidirectional: {layer: {lstm: 3}, merge_mode: mul}"),
        ("BidirectionalAverage", "[5, 3]", "- bidirectional: {layer: {simple_rnn: {units: 4, return_sequences: true}}, merge_mode: ave}"),
        ("DenseActivations", "[6]", "- dense: {units: 5, activation: gelu}\n  - dense: {units: 5, activation: swish}\n  - dense: {units: 5, activation: selu}\n"
            + "  - dense: {units: 5, activation: hard_sigmoid}\n  - dense: {units: 5, activation: exponential, use_bias: false}\n"
            + "  - dense: {units: 5, activation: softplus}\n  - dense: {units: 4, activation: leaky_relu}\n  - dense: {units: 3, activation: sigmoid}"),
        ("DenseOnSequences", "[4, 6]", "- dense: {units: 5, activation: tanh}\n  - flatten\n  - dense: {units: 3, activation: softmax}"),
        ("Rescaled", "[4]", "- dense: 3"),
    ];

    private static readonly Lazy<Assembly> Compiled = new(Compile);

    /// <summary>The model names of the catalogue's kinds, one each.</summary>
    public static IEnumerable<string> KindModels => LayerCatalog.All.Select(kind => KindModel(kind.Name));

    public static string KindModel(string kind) => "Example" + CaseNames.Pascal(kind);

    /// <summary>A fresh instance of the model class <paramref name="name"/>, seeded.</summary>
    public static SequentialModel Create(string name, int seed = 7)
    {
        var type = Compiled.Value.GetTypes().Single(t => t.Name == name);
        return (SequentialModel)Activator.CreateInstance(type, [null, seed])!;
    }

    private static Assembly Compile()
    {
        var models = new List<AdditionalText>();
        foreach (var kind in LayerCatalog.All)
            models.Add(Model(KindModel(kind.Name), kind.Example.Input, kind.Example.Layer));
        foreach (var (name, input, layers) in Variants)
            models.Add(Model(name, input, "  " + layers, rescale: name == "Rescaled" ? 0.5 : null));
        var examples = Path.Combine(AppContext.BaseDirectory, "Examples");
        foreach (var file in Directory.GetFiles(examples, "*.model.yaml"))
            models.Add(GeneratorHarness.ModelFile(file, File.ReadAllText(file)));
        var attributeModel = Path.Combine(examples, "MnistMlp.cs");

        var compilation = GeneratorHarness.GenerateWithRuntime(models, out var driverDiagnostics, (attributeModel, File.ReadAllText(attributeModel)));
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        var problems = driverDiagnostics.Concat(emitted.Diagnostics).Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        if (!emitted.Success || problems.Length > 0)
            throw new InvalidOperationException("the models did not compile:\n" + string.Join("\n", problems.Select(p => p.ToString())));
        return Assembly.Load(image.ToArray());
    }

    private static AdditionalText Model(string name, string input, string layer, double? rescale = null) =>
        GeneratorHarness.ModelFile($"/models/{name}.model.yaml",
            $"model: {name}\nnamespace: {Namespace}\ninput: {input}\n"
            + (rescale is double r ? $"preprocess: {{rescale: {r.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}\n" : "")
            + $"layers:\n  {layer.TrimStart()}\ncompile: {{loss: mse}}\n");
}
