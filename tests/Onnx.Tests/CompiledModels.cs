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
        ("ConvolutionsSameStrided", "[7, 7, 3]", "- conv2d: {filters: 4, kernel_size: 3, strides: 2, padding: same, activation: relu}\n"
            + "  - max_pooling2d: {pool_size: 3, strides: 2, padding: same}\n  - conv2d: {filters: 3, kernel_size: 2, padding: same}\n"
            + "  - average_pooling2d: {pool_size: 3, strides: 2, padding: same}\n  - flatten\n  - dense: {units: 3, activation: softmax}"),
        ("ConvolutionDilated", "[9, 9, 2]", "- conv2d: {filters: 3, kernel_size: 3, dilation_rate: 2, padding: same, use_bias: false}\n"
            + "  - depthwise_conv2d: {kernel_size: 2, strides: 2, padding: same, activation: tanh}\n  - global_average_pooling2d"),
        ("ConvolutionsVariableLength", "[null, 3]", "- conv1d: {filters: 4, kernel_size: 3, strides: 2, padding: same}\n"
            + "  - conv1d: {filters: 4, kernel_size: 2, padding: causal}\n  - separable_conv1d: {filters: 2, kernel_size: 2, padding: same}\n"
            + "  - max_pooling1d: {pool_size: 2, padding: same}\n  - global_max_pooling1d"),
        ("TransposedWide", "[4, 4, 2]", "- conv2d_transpose: {filters: 2, kernel_size: 2, strides: 3}\n"
            + "  - conv2d_transpose: {filters: 2, kernel_size: 3, strides: 2, padding: same, output_padding: 1, activation: relu}"),
        ("TransposedSame", "[5, 3]", "- conv1d_transpose: {filters: 3, kernel_size: 4, strides: 2, padding: same}\n"
            + "  - conv1d_transpose: {filters: 2, kernel_size: 5, strides: 3, dilation_rate: 1, output_padding: 2}"),
        ("UpSamplingNearest", "[3, 4, 2]", "- up_sampling2d: [2, 3]\n  - zero_padding2d: 1\n  - cropping2d: [[0, 1], [2, 0]]"),
        ("NormalizationAxes", "[4, 3]", "- layer_normalization: {axis: 1}\n  - layer_normalization: {center: false, scale: false}\n"
            + "  - batch_normalization: {epsilon: 0.01, center: false}"),
        ("NormalizationOnImages", "[4, 4, 3]", "- batch_normalization: {scale: false}\n  - layer_normalization: {axis: 2}"),
        ("ReluForms", "[8]", "- relu: {threshold: 0.5, negative_slope: 0.2}\n  - relu: {max_value: 1}\n  - relu"),
        ("TimeDistributedVariableLength", "[null, 3]", "- time_distributed: {layer: {dense: {units: 4, activation: relu}}}\n  - lstm: 2"),
        ("EmbeddingVariableLength", "[null]", "- embedding: {input_dim: 30, output_dim: 4}\n  - gru: {units: 3, return_sequences: true}\n"
            + "  - global_average_pooling1d"),
        ("PermuteAndPRelu", "[2, 3, 4]", "- permute: [3, 1, 2]\n  - prelu\n  - reshape: [-1]"),
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
        foreach (var file in Directory.GetFiles(examples, "*.model.yaml", SearchOption.AllDirectories))
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
