using System.Diagnostics;

namespace ModelDsl.Runtime.Tests.Data;

/// <summary>Runs a script in Debian's interpreter (python3-numpy, python3-pandas, python3-pil) to write real files.</summary>
internal static class Python
{
    // Debian's interpreter: the one its python3-* packages install into, whatever `python3` a PATH points at first.
    private const string Interpreter = "/usr/bin/python3";

    /// <summary>Runs <paramref name="script"/> with <paramref name="arguments"/>; returns its standard output.</summary>
    public static string Run(string script, params string[] arguments)
    {
        Assert.True(File.Exists(Interpreter), $"{Interpreter} is missing: run scripts/bootstrap.sh");
        var start = new ProcessStartInfo(Interpreter, ["-c", script, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "python3 did not finish in two minutes");
        Assert.True(process.ExitCode == 0,
            $"python3 failed (are python3-numpy, python3-pandas and python3-pil installed?):\n{error.Result}");
        return output;
    }
}
