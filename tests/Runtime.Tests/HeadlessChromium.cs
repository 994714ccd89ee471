using System.Diagnostics;

namespace ModelDsl.Runtime.Tests;

/// <summary>
/// Debian's chromium in headless mode, each run in a fresh profile and kept off the network (no sync, updates or
/// background requests), at a device scale of 1 so CSS pixels are screenshot pixels.
/// </summary>
public static class HeadlessChromium
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    /// <summary>The chromium on PATH; fails the test, with how to install it, when there is none.</summary>
    public static string Executable()
    {
        foreach (var name in new[] { "chromium", "chromium-browser" })
        {
            foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = Path.Combine(directory, name);
                if (File.Exists(candidate))
                    return candidate;
            }
        }
        Assert.Fail("chromium is not on PATH; the report's rendering test needs it: `sudo apt-get install chromium` (scripts/bootstrap.sh installs it)");
        return "";
    }

    /// <summary>
    /// Loads <paramref name="page"/> in a <paramref name="width"/> x <paramref name="height"/> window and returns its DOM
    /// after its scripts ran; with <paramref name="screenshot"/>, the same load also writes a PNG of that window.
    /// </summary>
    public static string Render(string page, int width, int height, string? screenshot = null)
    {
        var dom = Run(page, width, height, screenshot is null ? ["--dump-dom"] : ["--dump-dom", $"--screenshot={screenshot}"]);
        if (screenshot is not null)
            Assert.True(File.Exists(screenshot), $"chromium wrote no screenshot to {screenshot}");
        return dom;
    }

    private static string Run(string page, int width, int height, string[] actions)
    {
        var profile = Directory.CreateTempSubdirectory("modeldsl-chromium-");
        try
        {
            var start = new ProcessStartInfo(Executable())
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[]
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                "--force-device-scale-factor=1", $"--user-data-dir={profile.FullName}", $"--window-size={width},{height}",
            }.Concat(actions).Append(new Uri(Path.GetFullPath(page)).AbsoluteUri))
                start.ArgumentList.Add(argument);

            using var process = Process.Start(start) ?? throw new InvalidOperationException("chromium did not start");
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"chromium did not finish {string.Join(" ", actions)} within {Timeout.TotalSeconds:F0} s");
            }
            Assert.True(process.ExitCode == 0, $"chromium {string.Join(" ", actions)} exited with {process.ExitCode}: {errors.Result}");
            return output.Result;
        }
        finally
        {
            try
            {
                profile.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A helper process of chromium may still be closing its files; a stray temp folder is harmless.
            }
        }
    }
}
