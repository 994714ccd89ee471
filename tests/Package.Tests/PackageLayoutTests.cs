using System.IO.Compression;
using System.Xml.Linq;

namespace ModelDsl.Package.Tests;

/// <summary>What each package holds, read from the .nupkg files themselves.</summary>
[Collection(PackageFeed.Collection)]
public sealed class PackageLayoutTests(PackageFeed feed)
{
    [Fact]
    public void ModelDslCarriesTheRuntimeTheGeneratorAndTheBuildFilesAndNoLibTorch()
    {
        using var package = ZipFile.OpenRead(feed.PackagePath("ModelDsl"));
        var entries = package.Entries.Select(e => e.FullName).ToHashSet();

        Assert.Contains("lib/net10.0/ModelDsl.Runtime.dll", entries);
        foreach (var analyzer in new[] { "ModelDsl.Generator.dll", "ModelDsl.ModelSpec.dll", "YamlDotNet.dll" })
        {
            Assert.Contains($"analyzers/dotnet/cs/{analyzer}", entries);
        }

        foreach (var build in new[] { "ModelDsl.props", "ModelDsl.targets", "ModelDsl.ModelFiles.props", "ModelDsl.ModelFiles.targets", "ModelDsl.TorchSharp.targets" })
        {
            Assert.Contains($"buildTransitive/{build}", entries);
        }

        // No native code of its own: neither sources nor binaries.
        Assert.DoesNotContain(entries, e => e.StartsWith("native/", StringComparison.Ordinal) || e.EndsWith(".so", StringComparison.Ordinal));
        Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal) && !e.StartsWith("lib/net10.0/ModelDsl.Runtime.", StringComparison.Ordinal));

        // The analyzer's dependencies ride inside it. Of libtorch the package depends on the managed TorchSharp alone,
        // so the application picks its libtorch (CPU or CUDA, per platform); the data loaders add two managed
        // libraries (CSV files, images) and nothing native.
        var dependencies = Nuspec(package, "ModelDsl.nuspec").Descendants().Where(e => e.Name.LocalName == "dependency")
            .Select(e => e.Attribute("id")?.Value ?? "").Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["CsvHelper", "SixLabors.ImageSharp", "TorchSharp"], dependencies);
    }

    [Fact]
    public void TheToolIsAPackageOfItsOwn()
    {
        using var package = ZipFile.OpenRead(feed.PackagePath("ModelDsl.Cli"));
        var settings = package.Entries.Single(e => e.FullName.EndsWith("/DotnetToolSettings.xml", StringComparison.Ordinal));
        using var stream = settings.Open();
        var command = XDocument.Load(stream).Descendants("Command").Single();
        Assert.Equal("modeldsl", command.Attribute("Name")?.Value);
        Assert.Contains(package.Entries, e => e.FullName.EndsWith("/ModelDsl.ModelSpec.dll", StringComparison.Ordinal));
        Assert.Contains(Nuspec(package, "ModelDsl.Cli.nuspec").Descendants(), e => e.Name.LocalName == "packageType" && e.Attribute("name")?.Value == "DotnetTool");
    }

    [Fact]
    public void TheTemplateNamesThisVersionOfModelDsl()
    {
        using var package = ZipFile.OpenRead(feed.PackagePath("ModelDsl.Templates"));
        var entries = package.Entries.Select(e => e.FullName).ToHashSet();
        Assert.Contains("content/modeldsl-console/.template.config/template.json", entries);
        Assert.Contains("content/modeldsl-console/digits.model.yaml", entries);

        using var reader = new StreamReader(package.GetEntry("content/modeldsl-console/ModelDslApp.1.csproj")!.Open());
        var project = reader.ReadToEnd();
        Assert.Contains($"<PackageReference Include=\"ModelDsl\" Version=\"{feed.Version}\" />", project);
        Assert.DoesNotContain("MODELDSL_VERSION", project);
        Assert.Contains(Nuspec(package, "ModelDsl.Templates.nuspec").Descendants(), e => e.Name.LocalName == "packageType" && e.Attribute("name")?.Value == "Template");
    }

    private static XDocument Nuspec(ZipArchive package, string name)
    {
        using var stream = package.GetEntry(name)!.Open();
        return XDocument.Load(stream);
    }
}
