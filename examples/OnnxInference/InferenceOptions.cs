using System.Globalization;

namespace Examples.OnnxInference;

/// <summary>The app's command line: the model file, and where the MNIST test files are.</summary>
internal sealed record InferenceOptions(string ModelPath)
{
    public const int DefaultBatchSize = 256;
    public const int DefaultShown = 5;

    public string DataDirectory { get; init; } = MnistTestSet.DefaultDirectory();

    public int BatchSize { get; init; } = DefaultBatchSize;

    /// <summary>How many predictions to print, from the first test image on.</summary>
    public int Shown { get; init; } = DefaultShown;

    private const string Usage =
        "usage: OnnxInference MODEL.onnx [--data DIR] [--batch-size N] [--show N]\n" +
        "  MODEL.onnx       a model exported by an MNIST example's --onnx FILE\n" +
        "  --data DIR       the directory with t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (or .gz);\n" +
        "                   default $MODELDSL_DATA, else ~/.cache/modeldsl/mnist, where the examples cache MNIST\n" +
        "  --batch-size N   images per ONNX Runtime call (default 256)\n" +
        "  --show N         print the first N predictions (default 5; 0 for none)";

    /// <summary>Parses the arguments; prints what is wrong and returns null on bad input.</summary>
    public static InferenceOptions? Parse(string[] args)
    {
        string? model = null;
        string? data = null;
        int? batchSize = null, shown = null;
        try
        {
            for (var i = 0; i < args.Length; i++)
            {
                var name = args[i];
                switch (name)
                {
                    case "--data":
                        data = Value(args, ref i);
                        break;
                    case "--batch-size":
                        batchSize = Count(name, Value(args, ref i), minimum: 1);
                        break;
                    case "--show":
                        shown = Count(name, Value(args, ref i), minimum: 0);
                        break;
                    case "-h" or "--help":
                        throw new FormatException(Usage);
                    case var option when option.StartsWith('-'):
                        throw new FormatException($"unknown option '{option}'\n{Usage}");
                    case var path when model is null:
                        model = path;
                        break;
                    default:
                        throw new FormatException($"one model file, got '{model}' and '{name}'\n{Usage}");
                }
            }

            if (model is null)
                throw new FormatException($"no model file given\n{Usage}");
        }
        catch (FormatException e)
        {
            Console.Error.WriteLine(e.Message);
            return null;
        }

        var options = new InferenceOptions(model);
        return options with
        {
            DataDirectory = data ?? options.DataDirectory,
            BatchSize = batchSize ?? options.BatchSize,
            Shown = shown ?? options.Shown,
        };
    }

    private static string Value(string[] args, ref int i)
    {
        if (i + 1 >= args.Length)
            throw new FormatException($"{args[i]} needs a value\n{Usage}");
        return args[++i];
    }

    private static int Count(string name, string text, int minimum) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= minimum
            ? value
            : throw new FormatException($"{name} needs a whole number of at least {minimum}, got '{text}'");
}
