using System.Globalization;

namespace Examples;

/// <summary>What the examples' command lines share: an option's value, and whole positive numbers read the same in every culture.</summary>
internal static class CommandLine
{
    /// <summary>The value after the option at <paramref name="i"/>, which moves past it.</summary>
    public static string Value(string[] args, ref int i, string usage)
    {
        if (i + 1 >= args.Length)
        {
            throw new FormatException($"{args[i]} needs a value\n{usage}");
        }

        return args[++i];
    }

    public static int Positive(string name, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new FormatException($"{name} needs a positive whole number, got '{text}'");
}
