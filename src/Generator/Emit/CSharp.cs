using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis.CSharp;

namespace ModelDsl.Generator.Emit;

/// <summary>C# literals and identifiers, written the way a person would write them.</summary>
internal static class CSharp
{
    public static string Literal(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Literal(bool value) => value ? "true" : "false";

    /// <summary>A double literal that round-trips and always reads as a double (<c>1.0</c>, <c>1e-05</c>).</summary>
    public static string Literal(double value)
    {
        if (double.IsNaN(value))
        {
            return "double.NaN";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "double.PositiveInfinity" : "double.NegativeInfinity";
        }

        var text = value.ToString("R", CultureInfo.InvariantCulture).Replace("E", "e");
        return text.IndexOf('.') >= 0 || text.IndexOf('e') >= 0 ? text : text + ".0";
    }

    public static string Literal(string value) => SymbolDisplay.FormatLiteral(value, quote: true);

    /// <summary>Keras' snake_case name as a PascalCase identifier: <c>lstm_1</c> → <c>Lstm1</c>, <c>conv2d</c> → <c>Conv2D</c>.</summary>
    public static string PascalCase(string snakeCase)
    {
        var builder = new StringBuilder(snakeCase.Length);
        var upperNext = true;
        for (var i = 0; i < snakeCase.Length; i++)
        {
            var c = snakeCase[i];
            if (c == '_' || !SyntaxFacts.IsIdentifierPartCharacter(c))
            {
                upperNext = true;
                continue;
            }

            // The "d" of conv2d / max_pooling1d names a dimension, as in the runtime's Conv2D.
            var isDimension = c == 'd' && i > 0 && char.IsDigit(snakeCase[i - 1]);
            builder.Append(upperNext || isDimension ? char.ToUpperInvariant(c) : c);
            upperNext = false;
        }

        if (builder.Length == 0 || !SyntaxFacts.IsIdentifierStartCharacter(builder[0]))
        {
            builder.Insert(0, '_');
        }

        return builder.ToString();
    }

    /// <summary>Whether <paramref name="name"/> can name a type or member as written (no keyword, no escape).</summary>
    public static bool IsIdentifier(string name) =>
        SyntaxFacts.IsValidIdentifier(name) && SyntaxFacts.GetKeywordKind(name) == SyntaxKind.None;

    /// <summary>Whether <paramref name="name"/> is a dotted namespace name (<c>Examples.Mnist</c>, <c>My.@class</c>).</summary>
    public static bool IsNamespace(string name) =>
        name.Split('.').All(segment => segment.StartsWith("@", StringComparison.Ordinal)
            ? SyntaxFacts.IsValidIdentifier(segment.Substring(1))
            : IsIdentifier(segment));

    /// <summary>
    /// MSBuild's RootNamespace defaults to the project name, which may hold characters C# rejects
    /// (<c>my-app</c>); turn each segment into an identifier, as Visual Studio's templates do.
    /// </summary>
    public static string? SanitizeNamespace(string? rootNamespace)
    {
        if (string.IsNullOrWhiteSpace(rootNamespace))
        {
            return null;
        }

        var segments = rootNamespace!.Split('.')
            .Where(segment => segment.Length > 0)
            .Select(SanitizeSegment);
        var result = string.Join(".", segments);
        return result.Length == 0 ? null : result;
    }

    private static string SanitizeSegment(string segment)
    {
        var builder = new StringBuilder(segment.Length + 1);
        foreach (var c in segment)
        {
            builder.Append(SyntaxFacts.IsIdentifierPartCharacter(c) ? c : '_');
        }

        if (!SyntaxFacts.IsIdentifierStartCharacter(builder[0]))
        {
            builder.Insert(0, '_');
        }

        var text = builder.ToString();
        return IsIdentifier(text) ? text : "@" + text;
    }
}
