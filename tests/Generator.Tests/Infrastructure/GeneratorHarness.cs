using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace ModelDsl.Generator.Tests.Infrastructure;

/// <summary>Runs <see cref="ModelGenerator"/> in-process, the way the compiler does, over in-memory inputs.</summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    /// <summary>The framework this test runs on, as metadata references for the compilations it builds.</summary>
    public static ImmutableArray<MetadataReference> FrameworkReferences { get; } =
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(path => Path.GetFileName(path).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(path) is "mscorlib.dll" or "netstandard.dll")
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToImmutableArray();

    /// <summary>Parses XML documentation comments and reports their mistakes, as GenerateDocumentationFile does.</summary>
    public static readonly CSharpParseOptions StrictParseOptions = ParseOptions.WithDocumentationMode(DocumentationMode.Diagnose);

    public static CSharpCompilation Compilation(IEnumerable<MetadataReference>? references = null, params (string Path, string Text)[] sources) =>
        CSharpCompilation.Create(
            "Consumer",
            sources.Select(source => CSharpSyntaxTree.ParseText(source.Text, ParseOptions, source.Path)),
            references ?? FrameworkReferences,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    /// <summary>A compilation as strict as a consumer's build can be: every warning wave, nullable, XML docs checked.</summary>
    public static CSharpCompilation StrictCompilation(IEnumerable<MetadataReference> references, params (string Path, string Text)[] sources) =>
        CSharpCompilation.Create(
            "Consumer",
            sources.Select(source => CSharpSyntaxTree.ParseText(source.Text, StrictParseOptions, source.Path)),
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, warningLevel: 9999));

    public static GeneratorDriver Driver(IEnumerable<AdditionalText> modelFiles, string? rootNamespace = "Consumer.App", CSharpParseOptions? parseOptions = null) =>
        CSharpGeneratorDriver.Create(
            new[] { new ModelGenerator().AsSourceGenerator() },
            modelFiles,
            parseOptions ?? ParseOptions,
            new OptionsProvider(rootNamespace),
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator once over <paramref name="modelFiles"/> and <paramref name="sources"/>.</summary>
    public static GeneratorRun Run(IEnumerable<AdditionalText> modelFiles, params (string Path, string Text)[] sources)
    {
        var compilation = Compilation(null, sources);
        var driver = Driver(modelFiles).RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        return new GeneratorRun(driver, driver.GetRunResult().Results.Single(), output, diagnostics);
    }

    /// <summary>
    /// Generates from <paramref name="models"/> and <paramref name="sources"/> and compiles the result against the
    /// real runtime, strictly; returns every warning and error of the driver and the compiler (the models' own
    /// MDSL diagnostics are the analyzer's business, tested elsewhere).
    /// </summary>
    public static Diagnostic[] CompileWithRuntime(IEnumerable<AdditionalText> models, params (string Path, string Text)[] sources)
    {
        var compilation = StrictCompilation(FrameworkReferences.AddRange(RuntimeReferences), sources);
        Driver(models, parseOptions: StrictParseOptions).RunGeneratorsAndUpdateCompilation(compilation, out var output, out var driverDiagnostics);
        return driverDiagnostics.Concat(output.GetDiagnostics())
            .Where(d => (d.Severity >= DiagnosticSeverity.Warning || d.IsWarningAsError) && !d.Id.StartsWith("MDSL", StringComparison.Ordinal))
            .ToArray();
    }

    /// <summary>Generates from <paramref name="models"/> and <paramref name="sources"/> into a compilation against the real runtime.</summary>
    public static Compilation GenerateWithRuntime(IEnumerable<AdditionalText> models, out ImmutableArray<Diagnostic> diagnostics, params (string Path, string Text)[] sources)
    {
        var compilation = Compilation(FrameworkReferences.AddRange(RuntimeReferences), sources);
        Driver(models).RunGeneratorsAndUpdateCompilation(compilation, out var output, out diagnostics);
        return output;
    }

    // The runtime and TorchSharp, whose types the generated code names.
    private static ImmutableArray<MetadataReference> RuntimeReferences { get; } =
    [
        MetadataReference.CreateFromFile(typeof(Runtime.Training.SequentialModel).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(TorchSharp.torch).Assembly.Location),
    ];

    public static AdditionalText ModelFile(string path, string text) => new InMemoryText(path, text);

    private sealed class InMemoryText(string path, string text) : AdditionalText
    {
        private readonly SourceText source = SourceText.From(text);

        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => source;
    }

    private sealed class OptionsProvider(string? rootNamespace) : AnalyzerConfigOptionsProvider
    {
        private readonly Options global = new(rootNamespace is null
            ? ImmutableDictionary<string, string>.Empty
            : ImmutableDictionary<string, string>.Empty.Add("build_property.RootNamespace", rootNamespace));

        public override AnalyzerConfigOptions GlobalOptions => global;

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Options.Empty;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => Options.Empty;
    }

    private sealed class Options(ImmutableDictionary<string, string> values) : AnalyzerConfigOptions
    {
        public static readonly Options Empty = new(ImmutableDictionary<string, string>.Empty);

        public override bool TryGetValue(string key, out string value) => values.TryGetValue(key, out value!);
    }
}

/// <summary>One generator run: the driver (to run again incrementally), its result and the updated compilation.</summary>
internal sealed record GeneratorRun(GeneratorDriver Driver, GeneratorRunResult Result, Compilation Output, ImmutableArray<Diagnostic> DriverDiagnostics)
{
    /// <summary>The generated model sources (not the attribute definitions), by hint name.</summary>
    public IReadOnlyDictionary<string, string> Models =>
        Result.GeneratedSources
            .Where(source => source.HintName != "ModelDsl.Attributes.g.cs" && !source.HintName.StartsWith("Microsoft.CodeAnalysis.", StringComparison.Ordinal))
            .ToDictionary(source => source.HintName, source => source.SourceText.ToString());

    public string Model => Models.Values.Single();
}
