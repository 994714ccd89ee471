using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.Build.Framework;
using ModelDsl.Build;
using TorchSharp;

namespace ModelDsl.Runtime.Tests;

/// <summary>
/// The ELF repair behind ModelDsl.TorchSharp.targets (src/Runtime/build/WeakenVersionNeed.cs), on copies of TorchSharp's
/// real libLibTorchSharp.so from the NuGet cache; the cache itself is only read.
/// </summary>
public sealed class GlibcxxRepairTests : IDisposable
{
    private const string Version = "GLIBCXX_3.4.32";
    private const string HostLibStdCxx = "libstdc++.so.6";
    private const byte VersionFlagWeak = 0x2;

    private readonly string directory = Directory.CreateTempSubdirectory("modeldsl-glibcxx-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void ThePackagesLibraryRequiresTheVersion()
    {
        Assert.Equal(VersionNeed.Required, ElfVersions.GetNeed(File.ReadAllBytes(TorchSharpPackage.Library), Version));
    }

    [Fact]
    public void RepairingChangesOnlyThatEntrysFlagAndLeavesTheSourceAlone()
    {
        var source = CopyOfPackageLibrary();
        var original = File.ReadAllBytes(source);
        var repaired = Path.Combine(directory, "repaired", "libLibTorchSharp.so");

        Assert.Equal(VersionNeed.Required, ElfVersions.WeakenNeedInCopy(source, repaired, Version, out var written));

        Assert.True(written);
        Assert.Equal(original, File.ReadAllBytes(source));
        var result = File.ReadAllBytes(repaired);
        Assert.Equal(VersionNeed.Weak, ElfVersions.GetNeed(result, Version));
        Assert.Equal(original.Length, result.Length);
        var changed = Enumerable.Range(0, original.Length).Where(i => original[i] != result[i]).ToArray();
        var offset = Assert.Single(changed);
        Assert.Equal(VersionFlagWeak, (byte)(result[offset] ^ original[offset]));
    }

    [Fact]
    public void RepairingAgainWritesNothing()
    {
        var source = CopyOfPackageLibrary();
        var repaired = Path.Combine(directory, "libLibTorchSharp.repaired.so");
        ElfVersions.WeakenNeedInCopy(source, repaired, Version, out _);
        var firstWrite = File.GetLastWriteTimeUtc(repaired);
        var bytes = File.ReadAllBytes(repaired);

        ElfVersions.WeakenNeedInCopy(source, repaired, Version, out var written);

        Assert.False(written);
        Assert.Equal(firstWrite, File.GetLastWriteTimeUtc(repaired));
        Assert.Equal(VersionNeed.Weak, ElfVersions.WeakenNeed(bytes, Version));
        Assert.Equal(File.ReadAllBytes(repaired), bytes);
    }

    [Fact]
    public void ALibraryThatDoesNotNeedTheVersionIsNotCopied()
    {
        var source = CopyOfPackageLibrary();
        var repaired = Path.Combine(directory, "not-needed.so");

        Assert.Equal(VersionNeed.Absent, ElfVersions.WeakenNeedInCopy(source, repaired, "GLIBCXX_9.9.9", out var written));

        Assert.False(written);
        Assert.False(File.Exists(repaired));
    }

    [Fact]
    public void AFileThatIsNotAnElfLibraryIsRejectedAndNothingIsWritten()
    {
        var text = Path.Combine(directory, "libLibTorchSharp.so");
        File.WriteAllText(text, "not a library");
        var truncated = Path.Combine(directory, "truncated.so");
        File.WriteAllBytes(truncated, File.ReadAllBytes(TorchSharpPackage.Library)[..4096]);
        var repaired = Path.Combine(directory, "out.so");

        var notElf = Assert.Throws<InvalidDataException>(() => ElfVersions.WeakenNeedInCopy(text, repaired, Version, out _));
        var cut = Assert.Throws<InvalidDataException>(() => ElfVersions.WeakenNeedInCopy(truncated, repaired, Version, out _));

        Assert.Equal($"{text}: not an ELF file", notElf.Message);
        Assert.StartsWith(truncated, cut.Message, StringComparison.Ordinal);
        Assert.Contains("outside the file", cut.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(repaired));
    }

    [Fact]
    public void TheHostLibStdCxxDefinesTheVersionsOfItsOwnReleaseOnly()
    {
        // libstdc++.so.6.0.N defines GLIBCXX_3.4.N as its newest version (GCC 12: 6.0.30, GCC 13: 6.0.32).
        var host = HostLibraries.Find(HostLibStdCxx);
        Assert.NotNull(host);
        var release = Regex.Match(Path.GetFileName(File.ResolveLinkTarget(host, returnFinalTarget: true)?.FullName ?? host), @"^libstdc\+\+\.so\.6\.0\.(\d+)$");
        Assert.True(release.Success, $"{host} is not named libstdc++.so.6.0.N");
        var newest = int.Parse(release.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var image = File.ReadAllBytes(host);

        Assert.True(ElfVersions.DefinesVersion(image, $"GLIBCXX_3.4.{newest}"));
        Assert.True(ElfVersions.DefinesVersion(image, "CXXABI_1.3"));
        Assert.False(ElfVersions.DefinesVersion(image, $"GLIBCXX_3.4.{newest + 1}"));
        Assert.Equal(newest >= 32, ElfVersions.DefinesVersion(image, Version));
        Assert.Equal(VersionNeed.Absent, ElfVersions.GetNeed(image, Version));
    }

    [Fact]
    public void TheTaskHandsBackTheRepairedCopyWithTheOriginalsMetadata()
    {
        var source = CopyOfPackageLibrary();
        var repairedPath = Path.Combine(directory, "obj", "libLibTorchSharp.so");
        var library = new Microsoft.Build.Utilities.TaskItem(source);
        library.SetMetadata("DestinationSubDirectory", "runtimes/linux-x64/native/");
        library.SetMetadata(WeakenVersionNeed.RepairedPathMetadata, repairedPath);
        var unrelated = new Microsoft.Build.Utilities.TaskItem(HostLibraries.Find(HostLibStdCxx)!);
        unrelated.SetMetadata(WeakenVersionNeed.RepairedPathMetadata, Path.Combine(directory, "obj", HostLibStdCxx));
        var engine = new RecordingBuildEngine();
        var task = new WeakenVersionNeed { BuildEngine = engine, Libraries = [library, unrelated], VersionName = Version };

        Assert.True(task.Execute(), string.Join('\n', engine.Errors));

        Assert.Collection(task.Result,
            repaired =>
            {
                Assert.Equal(repairedPath, repaired.ItemSpec);
                Assert.Equal("runtimes/linux-x64/native/", repaired.GetMetadata("DestinationSubDirectory"));
            },
            untouched => Assert.Equal(unrelated.ItemSpec, untouched.ItemSpec));
        Assert.Equal(VersionNeed.Weak, ElfVersions.GetNeed(File.ReadAllBytes(repairedPath), Version));
    }

    private string CopyOfPackageLibrary()
    {
        var copy = Path.Combine(directory, "source", "libLibTorchSharp.so");
        Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
        File.Copy(TorchSharpPackage.Library, copy);
        return copy;
    }

    private sealed class RecordingBuildEngine : IBuildEngine
    {
        public List<string> Errors { get; } = [];

        public bool ContinueOnError => false;

        public int LineNumberOfTaskNode => 0;

        public int ColumnNumberOfTaskNode => 0;

        public string ProjectFileOfTaskNode => string.Empty;

        public bool BuildProjectFile(string projectFileName, string[] targetNames, System.Collections.IDictionary globalProperties,
            System.Collections.IDictionary targetOutputs) => throw new NotSupportedException();

        public void LogCustomEvent(CustomBuildEventArgs e)
        {
        }

        public void LogErrorEvent(BuildErrorEventArgs e) => Errors.Add(e.Message ?? string.Empty);

        public void LogMessageEvent(BuildMessageEventArgs e)
        {
        }

        public void LogWarningEvent(BuildWarningEventArgs e) => Errors.Add(e.Message ?? string.Empty);
    }
}

/// <summary>
/// A small application built with ModelDsl.TorchSharp.targets, TorchLibrary.cs and NativeHeap.cs, as a package consumer builds:
/// the build and publish repair its copy of libLibTorchSharp.so, and without the repair it fails with the real cause.
/// </summary>
public sealed class TorchSharpRepairBuildTests : IDisposable
{
    private const string Version = "GLIBCXX_3.4.32";
    private const int ExplainedFailure = 3;
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(5);

    private readonly string directory = Directory.CreateTempSubdirectory("modeldsl-torchsharp-app-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void BuildRepairsWhereTheHostNeedsItIncrementallyAndPublishRepairsAlways()
    {
        var package = File.ReadAllBytes(TorchSharpPackage.Library);
        var hostLacksVersion = !ElfVersions.DefinesVersion(File.ReadAllBytes(HostLibraries.Find("libstdc++.so.6")!), Version);
        WriteApplication(withLibTorch: true);
        var output = Path.Combine(directory, "bin", "Debug", "net10.0", "linux-x64");
        var library = Path.Combine(output, "libLibTorchSharp.so");

        Dotnet("build", "-p:ModelDslRepairLibTorchSharp=false");
        Assert.Equal(VersionNeed.Required, NeedIn(library));
        var (unrepairedExit, unrepairedOutput) = Run(Path.Combine(output, "app"));
        if (hostLacksVersion)
        {
            Assert.Equal(ExplainedFailure, unrepairedExit);
            Assert.Contains($"libstdc++.so.6 lacks the symbol version {Version}", unrepairedOutput, StringComparison.Ordinal);
            Assert.Contains("ModelDslRepairLibTorchSharp", unrepairedOutput, StringComparison.Ordinal);
        }

        Dotnet("build");
        Assert.Equal(hostLacksVersion ? VersionNeed.Weak : VersionNeed.Required, NeedIn(library));
        Assert.Equal((0, "2"), Run(Path.Combine(output, "app")));
        var built = File.GetLastWriteTimeUtc(library);

        Dotnet("build");
        Assert.Equal(built, File.GetLastWriteTimeUtc(library));

        Dotnet("publish", "-c", "Debug", "-o", "publish");
        Assert.Equal(VersionNeed.Weak, NeedIn(Path.Combine(directory, "publish", "libLibTorchSharp.so")));
        Assert.Equal((0, "2"), Run(Path.Combine(directory, "publish", "app")));
        Assert.Equal(package, File.ReadAllBytes(TorchSharpPackage.Library));
    }

    [Fact]
    public void WithoutALibTorchPackageTheFailureSaysSo()
    {
        WriteApplication(withLibTorch: false);

        Dotnet("build");

        var (exit, output) = Run(Path.Combine(directory, "bin", "Debug", "net10.0", "linux-x64", "app"));
        Assert.Equal(ExplainedFailure, exit);
        Assert.Contains("libtorch is missing", output, StringComparison.Ordinal);
        Assert.Contains("libtorch-cpu-linux-x64", output, StringComparison.Ordinal);
    }

    private void WriteApplication(bool withLibTorch)
    {
        var repository = Path.GetFullPath(Path.Combine(SourceDirectory(), "..", ".."));
        var libTorch = withLibTorch ? $"""<PackageReference Include="libtorch-cpu-linux-x64" Version="{TorchSharpPackage.LibTorchVersion}" />""" : string.Empty;
        File.WriteAllText(Path.Combine(directory, "app.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <RuntimeIdentifier>linux-x64</RuntimeIdentifier>
                <SelfContained>false</SelfContained>
                <AllowUnsafeBlocks>true</AllowUnsafeBlocks>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="TorchSharp" Version="{TorchSharpPackage.Version}" />
                {libTorch}
                <Compile Include="{Path.Combine(repository, "src", "Runtime", "Tensors", "TorchLibrary.cs")}" />
                <Compile Include="{Path.Combine(repository, "src", "Runtime", "Tensors", "NativeHeap.cs")}" />
              </ItemGroup>
              <Import Project="{Path.Combine(repository, "src", "Runtime", "build", "ModelDsl.TorchSharp.targets")}" />
            </Project>
            """);
        File.WriteAllText(Path.Combine(directory, "Program.cs"), $$"""
            try
            {
                ModelDsl.Runtime.TorchLibrary.EnsureLoaded();
            }
            catch (InvalidOperationException e)
            {
                Console.WriteLine(e.Message);
                return {{ExplainedFailure}};
            }
            Console.Write(TorchSharp.torch.ones(2).sum().item<float>());
            return 0;
            """);
    }

    private void Dotnet(params string[] arguments) =>
        Package.Tests.Dotnet.Succeed(directory, NoEnvironment, BuildTimeout, arguments);

    private (int ExitCode, string Output) Run(string program)
    {
        var (exit, output) = Package.Tests.Dotnet.RunProgram(program, directory, NoEnvironment, BuildTimeout);
        return (exit, output.Trim());
    }

    private static readonly Dictionary<string, string> NoEnvironment = [];

    private static VersionNeed NeedIn(string path) => ElfVersions.GetNeed(File.ReadAllBytes(path), Version);

    private static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}

/// <summary>The TorchSharp package this runtime is built against, as NuGet restored it.</summary>
internal static class TorchSharpPackage
{
    /// <summary>The libtorch TorchSharp was built for; TorchSharp gives it as 2.10.0.0, NuGet as 2.10.0.</summary>
    public static string LibTorchVersion { get; } = torch.__version__;

    public static string Version { get; } = typeof(torch).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];

    /// <summary>The package's own libLibTorchSharp.so in the NuGet cache: read, never written.</summary>
    public static string Library { get; } = Path.Combine(
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } packages
            ? packages
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"),
        "torchsharp", Version, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
}
