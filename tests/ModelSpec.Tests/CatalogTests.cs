using System.Globalization;
using System.Text.RegularExpressions;

namespace ModelDsl.Spec.Tests;

public class CatalogTests
{
    [Fact]
    public void IdsAreStableShapedUniqueAndInOrder()
    {
        var ids = DiagnosticCatalog.All.Select(d => d.Id).ToList();
        Assert.All(ids, id => Assert.Matches(@"^MDSL\d{3}$", id));
        Assert.Equal(ids.Distinct().Count(), ids.Count);
        Assert.Equal(ids.OrderBy(id => id, StringComparer.Ordinal), ids);
    }

    [Fact]
    public void EveryDescriptorIsComplete()
    {
        Assert.All(DiagnosticCatalog.All, d =>
        {
            Assert.False(string.IsNullOrWhiteSpace(d.Title));
            Assert.StartsWith("ModelDsl.", d.Category);
            Assert.Equal("docs/diagnostics.md#" + d.Id.ToLowerInvariant(), d.HelpLink);
            Assert.Same(d, DiagnosticCatalog.Find(d.Id));

            // Every placeholder must be fillable: a format error here would throw inside the analyzer.
            var placeholders = Regex.Matches(d.MessageFormat, @"(?<!\{)\{(\d+)\}").Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
            var count = placeholders.Count == 0 ? 0 : placeholders.Max() + 1;
            var message = d.Create(default, Enumerable.Range(0, count).Select(i => (object)$"<{i}>").ToArray()).Message;
            Assert.DoesNotContain("{", message.Replace("{{", string.Empty).Replace("{units: 10}", string.Empty));
        });
    }

    [Fact]
    public void OnlyTheAdvisoryChecksAreWarnings()
    {
        var warnings = DiagnosticCatalog.All.Where(d => d.DefaultSeverity == Severity.Warning).Select(d => d.Id);
        Assert.Equal(new[] { "MDSL042", "MDSL044", "MDSL046", "MDSL048" }, warnings);
    }

    [Fact]
    public void CreateFormatsTheMessageAndKeepsTheArguments()
    {
        var span = new SourceSpan("a.model.yaml", 3, 4, 0, 3, 0, 7);
        var diagnostic = DiagnosticCatalog.UnknownKey.Create(span, "unit", "layer 1 'dense'", "; did you mean 'units'?");
        Assert.Equal("unknown key 'unit' in layer 1 'dense'; did you mean 'units'?", diagnostic.Message);
        Assert.Equal(new[] { "unit", "layer 1 'dense'", "; did you mean 'units'?" }, diagnostic.Arguments);
        Assert.Equal("a.model.yaml(1,4): error MDSL010: unknown key 'unit' in layer 1 'dense'; did you mean 'units'?", diagnostic.ToString());
    }

    [Fact]
    public void FindReturnsNullForUnknownIds() => Assert.Null(DiagnosticCatalog.Find("MDSL998"));
}
