using ModelDsl.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Examples.Mnist;

/// <summary>The example's command line. Anything not given falls back to the model file's <c>fit</c> defaults.</summary>
internal sealed record ExampleOptions
{
    public int? Epochs { get; init; }

    public int? BatchSize { get; init; }

    public Device Device { get; init; } = CPU;

    public int? Limit { get; init; }

    public string? HistoryPath { get; init; }

    public string? CheckpointDirectory { get; init; }

    public bool Resume { get; init; }

    public string? ModelPath { get; init; }

    /// <summary>Where to export the trained model as ONNX (for ONNX Runtime, without libtorch); null: no export.</summary>
    public string? OnnxPath { get; init; }

    private const string Usage =
        "usage: [--epochs N] [--batch-size N] [--device cpu|cuda|auto] [--limit N] " +
        "[--history FILE] [--checkpoint DIR] [--resume] [--save FILE] [--onnx FILE]";

    /// <summary>Parses the arguments; prints what is wrong and returns null on bad input.</summary>
    public static ExampleOptions? Parse(string[] args)
    {
        var options = new ExampleOptions();
        try
        {
            for (var i = 0; i < args.Length; i++)
            {
                var name = args[i];
                options = name switch
                {
                    "--epochs" => options with { Epochs = CommandLine.Positive(name, CommandLine.Value(args, ref i, Usage)) },
                    "--batch-size" => options with { BatchSize = CommandLine.Positive(name, CommandLine.Value(args, ref i, Usage)) },
                    "--device" => options with { Device = Devices.Parse(CommandLine.Value(args, ref i, Usage)) },
                    "--limit" => options with { Limit = CommandLine.Positive(name, CommandLine.Value(args, ref i, Usage)) },
                    "--history" => options with { HistoryPath = CommandLine.Value(args, ref i, Usage) },
                    "--checkpoint" => options with { CheckpointDirectory = CommandLine.Value(args, ref i, Usage) },
                    "--resume" => options with { Resume = true },
                    "--save" => options with { ModelPath = CommandLine.Value(args, ref i, Usage) },
                    "--onnx" => options with { OnnxPath = CommandLine.Value(args, ref i, Usage) },
                    "-h" or "--help" => throw new FormatException(Usage),
                    _ => throw new FormatException($"unknown option '{name}'\n{Usage}"),
                };
            }
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            Console.Error.WriteLine(e.Message);
            return null;
        }

        if (options.Device.type == DeviceType.CUDA && Math.Max(options.Device.index, 0) >= Devices.CudaDeviceCount)
        {
            Console.Error.WriteLine(
                $"--device {options.Device}: libtorch sees {Devices.CudaDeviceCount} CUDA device(s) here (a GPU needs a CUDA libtorch package); use --device cpu, or auto to take a GPU when there is one");
            return null;
        }

        if (options.Resume && options.CheckpointDirectory is null)
        {
            Console.Error.WriteLine("--resume needs --checkpoint DIR (the directory holding the checkpoints)");
            return null;
        }

        return options;
    }
}
