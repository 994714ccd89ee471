using System.Text.RegularExpressions;

namespace ModelDsl.Spec.Tests;

/// <summary>docs/diagnostics.md cannot drift: every ID has its section, and every example does what the page says.</summary>
public class DocsTests
{
    private static readonly Lazy<string> Text = new(ReadText);

    private static readonly Lazy<IReadOnlyDictionary<string, string>> Sections = new(ReadSections);

    public static IEnumerable<object[]> Ids() => DiagnosticCatalog.All.Select(d => new object[] { d.Id });

    [Theory]
    [MemberData(nameof(Ids))]
    public void EveryIdHasASectionWithItsTitle(string id)
    {
        var descriptor = DiagnosticCatalog.Find(id)!;
        Assert.True(Sections.Value.TryGetValue(id, out var section), $"docs/diagnostics.md has no '## {id}'");
        Assert.Contains($"**{descriptor.Title}** · {descriptor.DefaultSeverity.ToString().ToLowerInvariant()} · `{descriptor.Category}`", section);
    }

    [Fact]
    public void EverySectionIsInTheCatalogueOrTheGeneratorsRange()
    {
        // MDSL050 to MDSL069 are the source generator's own (about the C# class); the page documents them too.
        Assert.All(Sections.Value.Keys, id => Assert.True(
            DiagnosticCatalog.Find(id) != null || string.CompareOrdinal(id, "MDSL050") >= 0 && string.CompareOrdinal(id, "MDSL069") <= 0,
            $"docs/diagnostics.md documents {id}, which is in no catalogue"));
    }

    [Fact]
    public void TheTableListsEverySection()
    {
        var rows = Regex.Matches(Text.Value, @"(?m)^\| \[(MDSL\d{3})\]\(#(mdsl\d{3})\)").Select(m => (m.Groups[1].Value, m.Groups[2].Value)).ToList();
        Assert.Equal(Sections.Value.Keys.OrderBy(k => k, StringComparer.Ordinal).Select(k => (k, k.ToLowerInvariant())), rows);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void WrongExampleGivesTheDocumentedOutputAndRightExampleIsClean(string id)
    {
        var section = Sections.Value[id];
        var yaml = Regex.Matches(section, "```yaml\n(.*?)```", RegexOptions.Singleline).Select(m => m.Groups[1].Value).ToList();
        if (id == "MDSL099")
        {
            Assert.Empty(yaml);
            return;
        }

        Assert.Equal(2, yaml.Count);
        var expected = Regex.Match(section, "```text\n(.*?)\n```", RegexOptions.Singleline).Groups[1].Value;
        var wrong = ModelAnalyzer.AnalyzeYaml("net.model.yaml", yaml[0], null);
        Assert.Contains(wrong.Diagnostics, d => d.Id == id);
        Assert.Equal(expected, string.Join("\n", wrong.Diagnostics));

        var right = ModelAnalyzer.AnalyzeYaml("net.model.yaml", yaml[1], null);
        Assert.Empty(right.Diagnostics);
        Assert.NotNull(right.Spec);
    }

    private static string ReadText()
    {
        var directory = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(directory, "ModelDsl.sln")))
        {
            directory = Path.GetDirectoryName(directory) ?? throw new InvalidOperationException("ModelDsl.sln not found above the test binaries");
        }

        // A checkout with CRLF line ends must read the same.
        return File.ReadAllText(Path.Combine(directory, "docs", "diagnostics.md")).Replace("\r\n", "\n");
    }

    private static IReadOnlyDictionary<string, string> ReadSections()
    {
        return Regex.Split(Text.Value, @"(?m)^(?=## MDSL)")
            .Where(s => s.StartsWith("## MDSL", StringComparison.Ordinal))
            .ToDictionary(s => s.Substring(3, 7), s => s);
    }
}
