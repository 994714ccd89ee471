using System.Diagnostics;
using Microsoft.CodeAnalysis;
using ModelDsl.Generator.Tests.Infrastructure;
using ModelDsl.Tests.Fuzz;
using Xunit.Abstractions;

namespace ModelDsl.Generator.Tests;

/// <summary>
/// Every mutation kind of <see cref="FuzzModelFiles"/> (bytes, encodings, anchors, deep nesting, ...) through the real
/// driver, each file under a time bound: MutationTests covers text-level damage, this adds the byte-level kinds and
/// the bound. No exception may escape, and a file that generates nothing must say why at a line inside itself.
/// </summary>
public sealed class FuzzGeneratorTests(ITestOutputHelper output)
{
    private const int Files = 1_500;
    private const string ModelPath = TestModels.VirtualDirectory + "fuzz.model.yaml";
    private static readonly TimeSpan PerFileBound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task EveryMutationKindIsRejectedWithALocatedErrorOrGenerates()
    {
        var random = new Random(6_2025);
        var seeds = FuzzModelFiles.Seeds();
        var current = GeneratorHarness.ModelFile(ModelPath, FuzzModelFiles.Decode(seeds[0].Bytes));
        var compilation = GeneratorHarness.Compilation();
        // Run once before timing, so JIT compiling the generator is not charged to the first mutant.
        var driver = GeneratorHarness.Driver([current]).RunGenerators(compilation);
        var rejectedByKind = new int[FuzzModelFiles.Kinds.Length];
        var usedByKind = new int[FuzzModelFiles.Kinds.Length];
        var slowest = TimeSpan.Zero;
        var total = Stopwatch.StartNew();

        for (var i = 0; i < Files; i++)
        {
            var (bytes, kinds) = FuzzModelFiles.RandomMutant(seeds, random);
            var text = FuzzModelFiles.Decode(bytes);
            var next = GeneratorHarness.ModelFile(ModelPath, text);
            var clock = Stopwatch.StartNew();
            // On another thread so a hang fails this test instead of stalling the run.
            var run = Task.Run(() => driver.ReplaceAdditionalText(current, next).RunGenerators(compilation));
            Assert.True(await Task.WhenAny(run, Task.Delay(PerFileBound)) == run, $"file {i} ({Describe(kinds)}) took over {PerFileBound.TotalSeconds} s:\n{text}");
            slowest = clock.Elapsed > slowest ? clock.Elapsed : slowest;
            (driver, current) = (await run, next);

            var result = driver.GetRunResult().Results.Single();
            var context = $"file {i} ({Describe(kinds)}):\n{text}";
            Assert.True(result.Exception is null, $"{result.Exception} at {context}");
            Assert.DoesNotContain(result.Diagnostics, d => d.Id is "CS8784" or "CS8785" or "MDSL099");
            foreach (var kind in kinds)
                usedByKind[kind]++;
            if (result.GeneratedSources.Any(s => IsModel(s.HintName)))
                continue;

            var lineCount = FuzzModelFiles.LineCount(text);
            var located = result.Diagnostics
                .Where(d => d.Severity == DiagnosticSeverity.Error)
                .Select(d => d.Location.GetLineSpan())
                .Where(span => span.Path == ModelPath && span.StartLinePosition.Line < lineCount)
                .ToArray();
            Assert.True(located.Length > 0, $"rejected without a located error: {context}");
            foreach (var kind in kinds)
                rejectedByKind[kind]++;
        }

        output.WriteLine($"{Files} files in {total.Elapsed.TotalSeconds:F1} s, slowest {slowest.TotalMilliseconds:F0} ms; rejected/used by kind:");
        for (var k = 0; k < FuzzModelFiles.Kinds.Length; k++)
            output.WriteLine($"  {FuzzModelFiles.Kinds[k]}: {rejectedByKind[k]}/{usedByKind[k]}");
        Assert.All(Enumerable.Range(0, FuzzModelFiles.Kinds.Length), k => Assert.True(rejectedByKind[k] > 0, $"'{FuzzModelFiles.Kinds[k]}' never broke a file"));
    }

    private static bool IsModel(string hintName) =>
        hintName != "ModelDsl.Attributes.g.cs" && !hintName.StartsWith("Microsoft.", StringComparison.Ordinal);

    private static string Describe(int[] kinds) => string.Join(", ", kinds.Select(k => FuzzModelFiles.Kinds[k]));
}
