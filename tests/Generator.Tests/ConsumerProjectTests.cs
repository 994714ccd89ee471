using ModelDsl.Generator.Tests.Infrastructure;
using ModelDsl.Package.Tests;

namespace ModelDsl.Generator.Tests;

/// <summary>
/// A fresh console project that uses ModelDsl the way a user's project does (the generator as an analyzer
/// ProjectReference, the runtime, the props/targets that pick up model files), built with the real
/// <c>dotnet build</c>. Slow, so it is one test with two builds.
/// </summary>
public sealed class ConsumerProjectTests : IDisposable
{
    private readonly DirectoryInfo project = Directory.CreateTempSubdirectory("modeldsl-consumer-");

    [Fact]
    public void FreshProjectReportsModelErrorsAtTheirLineThenBuildsTheReferenceModel()
    {
        var generator = Path.Combine(TestModels.RepositoryRoot, "src", "Generator");
        var runtime = Path.Combine(TestModels.RepositoryRoot, "src", "Runtime", "Runtime.csproj");
        Write("Consumer.csproj", $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <Import Project="{generator}/buildTransitive/ModelDsl.ModelFiles.props" />
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <RootNamespace>Consumer.App</RootNamespace>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <GenerateDocumentationFile>true</GenerateDocumentationFile>
              </PropertyGroup>
              <ItemGroup>
                <ProjectReference Include="{runtime}" />
                <ProjectReference Include="{generator}/Generator.csproj" OutputItemType="Analyzer" ReferenceOutputAssembly="false" />
              </ItemGroup>
              <Import Project="{generator}/buildTransitive/ModelDsl.ModelFiles.targets" />
            </Project>
            """);
        Write("Program.cs", """
            Console.WriteLine("nothing to train yet");
            """);

        // Layer 2 is an LSTM fed by an LSTM that returns only its last step.
        Write("Models/broken.model.yaml", """
            input: [28, 28]
            layers:
              - lstm: {units: 64}
              - lstm: {units: 64}
              - dense: {units: 10, activation: softmax}
            compile:
              optimizer: adam
              loss: sparse_categorical_crossentropy
            """);
        var broken = Build();
        Assert.NotEqual(0, broken.ExitCode);
        Assert.Matches(@"broken\.model\.yaml\(4,\d+\): error MDSL030: ", broken.Output);

        File.Delete(Path.Combine(project.FullName, "Models", "broken.model.yaml"));
        Write("Models/mnist-lstm.model.yaml", TestModels.Read("mnist-lstm.model.yaml"));
        // Without namespace: it lands in the project's RootNamespace, which the props make visible to the generator.
        Write("Models/tiny.model.yaml", """
            input: [4]
            layers:
              - dense: {units: 3, activation: softmax}
            compile:
              optimizer: sgd
              loss: sparse_categorical_crossentropy
            """);
        Write("Program.cs", """
            using Examples.Mnist;
            using ModelDsl.Runtime.Data;

            Console.WriteLine(MnistLstm.Summary());
            Console.WriteLine(Consumer.App.Tiny.Summary());
            var (train, test) = Mnist.Load();
            var result = MnistLstm.Train(train, validation: test, epochs: 1);
            Console.WriteLine(result.History);
            """);
        var built = Build();
        Assert.True(built.ExitCode == 0, built.Output);
        Assert.DoesNotMatch(@": warning [A-Z]+\d+", built.Output);
    }

    public void Dispose() => project.Delete(recursive: true);

    private void Write(string relativePath, string text)
    {
        var path = Path.Combine(project.FullName, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private (int ExitCode, string Output) Build() =>
        Dotnet.Run(project.FullName, new Dictionary<string, string>(), TimeSpan.FromMinutes(8),
            "build", "-c", Dotnet.Configuration, "-nodeReuse:false", "-tl:off", "-v:m");
}
