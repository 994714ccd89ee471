using System.Text;
using ModelDsl.Cli;

namespace ModelDsl.Cli.Tests;

/// <summary><c>modeldsl</c> run in-process: exit codes, MSBuild-format output, and clear messages for bad files.</summary>
public sealed class CliTests : IDisposable
{
    private const string Valid = """
        model: Digits
        input: [28, 28]
        layers:
          - lstm: {units: 32, return_sequences: true}
          - lstm: 32
          - dense: {units: 10, activation: softmax}
        compile: {optimizer: adam, loss: sparse_categorical_crossentropy, metrics: [accuracy]}

        """;

    private readonly string directory = Directory.CreateTempSubdirectory("modeldsl-cli-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string Write(string name, string text, Encoding? encoding = null)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, text, encoding ?? new UTF8Encoding(false));
        return path;
    }

    private static (int Exit, string Out, string Error) Run(params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        var exit = Program.Run(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void CheckPassesAValidModelSilently()
    {
        Assert.Equal((0, "", ""), Run("check", Write("digits.model.yaml", Valid)));
    }

    [Fact]
    public void CheckPrintsErrorsInMsBuildFormatAndFails()
    {
        var path = Write("digits.model.yaml", Valid.Replace("return_sequences: true", "return_sequence: true"));
        var (exit, output, error) = Run("check", path);
        Assert.Equal(1, exit);
        Assert.Equal(
            $"{path}(4,23): error MDSL010: unknown key 'return_sequence' in layer 1 'lstm'; did you mean 'return_sequences'?\n"
            + $"{path}(5,5): error MDSL030: layer 2 'lstm' needs a 3-D input (batch, time, features) but layer 1 'lstm' gives (batch, 32); set return_sequences: true on layer 1\n",
            output);
        Assert.Equal("", error);
    }

    [Fact]
    public void WarningsAloneDoNotFail()
    {
        var path = Write("digits.model.yaml", Valid.Replace("  - dense: {units: 10, activation: softmax}\n", "  - dense: {units: 10, activation: softmax}\n  - dropout: 0.5\n"));
        var (exit, output, _) = Run("check", path);
        Assert.Equal(0, exit);
        Assert.StartsWith($"{path}(7,5): warning MDSL044: layer 4 'dropout' comes after the output layer 3 'dense'", output);
    }

    [Fact]
    public void CheckReportsEveryFileAndFailsIfAnyHasErrors()
    {
        var good = Write("good.model.yaml", Valid);
        var bad = Write("bad.model.yaml", "input: [28, 28]\nlayers: []\ncompile: {loss: mse}\n");
        var (exit, output, _) = Run("check", bad, good);
        Assert.Equal(1, exit);
        Assert.Equal($"{bad}(2,9): error MDSL021: the model has no layers; list at least one under 'layers'\n", output);
    }

    [Fact]
    public void SummaryPrintsTheShapeTable()
    {
        var (exit, output, error) = Run("summary", Write("digits.model.yaml", Valid));
        Assert.Equal((0, ""), (exit, error));
        Assert.Equal("""
            Model: "Digits"
            _________________________________________________________________
             Layer (type)                Output Shape              Param #
            =================================================================
             lstm (LSTM)                 (None, 28, 32)            7808
             lstm_1 (LSTM)               (None, 32)                8320
             dense (Dense)               (None, 10)                330
            =================================================================
            Total params: 16,458
            Trainable params: 16,458
            Non-trainable params: 0
            _________________________________________________________________

            """.Replace("\r\n", "\n"), output);
    }

    [Fact]
    public void SummaryOfABrokenModelPrintsItsErrorsInstead()
    {
        var path = Write("digits.model.yaml", Valid.Replace("units: 10", "units: 0"));
        var (exit, output, _) = Run("summary", path);
        Assert.Equal(1, exit);
        Assert.Equal($"{path}(6,20): error MDSL013: 'units' of layer 3 'dense' must be a positive integer, but got 0\n", output);
    }

    [Fact]
    public void MissingFilesAndDirectoriesGetAClearMessage()
    {
        var missing = Path.Combine(directory, "nope.model.yaml");
        Assert.Equal((1, "", $"modeldsl: '{missing}' does not exist\n"), Run("check", missing));
        var (exit, output, error) = Run("check", directory);
        Assert.Equal((1, ""), (exit, output));
        Assert.Equal($"modeldsl: '{directory}' is a directory; pass model files, such as {Path.Combine(directory, "*.model.yaml")}\n", error);
    }

    [Fact]
    public void AnUnreadableFileGetsAClearMessage()
    {
        // Permissions do not stop root (CI runs as root), but reading /proc/self/mem at offset 0 fails
        // for everyone with an I/O error.
        Assert.True(OperatingSystem.IsLinux(), "this test needs Linux's /proc");
        const string path = "/proc/self/mem";

        var (exit, output, error) = Run("check", path);
        Assert.Equal((1, ""), (exit, output));
        Assert.StartsWith($"modeldsl: cannot read '{path}': ", error);
    }

    [Fact]
    public void TextThatIsNotUtf8IsLocated()
    {
        var path = Path.Combine(directory, "latin1.model.yaml");
        File.WriteAllBytes(path, Encoding.Latin1.GetBytes("model: Réseau\n" + Valid.Replace("model: Digits\n", "")));
        var (exit, output, _) = Run("check", path);
        Assert.Equal(1, exit);
        Assert.Equal($"{path}(1,9): error MDSL007: the model file contains bytes that are not valid UTF-8 (decoded as U+FFFD); model files are UTF-8 text without control characters\n", output);
    }

    [Fact]
    public void ByteOrderMarksAreHonoured()
    {
        Assert.Equal(0, Run("check", Write("utf16.model.yaml", Valid, new UnicodeEncoding(false, true))).Exit);
        Assert.Equal(0, Run("check", Write("bom.model.yaml", Valid, new UTF8Encoding(true))).Exit);
    }

    [Fact]
    public void AnEmptyFileIsAnError()
    {
        var path = Write("empty.model.yaml", "");
        Assert.Equal((1, $"{path}(1,1): error MDSL003: the model file is empty; expected a mapping with input, layers and compile\n", ""), Run("check", path));
    }

    [Theory]
    [InlineData(new string[0], "modeldsl: missing command")]
    [InlineData(new[] { "chek", "x.model.yaml" }, "modeldsl: unknown command 'chek'; did you mean 'check'?")]
    [InlineData(new[] { "lint", "x.model.yaml" }, "modeldsl: unknown command 'lint'")]
    [InlineData(new[] { "check" }, "modeldsl: 'check' needs at least one model file")]
    [InlineData(new[] { "summary", "--verbose", "x.model.yaml" }, "modeldsl: unknown option '--verbose'")]
    public void UsageErrorsExitWithTwo(string[] args, string message)
    {
        var (exit, output, error) = Run(args);
        Assert.Equal((2, ""), (exit, output));
        Assert.StartsWith(message + "\n", error);
        Assert.Contains("Usage:", error);
    }

    [Fact]
    public void DoubleDashEndsOptions()
    {
        var path = Write("-odd.model.yaml", Valid);
        Assert.Equal(0, Run("check", "--", path).Exit);
    }

    [Fact]
    public void HelpAndVersionSucceed()
    {
        var (exit, output, _) = Run("--help");
        Assert.Equal(0, exit);
        Assert.Contains("modeldsl check FILE...", output);
        var version = Run("--version");
        Assert.Equal(0, version.Exit);
        Assert.False(string.IsNullOrWhiteSpace(version.Out));
    }
}
