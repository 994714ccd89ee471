using System.Globalization;
using System.Text.RegularExpressions;

namespace ModelDsl.Package.Tests;

/// <summary>
/// Brand-new projects that get ModelDsl only from the local feed, built and run with the real dotnet CLI: the way a
/// user starts: ModelDsl and the libtorch package the application picks (TorchSharp-cpu), no native compile step.
/// Slow (the first restore brings libtorch for every platform), so each test walks through several builds.
/// </summary>
[Collection(PackageFeed.Collection)]
public sealed partial class ConsumerTests(PackageFeed feed)
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(10);

    [Fact]
    public void AConsoleProjectWithModelDslAndTorchSharpCpuChecksBuildsAndTrains()
    {
        var project = feed.NewProjectDirectory("console");
        Dotnet.Succeed(project, feed.Environment, BuildTimeout, "new", "console", "-n", "Digits", "-o", ".");
        Dotnet.Succeed(project, feed.Environment, BuildTimeout, "add", "package", "ModelDsl", "--version", feed.Version);
        Dotnet.Succeed(project, feed.Environment, BuildTimeout, "add", "package", "TorchSharp-cpu", "--version", TorchSharpVersion);
        Assert.Contains($"<PackageReference Include=\"ModelDsl\" Version=\"{feed.Version}\" />", File.ReadAllText(Path.Combine(project, "Digits.csproj")));

        // A mistake in the model file is a compile error at its line, from the package's analyzer.
        File.WriteAllText(Path.Combine(project, "mlp.model.yaml"), Model("- flaten: {}"));
        var broken = Build(project);
        Assert.NotEqual(0, broken.ExitCode);
        Assert.Matches(@"mlp\.model\.yaml\(5,\d+\): error MDSL\d{3}: .*did you mean 'flatten'", broken.Output);

        File.WriteAllText(Path.Combine(project, "mlp.model.yaml"), Model("- flatten: {}"));
        File.WriteAllText(Path.Combine(project, "Program.cs"), """
            using System.Globalization;
            using ModelDsl.Runtime.Data;

            var (train, test) = Mnist.Load();
            var (model, history) = Digits.DigitMlp.Train(train.Take(3000), validation: test.Take(1000), verbose: ModelDsl.Runtime.Training.Verbosity.Silent);
            Console.WriteLine(Digits.DigitMlp.Summary());
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"val_accuracy={history["val_accuracy"][^1]:F4}"));

            // Keras' fit(x, y): .NET arrays straight in, every sample of class 3.
            var pixels = new float[64, 28, 28];
            var labels = Enumerable.Repeat(3L, 64).ToArray();
            var (onArrays, arrayHistory) = Digits.DigitMlp.Train(pixels, labels, epochs: 2, verbose: ModelDsl.Runtime.Training.Verbosity.Silent);
            using (onArrays)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"array_loss={arrayHistory["loss"][0]:F4},{arrayHistory["loss"][^1]:F4}"));
            """);
        var built = Build(project);
        Assert.True(built.ExitCode == 0, built.Output);
        Assert.DoesNotMatch(@": warning [A-Z]+\d+", built.Output);
        Assert.DoesNotMatch("(?i)cmake|g\\+\\+|modeldsl_native", built.Output);

        var run = Dotnet.Succeed(project, feed.Environment, BuildTimeout, "run", "--no-build");
        Assert.Contains("Total params: 50,890", run);
        Assert.True(ValAccuracy(run) >= 0.85, run);

        // Two epochs on one class lower the loss.
        var arrayLoss = Regex.Match(run, @"array_loss=([0-9.]+),([0-9.]+)");
        Assert.True(arrayLoss.Success, run);
        Assert.True(double.Parse(arrayLoss.Groups[2].Value, CultureInfo.InvariantCulture) < double.Parse(arrayLoss.Groups[1].Value, CultureInfo.InvariantCulture), run);
    }

    [Fact]
    public void TheTemplateMakesAProjectThatBuildsAndTrains()
    {
        var hive = Path.Combine(feed.NewProjectDirectory("template-hive"), "hive");
        Dotnet.Succeed(feed.Feed, feed.Environment, BuildTimeout, "new", "install", feed.PackagePath("ModelDsl.Templates"), "--debug:custom-hive", hive);
        var parent = feed.NewProjectDirectory("template");
        Dotnet.Succeed(parent, feed.Environment, BuildTimeout, "new", "modeldsl", "-n", "my-digits", "--debug:custom-hive", hive);
        var project = Path.Combine(parent, "my-digits");
        Assert.True(File.Exists(Path.Combine(project, "my-digits.csproj")));
        Assert.Contains("using my_digits;", File.ReadAllText(Path.Combine(project, "Program.cs")));

        var built = Build(project);
        Assert.True(built.ExitCode == 0, built.Output);
        Assert.DoesNotMatch(@": warning [A-Z]+\d+", built.Output);

        var run = Dotnet.Succeed(project, feed.Environment, BuildTimeout, "run", "--no-build");
        var accuracy = TestAccuracy().Match(run);
        Assert.True(accuracy.Success, run);
        Assert.True(double.Parse(accuracy.Groups[1].Value, CultureInfo.InvariantCulture) >= 0.95, run);
    }

    // A dense MLP on MNIST; the first layer line is the one under test.
    private static string Model(string firstLayer) => $$"""
        model: DigitMlp
        input: [28, 28]
        preprocess: {rescale: 0.00392156862745098}
        layers:
          {{firstLayer}}
          - dense: {units: 64, activation: relu}
          - dense: {units: 10, activation: softmax}
        compile: {optimizer: adam, loss: sparse_categorical_crossentropy, metrics: [accuracy]}
        fit: {epochs: 3, batch_size: 32, seed: 1}
        """;

    // What the template and this repository name; TorchSharp-cpu carries the libtorch it was built for.
    private const string TorchSharpVersion = "0.107.0";

    private (int ExitCode, string Output) Build(string project, params string[] properties) =>
        Dotnet.Run(project, feed.Environment, BuildTimeout, ["build", "-nodeReuse:false", "-tl:off", "-v:m", .. properties]);

    private static double ValAccuracy(string output) =>
        double.Parse(Regex.Match(output, @"val_accuracy=([0-9.]+)").Groups[1].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"test accuracy: ([0-9.]+)")]
    private static partial Regex TestAccuracy();
}
