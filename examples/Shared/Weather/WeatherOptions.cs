using System.Globalization;

namespace Examples.Weather;

/// <summary>The weather examples' command line. Epochs not given fall back to the model file's <c>fit</c> default.</summary>
internal sealed record WeatherOptions
{
    public int? Epochs { get; init; }

    /// <summary>
    /// Where to export the trained model as ONNX (for ONNX Runtime, without libtorch); null: no export. The file takes
    /// what the model takes: the figures standardized with the training statistics, which stay outside the model.
    /// </summary>
    public string? OnnxPath { get; init; }

    private const string Usage = "usage: [--epochs N] [--onnx FILE]";

    /// <summary>Parses the arguments; prints what is wrong and returns null on bad input.</summary>
    public static WeatherOptions? Parse(string[] args)
    {
        var options = new WeatherOptions();
        try
        {
            for (var i = 0; i < args.Length; i++)
            {
                var name = args[i];
                options = name switch
                {
                    "--epochs" => options with { Epochs = Positive(name, Value(args, ref i)) },
                    "--onnx" => options with { OnnxPath = Value(args, ref i) },
                    "-h" or "--help" => throw new FormatException(Usage),
                    _ => throw new FormatException($"unknown option '{name}'\n{Usage}"),
                };
            }
        }
        catch (FormatException e)
        {
            Console.Error.WriteLine(e.Message);
            return null;
        }

        return options;
    }

    private static string Value(string[] args, ref int i)
    {
        if (i + 1 >= args.Length)
        {
            throw new FormatException($"{args[i]} needs a value\n{Usage}");
        }

        return args[++i];
    }

    private static int Positive(string name, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new FormatException($"{name} needs a positive whole number, got '{text}'");
}
