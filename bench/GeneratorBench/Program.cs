using System.Diagnostics;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using ModelDsl.Generator;

// Usage: dotnet run -c Release --project bench/GeneratorBench [-- FILES [EDITS]]
var fileCount = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
var edits = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 50;

var parseOptions = new CSharpParseOptions(LanguageVersion.Latest);
var files = Enumerable.Range(0, fileCount).Select(i => (AdditionalText)new ModelText($"/bench/Models/model{i}.model.yaml", Model(i, units: 128))).ToArray();
var compilation = CSharpCompilation.Create(
    "Bench",
    [CSharpSyntaxTree.ParseText("namespace Bench; public static class Program { }", parseOptions, "/bench/Program.cs")],
    ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
        .Where(path => Path.GetFileName(path) is "System.Runtime.dll" or "System.Private.CoreLib.dll")
        .Select(path => MetadataReference.CreateFromFile(path)),
    new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));

GeneratorDriver NewDriver() => CSharpGeneratorDriver.Create(
    [new ModelGenerator().AsSourceGenerator()], files, parseOptions, optionsProvider: null,
    new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: false));

// Cold: a new driver each time, as a fresh build or a restarted IDE sees it. The first run also pays the JIT;
// the compiler server keeps its JIT-compiled code between builds, so the steady figure is the usual one.
var first = Time(() => NewDriver().RunGenerators(compilation));
var cold = Enumerable.Range(0, 20).Select(_ => Time(() => NewDriver().RunGenerators(compilation))).Skip(10).ToArray();

// Warm: one model file edited and the same driver run again, as an IDE does on each keystroke.
var driver = NewDriver().RunGenerators(compilation);
var run = driver.GetRunResult().Results.Single();
var sources = run.GeneratedSources.Length;
if (run.Exception is not null || sources != fileCount + 2)
{
    Console.Error.WriteLine($"the generator did not generate every model: {run.Exception}\n{string.Join("\n", run.Diagnostics.Take(5))}");
    return 1;
}

var warm = new double[edits];
for (var i = 0; i < edits; i++)
{
    var old = files[0];
    files[0] = new ModelText(old.Path, Model(0, units: 64 + i));
    var edited = driver.ReplaceAdditionalText(old, files[0]);
    warm[i] = Time(() => driver = edited.RunGenerators(compilation));
}

// An unrelated C# edit: every model step must come back from the cache.
var program = compilation.SyntaxTrees.Single();
var unrelated = Enumerable.Range(0, edits).Select(i =>
{
    var changed = compilation.ReplaceSyntaxTree(program, program.WithChangedText(SourceText.From($"namespace Bench; public static class Program {{ public const int N = {i}; }}")));
    return Time(() => driver = driver.RunGenerators(changed));
}).ToArray();

// Nothing changed at all: the driver's own bookkeeping over the cached outputs.
var idle = Enumerable.Range(0, edits).Select(_ => Time(() => driver = driver.RunGenerators(compilation))).ToArray();

Console.WriteLine($"model_files={fileCount} generated_sources={sources}");
Console.WriteLine($"cold_first_ms={first:F1} (includes JIT)");
Console.WriteLine($"cold_ms={Median(cold):F1} (median of {cold.Length}, JIT warm; min {cold.Min():F1}) files_per_s={fileCount / (Median(cold) / 1000):F0}");
Console.WriteLine($"warm_one_file_edit_ms={Median(warm):F2} (median of {warm.Length}; min {warm.Min():F2}, p90 {Percentile(warm, 0.9):F2})");
Console.WriteLine($"warm_unrelated_csharp_edit_ms={Median(unrelated):F2} (median of {unrelated.Length})");
Console.WriteLine($"warm_no_change_ms={Median(idle):F2} (median of {idle.Length})");
return 0;

static double Time(Action action)
{
    var watch = Stopwatch.StartNew();
    action();
    return watch.Elapsed.TotalMilliseconds;
}

static double Median(double[] values) => Percentile(values, 0.5);

static double Percentile(double[] values, double p)
{
    var sorted = values.Order().ToArray();
    return sorted[(int)Math.Min(sorted.Length - 1, Math.Round(p * (sorted.Length - 1)))];
}

static string Model(int index, int units) => $$$"""
    model: Model{{{index}}}
    namespace: Bench.Models
    input: [28, 28]
    preprocess: {rescale: 0.00392156862745098}
    layers:
      - lstm: {units: {{{units}}}, activation: relu, return_sequences: true}
      - dropout: 0.2
      - lstm: {units: 128, activation: relu}
      - dropout: 0.2
      - dense: {units: 32, activation: relu}
      - dropout: 0.2
      - dense: {units: 10, activation: softmax}
    compile:
      optimizer: {adam: {learning_rate: 0.001, decay: 0.00001}}
      loss: sparse_categorical_crossentropy
      metrics: [accuracy]
    fit: {epochs: 3, batch_size: 32, seed: 42}
    """;

internal sealed class ModelText(string path, string text) : AdditionalText
{
    private readonly SourceText source = SourceText.From(text);

    public override string Path { get; } = path;

    public override SourceText GetText(CancellationToken cancellationToken = default) => source;
}
