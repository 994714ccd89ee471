namespace ModelDsl.Spec.Tests;

/// <summary>The YAML front end: spans of every node, and a located diagnostic for every kind of bad input.</summary>
public class YamlFrontEndTests
{
    private const string File = "f.model.yaml";

    private static (Node? Root, EquatableArray<ModelDiagnostic> Diagnostics) Parse(string text) => YamlFrontEnd.Parse(File, text);

    private static string Text(string text, Node node) => text.Substring(node.Span.Start, node.Span.Length);

    private static MappingNode Root(string text)
    {
        var (root, diagnostics) = Parse(text);
        Assert.Empty(diagnostics);
        return Assert.IsType<MappingNode>(root);
    }

    [Fact]
    public void EveryNodeKeepsItsSpan()
    {
        const string text = "input: [28, 28]\nlayers:\n  - lstm: {units: 128}\n  - flatten\n";
        var root = Root(text);
        Assert.Equal(new SourceSpan(File, 0, 58, 0, 0, 3, 11), root.Span);

        var input = root.Entries[0];
        Assert.Equal(("input", 0, 0), (input.Key.Value, input.Key.Span.StartLine, input.Key.Span.StartColumn));
        var shape = Assert.IsType<SequenceNode>(input.Value);
        Assert.Equal("[28, 28]", Text(text, shape));
        Assert.Equal((0, 7, 0, 15), (shape.Span.StartLine, shape.Span.StartColumn, shape.Span.EndLine, shape.Span.EndColumn));
        Assert.Equal(new SourceSpan(File, 12, 2, 0, 12, 0, 14), shape.Items[1].Span);

        var layers = Assert.IsType<SequenceNode>(root.Entries[1].Value);
        Assert.Equal("- lstm: {units: 128}\n  - flatten", Text(text, layers));
        var lstm = Assert.IsType<MappingNode>(layers.Items[0]);
        Assert.Equal("lstm: {units: 128}", Text(text, lstm));
        Assert.Equal("{units: 128}", Text(text, lstm.Entries[0].Value));
        var units = Assert.IsType<MappingNode>(lstm.Entries[0].Value).Entries[0];
        Assert.Equal(new SourceSpan(File, 42, 3, 2, 18, 2, 21), units.Value.Span);
        Assert.Equal(new ScalarNode("flatten", false, new SourceSpan(File, 51, 7, 3, 4, 3, 11)), layers.Items[1]);
    }

    [Fact]
    public void QuotedScalarsAreMarkedAndSpanTheirQuotes()
    {
        const string text = "a: '128'\nb: \"x\"\nc: 128\nd: |\n  text\n";
        var root = Root(text);
        Assert.Equal(new[] { true, true, false, true }, root.Entries.Select(e => ((ScalarNode)e.Value).IsQuoted));
        Assert.Equal("'128'", Text(text, root.Entries[0].Value));
        Assert.Equal("128", ((ScalarNode)root.Entries[0].Value).Value);
    }

    [Fact]
    public void CarriageReturnsAndAByteOrderMarkKeepLinesAndColumnsRight()
    {
        const string text = "\uFEFFa: 1\r\nb: [2,\r\n  3]\r\nc: 4\rd: 5";
        var root = Root(text);
        Assert.Equal("a", root.Entries[0].Key.Value);
        var items = ((SequenceNode)root.Entries[1].Value).Items;
        Assert.Equal((2, 2), (items[1].Span.StartLine, items[1].Span.StartColumn));
        Assert.Equal((3, 0), (root.Entries[2].Key.Span.StartLine, root.Entries[2].Key.Span.StartColumn));
        Assert.Equal((4, 3), (root.Entries[3].Value.Span.StartLine, root.Entries[3].Value.Span.StartColumn));
    }

    [Fact]
    public void WideCharactersCountAsUtf16UnitsLikeRoslyn()
    {
        const string text = "a: \"😀\"\nb: 2\n";
        var root = Root(text);
        Assert.Equal(4, root.Entries[0].Value.Span.Length);
        Assert.Equal((1, 3), (root.Entries[1].Value.Span.StartLine, root.Entries[1].Value.Span.StartColumn));
    }

    [Fact]
    public void DuplicateKeysAreReportedAndTheFirstIsKept()
    {
        var (root, diagnostics) = Parse("a: 1\nb: 2\na: 3\n");
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal(("MDSL004", 2, 0), (diagnostic.Id, diagnostic.Span.StartLine, diagnostic.Span.StartColumn));
        var entries = Assert.IsType<MappingNode>(root).Entries;
        Assert.Equal(new[] { ("a", "1"), ("b", "2") }, entries.Select(e => (e.Key.Value, ((ScalarNode)e.Value).Value)));
    }

    [Theory]
    [InlineData("a: &x 1\nb: *x\n", "MDSL005", 0, 3, "anchors and aliases are not supported in model files; write the value out in full")]
    [InlineData("a: *x\n", "MDSL005", 0, 3, "anchors and aliases are not supported in model files; write the value out in full")]
    [InlineData("a: !!str 1\n", "MDSL005", 0, 3, "tags such as 'tag:yaml.org,2002:str' are not supported in model files; remove the tag; quote a value to make it a string")]
    [InlineData("a: !custom {b: 1}\n", "MDSL005", 0, 3, "tags such as '!custom' are not supported in model files; remove the tag; quote a value to make it a string")]
    [InlineData("? [a]\n: 1\n", "MDSL005", 0, 2, "keys that are lists or mappings are not supported in model files; keys are plain names such as units")]
    [InlineData("", "MDSL003", 0, 0, "the model file is empty; expected a mapping with input, layers and compile")]
    [InlineData("   \n\n", "MDSL003", 0, 0, "the model file is empty; expected a mapping with input, layers and compile")]
    [InlineData("~\n", "MDSL003", 0, 0, "the model file is empty; expected a mapping with input, layers and compile")]
    [InlineData("---\n...\n", "MDSL003", 0, 0, "the model file is empty; expected a mapping with input, layers and compile")]
    [InlineData("a: [1, 2\nb: 3\n", "MDSL001", 1, 0, "the model file is not valid YAML: the '[' on line 1, column 4 is never closed")]
    [InlineData("a: {b: 1\n", "MDSL001", 1, 0, "the model file is not valid YAML: the '{' on line 1, column 4 is never closed")]
    [InlineData("a: [1, {b: 2} 3]\n", "MDSL001", 0, 14, "the model file is not valid YAML: while parsing a flow sequence, did not find expected ',' or ']'")]
    [InlineData("a: 'open\n", "MDSL001", 0, 3, "the model file is not valid YAML: while scanning a quoted scalar, found unexpected end of stream")]
    [InlineData("a: 1\n b: 2\n", "MDSL001", 1, 2, "the model file is not valid YAML: a 'key: value' cannot start here; check this line's indentation, or quote a value that contains ': '")]
    [InlineData("- a\nb: 1\n", "MDSL001", 1, 0, "the model file is not valid YAML: expected a '- ' list item at this indentation; check the indentation of this line and the one before")]
    [InlineData("a:\n\t- 1\n", "MDSL002", 1, 0, "a tab is used for indentation on line 2; YAML indents with spaces only")]
    [InlineData("a:\n  \t- 1\n", "MDSL002", 1, 2, "a tab is used for indentation on line 2; YAML indents with spaces only")]
    [InlineData("a: 1\n---\nb: 2\n", "MDSL006", 1, 0, "a model file holds one YAML document, but a second one starts here")]
    [InlineData("a: \u0000\n", "MDSL007", 0, 3, "the model file contains the control character U+0000; model files are UTF-8 text without control characters")]
    [InlineData("a: \u009B\n", "MDSL007", 0, 3, "the model file contains the control character U+009B; model files are UTF-8 text without control characters")]
    [InlineData("a: x\uFFFDy\n", "MDSL007", 0, 4, "the model file contains bytes that are not valid UTF-8 (decoded as U+FFFD); model files are UTF-8 text without control characters")]
    [InlineData("a: 1\uFEFF\n", "MDSL007", 0, 4, "the model file contains a byte-order mark (U+FEFF) after the start of the file; model files are UTF-8 text without control characters")]
    public void BadInputGetsALocatedDiagnostic(string text, string id, int line, int column, string message)
    {
        var (_, diagnostics) = Parse(text);
        var diagnostic = Assert.Single(diagnostics, d => d.Id == id);
        Assert.Equal((line, column, message), (diagnostic.Span.StartLine, diagnostic.Span.StartColumn, diagnostic.Message));
        Assert.InRange(diagnostic.Span.Start + diagnostic.Span.Length, 0, text.Length);
    }

    [Fact]
    public void UnpairedSurrogatesAreReported()
    {
        // Built at run time: attribute arguments cannot carry a lone surrogate.
        var text = "a: " + (char)0xD800 + "x\n";
        var diagnostic = Assert.Single(Parse(text).Diagnostics);
        Assert.Equal(("MDSL007", 3, "the model file contains an unpaired surrogate U+D800; model files are UTF-8 text without control characters"), (diagnostic.Id, diagnostic.Span.StartColumn, diagnostic.Message));
    }

    [Fact]
    public void TabsAfterTheIndentationAreFine()
    {
        Root("a: 1\t# a tab before a comment\nb:\t2\n \t\n");
    }

    [Fact]
    public void TabIndentedCommentsAreReportedAsTabs()
    {
        var diagnostic = Assert.Single(Parse("a:\n\t# comment\n  b: 1\n").Diagnostics);
        Assert.Equal(("MDSL002", 1, 0), (diagnostic.Id, diagnostic.Span.StartLine, diagnostic.Span.StartColumn));
    }

    [Fact]
    public void EveryTabIndentedLineIsReportedOnce()
    {
        var (root, diagnostics) = Parse("a:\n\t\t- 1\n\t- 2\n");
        Assert.Null(root);
        Assert.Equal(new[] { 1, 2 }, diagnostics.Select(d => d.Span.StartLine));
    }

    [Fact]
    public void DeepNestingStopsAtTheLimitWithoutRecursion()
    {
        var text = "a: " + new string('[', 100_000) + new string(']', 100_000);
        var (root, diagnostics) = Parse(text);
        Assert.Null(root);
        Assert.Equal("MDSL008", Assert.Single(diagnostics).Id);
    }

    [Fact]
    public void ManyValuesStopAtTheLimit()
    {
        var text = "a: [" + string.Join(",", Enumerable.Repeat("1", YamlFrontEnd.MaxNodes)) + "]";
        var diagnostic = Assert.Single(Parse(text).Diagnostics);
        Assert.Equal("the model file has more than 100,000 values; model files are small documents", diagnostic.Message);
    }

    [Fact]
    public void HugeFilesAreRefusedUnread()
    {
        var diagnostic = Assert.Single(Parse(new string('#', YamlFrontEnd.MaxLength + 1)).Diagnostics);
        Assert.Equal("the model file has 1,000,001 characters, more than the limit of 1,000,000; model files are small documents", diagnostic.Message);
    }

    [Fact]
    public void BillionLaughsNeverExpands()
    {
        var text = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n";
        var (root, diagnostics) = Parse(text);
        Assert.Null(root);
        Assert.Equal("MDSL005", Assert.Single(diagnostics).Id);
    }

    [Fact]
    public void NodesAreValueEqual()
    {
        Assert.Equal(Parse("a: [1, {b: c}]").Root, Parse("a: [1, {b: c}]").Root);
        Assert.NotEqual(Parse("a: [1, {b: c}]").Root, Parse("a: [1, {b: d}]").Root);
    }
}
