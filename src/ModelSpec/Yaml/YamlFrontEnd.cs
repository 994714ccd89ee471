using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace ModelDsl.Spec;

/// <summary>
/// Reads a model file into the front-end-neutral <see cref="Node"/> tree, keeping the span of every node.
/// Works on YamlDotNet's event stream rather than its representation model so that nothing is expanded:
/// aliases are refused before they could multiply (billion laughs), nesting and size are bounded, and every
/// problem becomes a located diagnostic instead of an exception.
/// </summary>
public static class YamlFrontEnd
{
    /// <summary>Model files nest four or five levels; anything far deeper is a mistake or an attack.</summary>
    public const int MaxDepth = 32;

    public const int MaxNodes = 100_000;

    public const int MaxLength = 1_000_000;

    private const string SmallDocuments = "model files are small documents";

    /// <summary>Character problems are listed up to this many; past it one more would only repeat them.</summary>
    private const int MaxCharacterDiagnostics = 10;

    /// <summary>YamlDotNet's commonest messages, said in terms of what to change; almost always indentation.</summary>
    private static readonly IReadOnlyDictionary<string, string> Explained = new Dictionary<string, string>
    {
        ["while scanning a plain scalar value, found invalid mapping"] =
            "a 'key: value' cannot start here; check this line's indentation, or quote a value that contains ': '",
        ["mapping values are not allowed in this context"] =
            "a 'key: value' cannot start here; check this line's indentation, or quote a value that contains ': '",
        ["while parsing a block mapping, did not find expected key"] =
            "expected a 'key: value' line at this indentation; check the indentation of this line and the one before",
        ["while parsing a block collection, did not find expected '-' indicator"] =
            "expected a '- ' list item at this indentation; check the indentation of this line and the one before",
    };

    private static readonly Regex MarkPrefix = new(
        @"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\):\s*", RegexOptions.CultureInvariant);

    /// <summary>
    /// Parses <paramref name="text"/>. The root is null when the file cannot be read as one tree (syntax errors,
    /// unsupported features, limits); duplicate keys and extra documents are reported but keep the first one.
    /// </summary>
    public static (Node? Root, EquatableArray<ModelDiagnostic> Diagnostics) Parse(string path, string text)
    {
        path ??= string.Empty;
        text ??= string.Empty;
        var map = new TextMap(path, text);
        var diagnostics = new List<ModelDiagnostic>();

        if (text.Length > MaxLength)
        {
            diagnostics.Add(DiagnosticCatalog.LimitExceeded.Create(
                map.Span(0, 0),
                $"has {text.Length.ToString("N0", CultureInfo.InvariantCulture)} characters, more than the limit of {MaxLength.ToString("N0", CultureInfo.InvariantCulture)}", SmallDocuments));
            return (null, diagnostics.ToEquatableArray());
        }

        ScanCharacters(text, map, diagnostics);
        if (diagnostics.Count > 0)
        {
            return (null, diagnostics.ToEquatableArray());
        }

        // A byte-order mark is not content: YamlDotNet would read it into the first key. It is left out of what
        // YamlDotNet reads, and its offsets are shifted back by one.
        var bom = text.Length > 0 && text[0] == '\uFEFF' ? 1 : 0;
        var root = new TreeBuilder(map, text.Substring(bom), bom, diagnostics).Build();
        return (root, diagnostics.ToEquatableArray());
    }

    /// <summary>
    /// Reports what YAML forbids or YamlDotNet would misreport: control characters, text that was not UTF-8
    /// (decoders put U+FFFD in its place), unpaired surrogates, and tabs used as indentation.
    /// </summary>
    private static void ScanCharacters(string text, TextMap map, List<ModelDiagnostic> diagnostics)
    {
        var atIndentation = true;
        var reportedTabLine = -1;
        for (var i = 0; i < text.Length && diagnostics.Count < MaxCharacterDiagnostics; i++)
        {
            var c = text[i];
            if (c == '\n' || c == '\r')
            {
                atIndentation = true;
                continue;
            }

            if (c == '\t' && atIndentation)
            {
                var line = map.LineOf(i);
                if (line != reportedTabLine && LineHasContent(text, i))
                {
                    reportedTabLine = line;
                    diagnostics.Add(DiagnosticCatalog.TabIndentation.Create(map.Span(i, i + 1), line + 1));
                }

                continue;
            }

            if (c != ' ')
            {
                atIndentation = false;
            }

            var length = 1;
            var problem = Describe(text, i, ref length);
            if (problem != null)
            {
                diagnostics.Add(DiagnosticCatalog.InvalidCharacter.Create(map.Span(i, i + length), problem));
            }

            i += length - 1;
        }
    }

    /// <summary>
    /// Whether the rest of the line after the tab at <paramref name="i"/> holds anything. A tab before a comment is
    /// reported too: YAML allows it, but YamlDotNet rejects it inside block mappings with a misleading location.
    /// </summary>
    private static bool LineHasContent(string text, int i)
    {
        for (; i < text.Length && text[i] != '\n' && text[i] != '\r'; i++)
        {
            if (text[i] != ' ' && text[i] != '\t')
            {
                return true;
            }
        }

        return false;
    }

    private static string? Describe(string text, int i, ref int length)
    {
        var c = text[i];
        if (char.IsHighSurrogate(c))
        {
            if (i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                length = 2;
                return null;
            }

            return $"an unpaired surrogate U+{(int)c:X4}";
        }

        if (char.IsLowSurrogate(c))
        {
            return $"an unpaired surrogate U+{(int)c:X4}";
        }

        if (c == '\uFFFD')
        {
            return "bytes that are not valid UTF-8 (decoded as U+FFFD)";
        }

        if (c == '\uFEFF' && i > 0)
        {
            return "a byte-order mark (U+FEFF) after the start of the file";
        }

        var control = (c < ' ' && c != '\t') || c == '\u007F' || (c >= '\u0080' && c <= '\u009F' && c != '\u0085') || c == '\uFFFE' || c == '\uFFFF';
        return control ? $"the control character U+{(int)c:X4}" : null;
    }

    /// <summary>Builds the tree from the event stream with an explicit stack, so depth costs no call stack.</summary>
    private sealed class TreeBuilder
    {
        private readonly TextMap map;
        private readonly string text;
        private readonly int shift;
        private readonly List<ModelDiagnostic> diagnostics;
        private readonly Stack<Frame> stack = new();
        private int nodes;
        private long lastIndex;

        public TreeBuilder(TextMap map, string text, int shift, List<ModelDiagnostic> diagnostics)
        {
            this.map = map;
            this.text = text;
            this.shift = shift;
            this.diagnostics = diagnostics;
        }

        public Node? Build()
        {
            Node? root = null;
            var documents = 0;
            var fatal = false;
            var scanner = new Scanner(new StringReader(text), skipComments: true);
            try
            {
                var parser = new Parser(scanner);
                while (!fatal && parser.MoveNext())
                {
                    var e = parser.Current!;
                    lastIndex = e.End.Index;
                    switch (e)
                    {
                        case DocumentStart:
                            if (++documents == 2)
                            {
                                diagnostics.Add(DiagnosticCatalog.MultipleDocuments.Create(Span(e)));
                                return root;
                            }

                            break;
                        case Scalar scalar:
                            fatal = Unsupported(scalar) || !Add(new ScalarNode(scalar.Value, scalar.Style != ScalarStyle.Plain, Span(e)), ref root);
                            break;
                        case SequenceStart or MappingStart:
                            fatal = Unsupported((NodeEvent)e) || !Open(e);
                            break;
                        case SequenceEnd or MappingEnd:
                            fatal = !Add(Close(e), ref root);
                            break;
                        case AnchorAlias:
                            diagnostics.Add(DiagnosticCatalog.UnsupportedYaml.Create(Span(e), "anchors and aliases", "write the value out in full"));
                            fatal = true;
                            break;
                    }
                }
            }
            catch (YamlException ex)
            {
                // Running out of text inside a flow collection is an unclosed bracket, whatever the parser expected.
                var open = stack.FirstOrDefault(f => f.IsFlow);
                var atEnd = ex.Start.Index >= text.Length || string.IsNullOrWhiteSpace(text.Substring((int)ex.Start.Index));
                var message = open != null && atEnd ? UnclosedMessage(open) : Clean(ex.Message);
                diagnostics.Add(DiagnosticCatalog.YamlSyntax.Create(Span(ex.Start.Index, ex.End.Index), message));
                return null;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // YamlDotNet's scanner throws InvalidOperationException on some broken flow collections ("[28, 28"
                // followed by more block content); its message says nothing, the unclosed bracket does.
                var at = Math.Max(lastIndex, scanner.CurrentPosition.Index);
                var open = stack.FirstOrDefault(f => f.IsFlow);
                var message = open == null ? "unexpected content" : UnclosedMessage(open);
                diagnostics.Add(DiagnosticCatalog.YamlSyntax.Create(Span(at, at), message));
                return null;
            }

            if (fatal)
            {
                return null;
            }

            if (root == null || root is ScalarNode { IsQuoted: false, Value: "" or "~" or "null" or "Null" or "NULL" })
            {
                diagnostics.Add(DiagnosticCatalog.EmptyModel.Create(map.Span(0, 0)));
                return null;
            }

            return root;
        }

        private string UnclosedMessage(Frame frame)
        {
            var span = Span(frame.Start, frame.Start);
            var bracket = frame.IsMapping ? '{' : '[';
            return $"the '{bracket}' on line {span.StartLine + 1}, column {span.StartColumn + 1} is never closed";
        }

        private static string Clean(string message)
        {
            var text = MarkPrefix.Replace(message, string.Empty).Trim().TrimEnd('.');
            text = text.Length > 0 ? char.ToLowerInvariant(text[0]) + text.Substring(1) : "unexpected content";
            return Explained.TryGetValue(text, out var explained) ? explained : text;
        }

        private SourceSpan Span(ParsingEvent e) => Span(e.Start.Index, e.End.Index);

        private SourceSpan Span(long start, long end) => map.Span(start + shift, end + shift);

        private bool Unsupported(NodeEvent e)
        {
            if (!e.Anchor.IsEmpty)
            {
                diagnostics.Add(DiagnosticCatalog.UnsupportedYaml.Create(Span(e), "anchors and aliases", "write the value out in full"));
                return true;
            }

            // A plain scalar's implicit "?" tag and a quoted one's "!" are not written by the user.
            if (!e.Tag.IsEmpty && !e.Tag.IsNonSpecific)
            {
                diagnostics.Add(DiagnosticCatalog.UnsupportedYaml.Create(Span(e), $"tags such as '{e.Tag.Value}'", "remove the tag; quote a value to make it a string"));
                return true;
            }

            return false;
        }

        private bool Open(ParsingEvent e)
        {
            if (stack.Count >= MaxDepth)
            {
                diagnostics.Add(DiagnosticCatalog.LimitExceeded.Create(Span(e), $"nests lists and mappings deeper than {MaxDepth} levels", SmallDocuments));
                return false;
            }

            stack.Push(new Frame(e is MappingStart, e.Start.Index, IsFlow(e)));
            return true;
        }

        private static bool IsFlow(ParsingEvent e) =>
            e is MappingStart { Style: MappingStyle.Flow } || e is SequenceStart { Style: SequenceStyle.Flow };

        private long ClosingBracketEnd(ParsingEvent e)
        {
            var at = e.Start.Index;
            return at < text.Length && (text[(int)at] == ']' || text[(int)at] == '}') ? at + 1 : e.End.Index;
        }

        private Node Close(ParsingEvent e)
        {
            var frame = stack.Pop();

            // A flow collection ends after its bracket (the end event marks the bracket's start); a block one
            // ends where its last child ends, as its end event sits at the next token.
            var end = frame.IsFlow ? ClosingBracketEnd(e) : Math.Max(frame.Start, frame.LastEnd);
            var span = Span(frame.Start, end);
            return frame.IsMapping
                ? new MappingNode(frame.Entries.ToEquatableArray(), span)
                : new SequenceNode(frame.Items.ToEquatableArray(), span);
        }

        private bool Add(Node node, ref Node? root)
        {
            if (++nodes > MaxNodes)
            {
                diagnostics.Add(DiagnosticCatalog.LimitExceeded.Create(node.Span, $"has more than {MaxNodes.ToString("N0", CultureInfo.InvariantCulture)} values", SmallDocuments));
                return false;
            }

            if (stack.Count == 0)
            {
                root = node;
                return true;
            }

            var parent = stack.Peek();
            parent.LastEnd = Math.Max(parent.LastEnd, node.Span.Start + node.Span.Length - shift);
            if (!parent.IsMapping)
            {
                parent.Items.Add(node);
                return true;
            }

            if (parent.PendingKey == null)
            {
                if (node is not ScalarNode key)
                {
                    diagnostics.Add(DiagnosticCatalog.UnsupportedYaml.Create(node.Span, "keys that are lists or mappings", "keys are plain names such as units"));
                    return false;
                }

                parent.PendingKey = key;
                return true;
            }

            var name = parent.PendingKey;
            parent.PendingKey = null;
            if (parent.KeyLines.TryGetValue(name.Value, out var firstLine))
            {
                diagnostics.Add(DiagnosticCatalog.DuplicateKey.Create(name.Span, TextFormat.Shorten(name.Value), firstLine + 1));
                return true;
            }

            parent.KeyLines.Add(name.Value, name.Span.StartLine);
            parent.Entries.Add(new MappingEntry(name, node));
            return true;
        }
    }

    private sealed class Frame
    {
        public Frame(bool isMapping, long start, bool isFlow)
        {
            IsMapping = isMapping;
            Start = start;
            IsFlow = isFlow;
        }

        public bool IsMapping { get; }

        public long Start { get; }

        public bool IsFlow { get; }

        public long LastEnd { get; set; }

        public List<Node> Items { get; } = new();

        public List<MappingEntry> Entries { get; } = new();

        public ScalarNode? PendingKey { get; set; }

        public Dictionary<string, int> KeyLines { get; } = new(StringComparer.Ordinal);
    }
}
