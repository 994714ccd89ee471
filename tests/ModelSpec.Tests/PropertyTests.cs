using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace ModelDsl.Spec.Tests;

/// <summary>
/// Thousands of mutated model files through <see cref="ModelAnalyzer.AnalyzeYaml"/>: it must never fail (no internal
/// error), stay fast, and give every file with errors a diagnostic located inside the file, at the line and column
/// its offset says.
/// </summary>
public class PropertyTests
{
    private const int Files = 6_000;
    private const string FilePath = "fuzz/net.model.yaml";

    /// <summary>Generous against a loaded CI machine; a typical file takes well under a millisecond.</summary>
    private static readonly TimeSpan PerFileBound = TimeSpan.FromSeconds(2);

    private static readonly string[] Seeds =
    {
        TestModels.Reference,
        """
        model: MnistCnn
        input: [28, 28, 1]
        preprocess: {rescale: 0.00392156862745098}
        layers:
          - conv2d: {filters: 32, kernel_size: 3, activation: relu, padding: same}
          - max_pooling2d: {pool_size: [2, 2], strides: 2}
          - batch_normalization: {momentum: 0.9}
          - conv2d: {filters: 64, kernel_size: [3, 3], strides: 1, activation: relu}
          - max_pooling2d
          - flatten
          - dropout: 0.5
          - dense: {units: 10, activation: softmax, name: classifier}
        compile:
          optimizer: {sgd: {learning_rate: 0.01, momentum: 0.9, nesterov: true}}
          loss: sparse_categorical_crossentropy
          metrics: [accuracy]
        fit: {epochs: 2, batch_size: 64, validation_split: 0.1}
        """,
        """
        input: [200]
        input_dtype: int64
        layers:
          - embedding:
              input_dim: 20000
              output_dim: 64
          - gru: {units: 32, return_sequences: true, reset_after: false}
          - simple_rnn: 16
          - dense: {units: 1, activation: sigmoid}
        compile:
          optimizer: {adamw: {learning_rate: 0.0005, weight_decay: 0.01}}
          loss: {binary_crossentropy: {from_logits: false}}
          metrics: [accuracy, mae]
        """,
        """
        model: Sensor
        namespace: Demo.Signals
        input: [128, 9]
        layers:
          - conv1d: {filters: 16, kernel_size: 5, dilation_rate: 2, activation: relu}
          - max_pooling1d: {pool_size: 2}
          - conv1d: {filters: 16, kernel_size: 3, strides: 2, padding: same}
          - flatten
          - reshape: [-1, 8]
          - lstm: {units: 8}
          - activation: tanh
          - dense: 6
          - activation: softmax
        compile: {optimizer: rmsprop, loss: categorical_crossentropy, metrics: [categorical_accuracy]}
        fit:
          epochs: 10
          shuffle: false
          seed: 1
        """,
    };

    private readonly ITestOutputHelper output;

    public PropertyTests(ITestOutputHelper output) => this.output = output;

    [Fact]
    public void SeedsAreValidModels()
    {
        Assert.All(Seeds, seed => Assert.Empty(ModelAnalyzer.AnalyzeYaml(FilePath, seed, null).Diagnostics));
    }

    [Fact]
    public void MutatedModelsNeverFailAndAlwaysLocateTheirErrors()
    {
        var random = new Random(20_240_611);
        var total = Stopwatch.StartNew();
        var slowest = TimeSpan.Zero;
        var withErrors = 0;
        var ids = new SortedDictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < Files; i++)
        {
            var text = Seeds[random.Next(Seeds.Length)];
            var mutations = 1 + random.Next(3);
            for (var m = 0; m < mutations; m++)
            {
                text = Mutate(text, random);
            }

            var clock = Stopwatch.StartNew();
            var analysis = ModelAnalyzer.AnalyzeYaml(FilePath, text, "Fuzz");
            clock.Stop();
            slowest = clock.Elapsed > slowest ? clock.Elapsed : slowest;
            Assert.True(clock.Elapsed < PerFileBound, $"{clock.Elapsed.TotalMilliseconds:F0} ms for:\n{text}");

            Check(text, analysis);
            withErrors += analysis.HasErrors ? 1 : 0;
            foreach (var id in analysis.Diagnostics.Select(d => d.Id).Distinct())
            {
                ids[id] = ids.TryGetValue(id, out var n) ? n + 1 : 1;
            }

            // The generator caches on equality: the same text must always analyse to an equal result.
            if (i % 50 == 0)
            {
                Assert.Equal(analysis, ModelAnalyzer.AnalyzeYaml(FilePath, text, "Fuzz"));
            }
        }

        output.WriteLine($"{Files} files, {withErrors} with errors, {total.Elapsed.TotalSeconds:F2} s in all, slowest {slowest.TotalMilliseconds:F1} ms");
        output.WriteLine(string.Join(", ", ids.Select(p => $"{p.Key}: {p.Value}")));

        // The mutations must actually reach deep into the checks, not just break the YAML.
        Assert.InRange(withErrors, Files / 2, Files);
        Assert.True(ids.Count >= 25, "only these IDs were reached: " + string.Join(", ", ids.Keys));
    }

    [Theory]
    [InlineData("billion laughs")]
    [InlineData("deep flow nesting")]
    [InlineData("deep block nesting")]
    [InlineData("many layers")]
    [InlineData("long name")]
    [InlineData("many keys")]
    public void HostileFilesStayFast(string kind)
    {
        var text = kind switch
        {
            "billion laughs" => "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
                + string.Concat(Enumerable.Range(0, 9).Select(i => $"{(char)('b' + i)}: &{(char)('b' + i)} [" + string.Join(",", Enumerable.Repeat("*" + (char)('a' + i), 9)) + "]\n")),
            "deep flow nesting" => "input: " + new string('[', 200_000) + new string(']', 200_000),
            "deep block nesting" => string.Concat(Enumerable.Range(0, 1_000).Select(i => new string(' ', i) + "a:\n")),
            "many layers" => TestModels.WithLayers("[64]", string.Join("\n", Enumerable.Repeat("- dense: {units: 64, activation: relu}\n- dropout: 1.5", 5_000))),
            "long name" => "model: " + new string('x', 900_000) + "\n" + TestModels.WithLayers("[1]", "- dense: 1"),
            _ => string.Concat(Enumerable.Range(0, 30_000).Select(i => $"key{i}: {i}\n")),
        };

        var clock = Stopwatch.StartNew();
        var analysis = ModelAnalyzer.AnalyzeYaml(FilePath, text, null);
        clock.Stop();
        output.WriteLine($"{kind}: {text.Length:N0} characters, {clock.Elapsed.TotalMilliseconds:F0} ms, {analysis.Diagnostics.Count} diagnostics");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"{kind} took {clock.Elapsed}");
        Check(text, analysis);
        Assert.True(analysis.HasErrors);
        Assert.InRange(analysis.Diagnostics.Count, 1, ModelAnalyzer.MaxDiagnostics + 1);
    }

    /// <summary>The invariants every analysis keeps, whatever the input.</summary>
    private static void Check(string text, ModelAnalysis analysis)
    {
        Assert.DoesNotContain(analysis.Diagnostics, d => d.Id == "MDSL099");
        var lines = LineStarts(text);
        foreach (var diagnostic in analysis.Diagnostics)
        {
            var span = diagnostic.Span;
            Assert.Equal(FilePath, span.Path);
            Assert.NotNull(DiagnosticCatalog.Find(diagnostic.Id));
            Assert.False(string.IsNullOrWhiteSpace(diagnostic.Message));
            Assert.InRange(span.Start, 0, text.Length);
            Assert.InRange(span.Length, 0, text.Length - span.Start);
            Assert.Equal(Position(lines, span.Start), (span.StartLine, span.StartColumn));
            Assert.Equal(Position(lines, span.Start + span.Length), (span.EndLine, span.EndColumn));
        }

        if (analysis.HasErrors)
        {
            Assert.Null(analysis.Spec);
        }
        else
        {
            Assert.NotNull(analysis.Spec);
            Assert.InRange(analysis.Spec!.TotalParameters, 0, long.MaxValue);
            Assert.StartsWith("Model: ", ModelSummary.Format(analysis.Spec));
        }
    }

    private static List<int> LineStarts(string text)
    {
        var starts = new List<int> { 0 };
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                i++;
            }

            if (text[i] is '\r' or '\n')
            {
                starts.Add(i + 1);
            }
        }

        return starts;
    }

    private static (int Line, int Column) Position(List<int> starts, int offset)
    {
        var line = starts.FindLastIndex(s => s <= offset);
        return (line, offset - starts[line]);
    }

    private static readonly string[] Values =
    {
        "99999999999999999999999", "-1", "0", "-0.5", "1e309", "1.5", ".nan", "-.inf", "2147483648", "'128'", "\"x\"", "true", "yes",
        "~", "", "[]", "{}", "[1, [2, [3]]]", "{a: 1, b: [2]}", "!!str 5", "&anchor 3", "*anchor", "relu", "lstm", "|\n  block",
        "\"\\u0000\"", "'1/255'", "[28, 28, 1]", "[0, -1]", "softmax", "sparse_categorical_crossentropy", "{adam: {lr: 1}}",
    };

    private static readonly string[] Keys =
    {
        "units", "unit", "return_sequence", "activation", "kernel_size", "strides", "pool_size", "filters", "rate", "input",
        "layers", "compile", "fit", "loss", "optimizer", "metrics", "from_logits", "name", "target_shape", "padding", "epochs",
        "batch_size", "input_dim", "output_dim", "input_shape", "equential", "lstmm", "dense", "dropout", "reshape", "flatten",
    };

    private static readonly string[] Fragments =
    {
        "\t", "\u0007", "\u0000", "\uFFFD", "\uFEFF", "é", "😀", ":", ": ", "- ", "{", "}", "[", "]", "#", "'", "\"", "&a ", "*a", "!!int ",
        "\n---\n", "\n...\n", "? ", "|", ">", "%YAML 1.2\n", "\r", "\r\n", ",", "\\", "@", "`",
    };

    private static string Mutate(string text, Random random)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n').ToList();
        int AnyLine() => random.Next(lines.Count);
        switch (random.Next(16))
        {
            case 0:
            {
                // Flip a byte of the UTF-8 encoding; decode as the generator and CLI do, with U+FFFD for what breaks.
                var bytes = Encoding.UTF8.GetBytes(text);
                if (bytes.Length > 0)
                {
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                }

                return new UTF8Encoding(false, false).GetString(bytes);
            }

            case 1:
                lines.RemoveAt(AnyLine());
                break;
            case 2:
            {
                var line = AnyLine();
                lines.Insert(line, lines[line]);
                break;
            }

            case 3:
            {
                var (a, b) = (AnyLine(), AnyLine());
                (lines[a], lines[b]) = (lines[b], lines[a]);
                break;
            }

            case 4:
                return text.Substring(0, random.Next(text.Length + 1));
            case 5:
            {
                // Replace one number with an awkward one.
                var numbers = Regex.Matches(text, @"-?\d+(\.\d+)?([eE][-+]?\d+)?");
                if (numbers.Count == 0)
                {
                    return text;
                }

                var match = numbers[random.Next(numbers.Count)];
                return text.Substring(0, match.Index) + Values[random.Next(Values.Length)] + text.Substring(match.Index + match.Length);
            }

            case 6:
            {
                // Replace the value after some ': ' with a value of another type.
                var colons = Regex.Matches(text, @": ([^\n,}\]]*)");
                if (colons.Count == 0)
                {
                    return text;
                }

                var group = colons[random.Next(colons.Count)].Groups[1];
                return text.Substring(0, group.Index) + Values[random.Next(Values.Length)] + text.Substring(group.Index + group.Length);
            }

            case 7:
            {
                // Rename a key: another valid key, a typo of one, or a Keras-style spelling.
                var keys = Regex.Matches(text, @"(?m)([a-z_0-9]+):");
                if (keys.Count == 0)
                {
                    return text;
                }

                var key = keys[random.Next(keys.Count)].Groups[1];
                var replacement = random.Next(3) switch
                {
                    0 => Keys[random.Next(Keys.Length)],
                    1 when key.Length > 1 => key.Value.Remove(random.Next(key.Length), 1),
                    _ => key.Value.ToUpperInvariant(),
                };
                return text.Substring(0, key.Index) + replacement + text.Substring(key.Index + key.Length);
            }

            case 8:
            {
                var position = random.Next(text.Length + 1);
                return text.Substring(0, position) + Fragments[random.Next(Fragments.Length)] + text.Substring(position);
            }

            case 9:
            {
                // Shift a line's indentation.
                var line = AnyLine();
                lines[line] = random.Next(2) == 0 ? " " + lines[line] : lines[line].TrimStart(' ');
                break;
            }

            case 10:
            {
                var depth = random.Next(1, 120);
                var line = AnyLine();
                lines[line] = lines[line] + " " + new string('[', depth) + "1" + new string(']', random.Next(depth + 1));
                break;
            }

            case 11:
            {
                // A new layer of any kind, with arguments of any kind.
                var layersAt = lines.FindIndex(l => l.StartsWith("layers:", StringComparison.Ordinal));
                var layer = $"  - {Keys[random.Next(Keys.Length)]}: {{{Keys[random.Next(Keys.Length)]}: {Values[random.Next(Values.Length)].Replace("\n", " ")}}}";
                lines.Insert(layersAt < 0 ? AnyLine() : layersAt + 1 + random.Next(Math.Max(1, lines.Count - layersAt - 1)), layer);
                break;
            }

            case 12:
            {
                // Raw bytes that are not UTF-8.
                var bytes = Encoding.UTF8.GetBytes(text).ToList();
                var garbage = Enumerable.Range(0, random.Next(1, 8)).Select(_ => (byte)random.Next(0x80, 0x100));
                bytes.InsertRange(random.Next(bytes.Count + 1), garbage);
                return new UTF8Encoding(false, false).GetString(bytes.ToArray());
            }

            case 13:
                lines.Insert(AnyLine(), Keys[random.Next(Keys.Length)] + ": " + Values[random.Next(Values.Length)]);
                break;
            case 14:
            {
                // Anchor a value and alias it elsewhere.
                var line = AnyLine();
                lines[line] = lines[line].Replace(": ", ": &x ");
                lines.Insert(AnyLine(), "alias: *x");
                break;
            }

            default:
            {
                var line = AnyLine();
                lines[line] = "\t" + lines[line];
                break;
            }
        }

        return string.Join(random.Next(10) == 0 ? "\r\n" : "\n", lines);
    }
}
