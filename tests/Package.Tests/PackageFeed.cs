namespace ModelDsl.Package.Tests;

/// <summary>
/// A local NuGet feed holding this build's ModelDsl, ModelDsl.Cli and ModelDsl.Templates packages, packed once from
/// the already built projects under a version of this run's own (so no package cached from an earlier build is
/// used). The consumer projects share the machine's packages folder, where TorchSharp and libtorch (hundreds of MB)
/// are restored once; this run's ModelDsl packages are removed from it at the end.
/// </summary>
public sealed class PackageFeed : IDisposable
{
    public const string Collection = "package feed";

    private static readonly string[] Packed = ["src/Runtime/Runtime.csproj", "src/Cli/Cli.csproj", "src/Templates/Templates.csproj"];

    private readonly DirectoryInfo root = Directory.CreateTempSubdirectory("modeldsl-package-");

    public PackageFeed()
    {
        Directory.CreateDirectory(Feed);
        try
        {
            foreach (var project in Packed)
            {
                Dotnet.Succeed(Dotnet.RepositoryRoot, Environment, TimeSpan.FromMinutes(5),
                    "pack", project, "-c", Dotnet.Configuration, "--no-build", "-o", Feed, $"-p:Version={Version}", "-nodeReuse:false", "-tl:off", "-v:m");
            }
        }
        catch
        {
            // xunit disposes only fixtures it could construct.
            Dispose();
            throw;
        }
    }

    public string Feed => Path.Combine(root.FullName, "feed");

    /// <summary>This build's version with a prerelease tag of this run.</summary>
    public string Version { get; } =
        $"{typeof(PackageFeed).Assembly.GetName().Version!.ToString(3)}-test.{DateTime.UtcNow:yyyyMMddHHmmssfff}";

    /// <summary>What every command here runs with.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; } = new Dictionary<string, string>();

    public string PackagePath(string id) => Path.Combine(Feed, $"{id}.{Version}.nupkg");

    /// <summary>A new, empty directory with a nuget.config that adds the local feed to the machine's sources.</summary>
    public string NewProjectDirectory(string name)
    {
        var directory = Path.Combine(root.FullName, name);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="modeldsl-local" value="{Feed}" />
              </packageSources>
            </configuration>
            """);
        return directory;
    }

    public void Dispose()
    {
        root.Delete(recursive: true);
        var packages = System.Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var id in new[] { "modeldsl", "modeldsl.cli", "modeldsl.templates" })
        {
            var restored = Path.Combine(packages, id, Version.ToLowerInvariant());
            if (Directory.Exists(restored))
                Directory.Delete(restored, recursive: true);
        }
    }
}

/// <summary>The package tests share one feed and run one after another.</summary>
[CollectionDefinition(PackageFeed.Collection)]
public sealed class PackageFeedCollection : ICollectionFixture<PackageFeed>;
