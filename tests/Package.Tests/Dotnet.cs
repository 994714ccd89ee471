using System.Diagnostics;

namespace ModelDsl.Package.Tests;

/// <summary>Runs the real <c>dotnet</c> CLI in a directory, as a user would, and returns its exit code and output.</summary>
internal static class Dotnet
{
#if DEBUG
    public const string Configuration = "Debug";
#else
    public const string Configuration = "Release";
#endif

    public static string RepositoryRoot { get; } = Path.GetFullPath(Path.Combine(SourceDirectory(), "..", ".."));

    public static (int ExitCode, string Output) Run(string workingDirectory, IReadOnlyDictionary<string, string> environment,
        TimeSpan timeout, params string[] arguments) =>
        RunProgram("dotnet", workingDirectory, environment, timeout, arguments);

    /// <summary>Runs <paramref name="program"/> (dotnet, or an app it built) the same way.</summary>
    public static (int ExitCode, string Output) RunProgram(string program, string workingDirectory,
        IReadOnlyDictionary<string, string> environment, TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };

        // The test host's own MSBuild settings must not leak into a separate build.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToArray())
        {
            start.Environment.Remove(name);
        }

        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(' ', arguments)} did not finish in {timeout}:\n{output.Result}{error.Result}");
        }

        return (process.ExitCode, output.Result + error.Result);
    }

    /// <summary>Runs and asserts success, showing the whole output when it fails.</summary>
    public static string Succeed(string workingDirectory, IReadOnlyDictionary<string, string> environment, TimeSpan timeout, params string[] arguments)
    {
        var (exitCode, output) = Run(workingDirectory, environment, timeout, arguments);
        Assert.True(exitCode == 0, $"dotnet {string.Join(' ', arguments)} exited with {exitCode}:\n{output}");
        return output;
    }

    private static string SourceDirectory([System.Runtime.CompilerServices.CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
