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
                    "--epochs" => options with { Epochs = CommandLine.Positive(name, CommandLine.Value(args, ref i, Usage)) },
                    "--onnx" => options with { OnnxPath = CommandLine.Value(args, ref i, Usage) },
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
}
