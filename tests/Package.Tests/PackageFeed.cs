namespace ModelDsl.Package.Tests;

/// <summary>
/// A local NuGet feed holding this build's ModelDsl, ModelDsl.Cli and ModelDsl.Templates packages (packed once from
/// the already built projects), a packages folder of its own (so no package cached from an earlier
/// build of the same version is used), and one native build directory that the consumer projects share: the first
/// build pays for the shim, the others find it built.
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
                    "pack", project, "-c", Dotnet.Configuration, "--no-build", "-o", Feed, "-nodeReuse:false", "-tl:off", "-v:m");
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

    public string NativeBuildDirectory => Path.Combine(root.FullName, "native") + "/";

    public string Version { get; } = typeof(PackageFeed).Assembly.GetName().Version!.ToString(3);

    /// <summary>What every command here runs with: its own packages folder and native build directory.</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["NUGET_PACKAGES"] = Path.Combine(root.FullName, "packages"),
        ["ModelDslNativeBuildDir"] = NativeBuildDirectory,
    };

    public string PackagePath(string id) => Path.Combine(Feed, $"{id}.{Version}.nupkg");

    /// <summary>A new, empty directory with a nuget.config that knows only the local feed.</summary>
    public string NewProjectDirectory(string name)
    {
        var directory = Path.Combine(root.FullName, name);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{Feed}" />
              </packageSources>
            </configuration>
            """);
        return directory;
    }

    public void Dispose() => root.Delete(recursive: true);
}

/// <summary>The package tests share one feed and one native build, and run one after another.</summary>
[CollectionDefinition(PackageFeed.Collection)]
public sealed class PackageFeedCollection : ICollectionFixture<PackageFeed>;
