using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using ModelDsl.Generator.Tests.Infrastructure;

namespace ModelDsl.Generator.Tests;

/// <summary>
/// Property tests of "the generator never throws": thousands of randomly damaged model files, and hundreds of
/// random attribute models, go through the real driver. No exception may escape (CS8785 would drop every
/// generated file); every model that generates nothing must say why with an error located in its own file; and
/// accepted models must produce C# that compiles against the runtime (checked on a sample, as it is slow).
/// </summary>
public sealed class MutationTests
{
    private static readonly string[] Fragments =
    [
        "\t", " ", "  ", "\n", ":", ": ", "-", "- ", "[", "]", "{", "}", ",", "\"", "'", "#", "&a", "*a", "!!int ", "|", ">",
        "0", "-1", "1e309", "99999999999999999999", "0.5", "nan", ".inf", "true", "null", "~", "relu", "softmax",
        "units", "return_sequences", "lstm", "dense", "dropout", "conv2d", "flatten", "reshape", "embedding", "\u00e9", "\u0000", "---\n", "...",
    ];

    [Fact]
    public void DamagedModelFilesNeverEscapeAsExceptions()
    {
        const int iterations = 3000;
        var random = new Random(20240601);
        var seeds = TestModels.YamlNames.Select(name => (Name: name, Text: TestModels.Read(name))).ToArray();
        var current = GeneratorHarness.ModelFile(TestModels.VirtualDirectory + "mutant.model.yaml", seeds[0].Text);
        var compilation = GeneratorHarness.Compilation();
        var driver = GeneratorHarness.Driver([current]);
        var rejected = 0;
        var accepted = 0;

        for (var i = 0; i < iterations; i++)
        {
            var seed = seeds[random.Next(seeds.Length)];
            var text = MutateYaml(seed.Text, random, mutations: 1 + random.Next(4));
            var next = GeneratorHarness.ModelFile(current.Path, text);
            driver = driver.ReplaceAdditionalText(current, next).RunGenerators(compilation);
            current = next;

            var generated = Check(driver, current.Path, $"iteration {i}, mutant of {seed.Name}:\n{text}");
            if (generated is null)
            {
                rejected++;
            }
            else if (accepted++ % 100 == 0)
            {
                AssertCompiles([next], [], text);
            }
        }

        // The mutations must exercise the error paths, not only the happy one.
        Assert.InRange(rejected, iterations / 4, iterations - 100);
    }

    [Fact]
    public void RandomAttributeModelsNeverEscapeAsExceptions()
    {
        const int iterations = 400;
        const string path = "/consumer/Random.cs";
        var random = new Random(7);
        var tree = CSharpSyntaxTree.ParseText(RandomAttributeModel(random), GeneratorHarness.ParseOptions, path);
        var compilation = GeneratorHarness.Compilation().AddSyntaxTrees(tree);
        var driver = GeneratorHarness.Driver([]).RunGenerators(compilation);
        var rejected = 0;
        var accepted = 0;

        for (var i = 0; i < iterations; i++)
        {
            var source = RandomAttributeModel(random);
            var next = tree.WithChangedText(SourceText.From(source));
            compilation = compilation.ReplaceSyntaxTree(tree, next);
            tree = next;
            driver = driver.RunGenerators(compilation);

            if (Check(driver, path, $"iteration {i}:\n{source}") is null)
            {
                rejected++;
            }
            else if (accepted++ % 50 == 0)
            {
                AssertCompiles([], [(path, source)], source);
            }
        }

        Assert.InRange(rejected, iterations / 4, iterations - 20);
    }

    /// <summary>Checks one run; returns the generated model source, or null when the model was rejected.</summary>
    private static string? Check(GeneratorDriver driver, string path, string context)
    {
        var result = driver.GetRunResult().Results.Single();
        Assert.True(result.Exception is null, $"{result.Exception} at {context}");
        Assert.DoesNotContain(result.Diagnostics, d => d.Id is "CS8784" or "CS8785");

        var model = result.GeneratedSources.Where(s => s.HintName != "ModelDsl.Attributes.g.cs" && !s.HintName.StartsWith("Microsoft.", StringComparison.Ordinal)).ToArray();
        if (model.Length == 0)
        {
            var located = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error && d.Location.GetLineSpan().Path == path).ToArray();
            Assert.True(located.Length > 0, $"rejected without a located error at {context}");
            return null;
        }

        Assert.DoesNotContain(result.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        return model.Single().SourceText.ToString();
    }

    private static void AssertCompiles(AdditionalText[] models, (string Path, string Text)[] sources, string context)
    {
        var problems = GeneratorHarness.CompileWithRuntime(models, sources);
        Assert.True(problems.Length == 0, string.Join("\n", problems.Select(p => p.ToString())) + "\nfor:\n" + context);
    }

    private static string MutateYaml(string text, Random random, int mutations)
    {
        for (var m = 0; m < mutations && text.Length > 0; m++)
        {
            var at = random.Next(text.Length);
            var lines = text.Split('\n').ToList();
            switch (random.Next(8))
            {
                case 0:
                    text = text.Remove(at, Math.Min(1 + random.Next(6), text.Length - at));
                    break;
                case 1:
                    text = text.Insert(at, Fragments[random.Next(Fragments.Length)]);
                    break;
                case 2:
                    lines.Insert(random.Next(lines.Count), lines[random.Next(lines.Count)]);
                    text = string.Join("\n", lines);
                    break;
                case 3:
                    var a = random.Next(lines.Count);
                    var b = random.Next(lines.Count);
                    (lines[a], lines[b]) = (lines[b], lines[a]);
                    text = string.Join("\n", lines);
                    break;
                case 4:
                    text = text.Substring(0, at);
                    break;
                case 5:
                    var indented = random.Next(lines.Count);
                    lines[indented] = (random.Next(2) == 0 ? " " : "\t") + lines[indented];
                    text = string.Join("\n", lines);
                    break;
                case 6:
                    // A number changed into another, often out of range.
                    var digit = text.IndexOfAny("0123456789".ToCharArray(), at);
                    if (digit >= 0)
                    {
                        text = text.Remove(digit, 1).Insert(digit, random.Next(3) switch { 0 => "0", 1 => "-7", _ => "4294967296" });
                    }

                    break;
                default:
                    lines.RemoveAt(random.Next(lines.Count));
                    text = string.Join("\n", lines);
                    break;
            }
        }

        return text;
    }

    /// <summary>Valid attribute models, one attribute per line, that the random models start from.</summary>
    private static readonly string[][] AttributeTemplates =
    [
        ["[SequentialModel]", "[Input(28, 28)]", "[Lstm(32, Activation = \"relu\", ReturnSequences = true)]", "[Dropout(0.2)]", "[Gru(16)]",
            "[Dense(10, Activation = \"softmax\")]", "[Compile(Optimizer = \"adam\", LearningRate = 0.001, Loss = \"sparse_categorical_crossentropy\", Metrics = new[] { \"accuracy\" })]",
            "[Fit(Epochs = 2, BatchSize = 32, Seed = 1)]"],
        ["[SequentialModel(\"Cnn\")]", "[Input(28, 28, 1)]", "[Preprocess(Rescale = 1 / 255.0)]", "[Conv2D(8, 3, Activation = \"relu\")]", "[MaxPooling2D(2)]",
            "[Conv2D(16, 3, 3, Strides = 1, Padding = \"same\")]", "[Flatten]", "[Dense(10, Activation = \"softmax\")]",
            "[Compile(Optimizer = \"sgd\", Momentum = 0.9, Loss = \"sparse_categorical_crossentropy\")]"],
        ["[SequentialModel]", "[Input(100)]", "[Embedding(5000, 16)]", "[Conv1D(32, 5, Activation = \"relu\")]", "[MaxPooling1D(2)]", "[SimpleRnn(8)]",
            "[Dense(1, Activation = \"sigmoid\")]", "[Compile(Optimizer = \"rmsprop\", Loss = \"binary_crossentropy\", Metrics = new[] { \"accuracy\" })]"],
        ["[SequentialModel]", "[Input(13)]", "[Dense(32, Activation = \"relu\")]", "[BatchNormalization(Momentum = 0.9)]", "[Activation(\"tanh\")]",
            "[Reshape(8, 4)]", "[Flatten]", "[Dense(1)]", "[Compile(Optimizer = \"adamw\", Loss = \"mse\", Metrics = new[] { \"mae\" })]", "[Fit(ValidationSplit = 0.1, Shuffle = false)]"],
    ];

    private static readonly string[] AttributeFragments =
    [
        "[Lstm(8)]", "[Dense(4, Activation = \"rleu\")]", "[Dropout(1.5)]", "[Flatten]", "[Reshape(-1)]", "[Conv2D(4, 9)]", "[MaxPooling2D(0)]",
        "[Embedding(10, 4)]", "[Activation(\"softmax\")]", "[Gru(0)]", "[Conv1D(4, 3, Strides = -1)]", "[Conv2D(4, 3, Strides = new[] { 2, 2, 2 })]",
        "[Conv2D(4, 3, Strides = \"two\")]", "[Input(0)]", "[Input(28, 28)]", "[Compile(Loss = \"hinge\")]", "[Compile(Optimizer = \"adagrad\")]",
        "[Compile(LearningRate = 0.1)]", "[Fit(Epochs = -1)]", "[Preprocess(Rescale = 0)]", "[BatchNormalization(Epsilon = double.NaN)]",
        "[Dense(int.MaxValue)]",
    ];

    /// <summary>A valid attribute model with up to two random mutations: lines dropped, repeated, swapped, replaced or added.</summary>
    private static string RandomAttributeModel(Random random)
    {
        // [SequentialModel] stays first: without it the class is no model and nothing is expected of it.
        var lines = AttributeTemplates[random.Next(AttributeTemplates.Length)].ToList();
        for (var m = random.Next(3); m > 0; m--)
        {
            var at = 1 + random.Next(lines.Count - 1);
            switch (random.Next(5))
            {
                case 0:
                    lines.RemoveAt(at);
                    break;
                case 1:
                    lines.Insert(at, lines[1 + random.Next(lines.Count - 1)]);
                    break;
                case 2:
                    var other = 1 + random.Next(lines.Count - 1);
                    (lines[at], lines[other]) = (lines[other], lines[at]);
                    break;
                case 3:
                    lines[at] = AttributeFragments[random.Next(AttributeFragments.Length)];
                    break;
                default:
                    lines.Insert(at, AttributeFragments[random.Next(AttributeFragments.Length)]);
                    break;
            }
        }

        // Duplicated single-use attributes are C# errors (CS0579), which the compiler reports itself.
        var unique = lines.Where((line, i) => IsRepeatable(line) || !lines.Take(i).Any(earlier => Kind(earlier) == Kind(line)));
        return "using ModelDsl;\n\nnamespace Fuzz;\n\n" + string.Join("\n", unique) + "\npublic partial class RandomModel\n{\n}\n";
    }

    private static string Kind(string attribute) => attribute.Substring(1).Split('(', ']')[0];

    private static bool IsRepeatable(string attribute) =>
        Kind(attribute) is not ("SequentialModel" or "Input" or "Preprocess" or "Compile" or "Fit");

    private static string Pick(Random random, params string[] options) => options[random.Next(options.Length)];
}
