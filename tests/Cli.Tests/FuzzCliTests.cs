using System.Diagnostics;
using System.Text.RegularExpressions;
using ModelDsl.Tests.Fuzz;
using Xunit.Abstractions;

namespace ModelDsl.Cli.Tests;

/// <summary>
/// The same damaged model files as the generator's fuzz test, written to disk as raw bytes and run through
/// <c>modeldsl check</c> in-process: no internal error, exit 1 only with a located <c>error MDSL</c> line for that
/// file, exit 0 only without one, and each file within a time bound.
/// </summary>
public sealed partial class FuzzCliTests(ITestOutputHelper output) : IDisposable
{
    private const int Files = 1_500;
    private static readonly TimeSpan PerFileBound = TimeSpan.FromSeconds(10);
    private readonly string directory = Directory.CreateTempSubdirectory("modeldsl-fuzz-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [GeneratedRegex(@"^(?<path>.+)\((?<line>\d+),(?<column>\d+)\): (?<severity>error|warning) MDSL\d{3}: \S")]
    private static partial Regex DiagnosticLine();

    [Fact]
    public async Task CheckNeverFailsInternallyAndLocatesEveryError()
    {
        var random = new Random(6_2026);
        var seeds = FuzzModelFiles.Seeds();
        var path = Path.Combine(directory, "fuzz.model.yaml");
        var rejectedByKind = new int[FuzzModelFiles.Kinds.Length];
        var slowest = TimeSpan.Zero;
        var total = Stopwatch.StartNew();
        var rejected = 0;

        for (var i = 0; i < Files; i++)
        {
            var (bytes, kinds) = FuzzModelFiles.RandomMutant(seeds, random);
            File.WriteAllBytes(path, bytes);
            var stdout = new StringWriter { NewLine = "\n" };
            var stderr = new StringWriter { NewLine = "\n" };
            var clock = Stopwatch.StartNew();
            var run = Task.Run(() => Program.Run(["check", path], stdout, stderr));
            var context = $"file {i} ({string.Join(", ", kinds.Select(k => FuzzModelFiles.Kinds[k]))}):\n{FuzzModelFiles.Decode(bytes)}";
            Assert.True(await Task.WhenAny(run, Task.Delay(PerFileBound)) == run, $"over {PerFileBound.TotalSeconds} s for {context}");
            var exit = await run;
            slowest = clock.Elapsed > slowest ? clock.Elapsed : slowest;

            Assert.True(stderr.ToString() == "", $"stderr '{stderr}' for {context}");
            var lines = stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var lineCount = FuzzModelFiles.LineCount(FuzzModelFiles.Decode(bytes));
            foreach (var line in lines)
            {
                var match = DiagnosticLine().Match(line);
                Assert.True(match.Success, $"not a diagnostic line: '{line}' for {context}");
                Assert.Equal(path, match.Groups["path"].Value);
                Assert.InRange(int.Parse(match.Groups["line"].Value), 1, lineCount);
                Assert.True(int.Parse(match.Groups["column"].Value) >= 1);
            }

            var errors = lines.Count(line => line.Contains("): error MDSL", StringComparison.Ordinal));
            Assert.True(exit == (errors > 0 ? 1 : 0), $"exit {exit} with {errors} errors for {context}");
            if (errors > 0)
            {
                rejected++;
                foreach (var kind in kinds)
                    rejectedByKind[kind]++;
            }
        }

        output.WriteLine($"{Files} files, {rejected} rejected, {total.Elapsed.TotalSeconds:F1} s, slowest {slowest.TotalMilliseconds:F0} ms");
        Assert.All(Enumerable.Range(0, FuzzModelFiles.Kinds.Length), k => Assert.True(rejectedByKind[k] > 0, $"'{FuzzModelFiles.Kinds[k]}' never broke a file"));
        Assert.InRange(rejected, Files / 3, Files - 50);
    }
}
