using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace ModelDsl.Generator.Tests.Infrastructure;

/// <summary>The model files and attribute models under tests/Generator.Tests/Models, and the repository's examples.</summary>
internal static class TestModels
{
    /// <summary>Where model files seem to live in the generated diagnostics: a stable, machine-independent path.</summary>
    public const string VirtualDirectory = "/consumer/Models/";

    public static string Directory { get; } = Path.Combine(SourceDirectory(), "Models");

    public static string RepositoryRoot { get; } = Path.GetFullPath(Path.Combine(SourceDirectory(), "..", ".."));

    public static string[] YamlNames { get; } =
        System.IO.Directory.GetFiles(Directory, "*.model.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    public static string[] AttributeNames { get; } =
        System.IO.Directory.GetFiles(Directory, "*.cs").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    /// <summary>The examples' model files, by their path in the repository.</summary>
    public static string[] ExampleFiles { get; } =
        System.IO.Directory.GetFiles(Path.Combine(RepositoryRoot, "examples"), "*.model.yaml", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal).ToArray();

    public static string Read(string name) => File.ReadAllText(Path.Combine(Directory, name)).Replace("\r\n", "\n");

    public static AdditionalText Yaml(string name) => GeneratorHarness.ModelFile(VirtualDirectory + name, Read(name));

    public static (string Path, string Text) Source(string name) => (VirtualDirectory + name, Read(name));

    private static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(Path.GetDirectoryName(path))!;
}
