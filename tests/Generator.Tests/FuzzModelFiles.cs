using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;

namespace ModelDsl.Tests.Fuzz;

/// <summary>
/// Damages model files the ways real ones get damaged, at the byte level so encodings break too. Shared (as a linked
/// file) by the generator's and the CLI's fuzz tests, so both front doors see the same mutation kinds.
/// </summary>
internal static class FuzzModelFiles
{
    public static readonly string[] Kinds =
    [
        "byte flip", "delete line", "duplicate line", "swap lines", "tab", "truncate", "huge or negative number",
        "wrong type", "anchor and alias", "deep nesting", "non-UTF-8 bytes", "byte-order mark", "CRLF", "control character",
    ];

    private static readonly string[] Numbers =
        ["99999999999999999999999", "-1", "-2147483648", "2147483648", "4294967296", "1e309", "-1e309", "0", "-0.5", ".nan", "-.inf", "1e-400"];

    private static readonly string[] Values =
        ["'128'", "\"x\"", "true", "~", "[]", "{}", "[1, [2, [3]]]", "{a: 1}", "!!str 5", "!!binary AAAA", "relu", "|\n  block", "\"\\u0000\"", "? x"];

    /// <summary>The valid model files the mutants start from: the generator tests' models (found beside this file).</summary>
    public static (string Name, byte[] Bytes)[] Seeds() =>
        Directory.GetFiles(Path.Combine(SourceDirectory(), "Models"), "*.model.yaml")
            .Order(StringComparer.Ordinal)
            .Select(path => (Path.GetFileName(path), File.ReadAllBytes(path)))
            .ToArray();

    /// <summary>Decodes as the CLI and the compiler do: UTF-8 (or the BOM's encoding), U+FFFD for bytes that are not.</summary>
    public static string Decode(byte[] bytes)
    {
        using var reader = new StreamReader(new MemoryStream(bytes), new UTF8Encoding(false, false), detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    /// <summary>Lines by any break YAML or Roslyn count (CR, LF, CRLF, NEL, LS, PS): the bound for a located line.</summary>
    public static int LineCount(string text) => Regex.Matches(text, "\r\n|[\r\n\u0085\u2028\u2029]").Count + 1;

    /// <summary>Applies mutation <paramref name="kind"/> (an index into <see cref="Kinds"/>) once.</summary>
    public static byte[] Mutate(byte[] bytes, int kind, Random random)
    {
        var text = Encoding.UTF8.GetString(bytes);
        var lines = text.Split('\n').ToList();
        int AnyLine() => random.Next(lines.Count);
        string Joined() => string.Join("\n", lines);
        switch (kind)
        {
            case 0:
                var flipped = (byte[])bytes.Clone();
                if (flipped.Length > 0)
                    flipped[random.Next(flipped.Length)] ^= (byte)(1 << random.Next(8));
                return flipped;
            case 1:
                lines.RemoveAt(AnyLine());
                return Utf8(Joined());
            case 2:
                var copied = AnyLine();
                lines.Insert(AnyLine(), lines[copied]);
                return Utf8(Joined());
            case 3:
                var (a, b) = (AnyLine(), AnyLine());
                (lines[a], lines[b]) = (lines[b], lines[a]);
                return Utf8(Joined());
            case 4:
                var tabbed = AnyLine();
                lines[tabbed] = random.Next(2) == 0 ? "\t" + lines[tabbed] : lines[tabbed].Replace(": ", ":\t");
                return Utf8(Joined());
            case 5:
                return bytes[..random.Next(bytes.Length + 1)];
            case 6:
                return Utf8(ReplaceOne(text, @"-?\d+(\.\d+)?([eE][-+]?\d+)?", Numbers, random));
            case 7:
                return Utf8(ReplaceOne(text, @"(?<=: )[^\n,}\]#]+", Values.Concat(Numbers).ToArray(), random));
            case 8:
                // Anchor some value and alias it from another place, possibly before the anchor or recursively.
                var anchored = AnyLine();
                lines[anchored] = lines[anchored].Replace(": ", ": &x ");
                var aliased = AnyLine();
                lines[aliased] = random.Next(2) == 0 ? Regex.Replace(lines[aliased], @"(?<=: )\S.*$", "*x") : lines[aliased] + " *x";
                return Utf8(Joined());
            case 9:
                var depth = random.Next(50, 5_000);
                var nested = AnyLine();
                lines[nested] += random.Next(2) == 0
                    ? " " + new string('[', depth) + new string(']', random.Next(depth + 1))
                    : string.Concat(Enumerable.Range(1, depth / 20).Select(i => "\n" + new string(' ', 2 * i) + "k:"));
                return Utf8(Joined());
            case 10:
                var raw = bytes.ToList();
                raw.InsertRange(random.Next(raw.Count + 1), Enumerable.Range(0, random.Next(1, 6)).Select(_ => (byte)random.Next(0x80, 0x100)));
                return raw.ToArray();
            case 11:
                byte[][] marks = [[0xEF, 0xBB, 0xBF], [0xFF, 0xFE], [0xFE, 0xFF], [0xEF, 0xBB]];
                return [.. marks[random.Next(marks.Length)], .. bytes];
            case 12:
                return Utf8(text.Replace("\n", random.Next(2) == 0 ? "\r\n" : "\r"));
            default:
                var at = random.Next(text.Length + 1);
                return Utf8(text[..at] + (char)random.Next(0, 32) + text[at..]);
        }
    }

    /// <summary>A seed with one to three random mutations; returns the kinds applied.</summary>
    public static (byte[] Bytes, int[] Kinds) RandomMutant((string Name, byte[] Bytes)[] seeds, Random random)
    {
        var bytes = seeds[random.Next(seeds.Length)].Bytes;
        var kinds = Enumerable.Range(0, 1 + random.Next(3)).Select(_ => random.Next(Kinds.Length)).ToArray();
        foreach (var kind in kinds)
            bytes = Mutate(bytes, kind, random);
        return (bytes, kinds);
    }

    private static string ReplaceOne(string text, string pattern, string[] replacements, Random random)
    {
        var matches = Regex.Matches(text, pattern);
        if (matches.Count == 0)
            return text;
        var match = matches[random.Next(matches.Count)];
        return text[..match.Index] + replacements[random.Next(replacements.Length)] + text[(match.Index + match.Length)..];
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
