using Microsoft.ML.OnnxRuntime;

namespace Examples.OnnxInference;

/// <summary>
/// An exported image classifier in ONNX Runtime: one float32 input (batch, then any shape of one image's pixel count),
/// one output (batch, classes) of probabilities, the highest one taken as the prediction.
/// </summary>
internal sealed class OnnxClassifier : IDisposable
{
    private const int DynamicAxis = -1;

    private readonly InferenceSession _session;
    private readonly RunOptions _run = new();
    private readonly long[] _imageShape;

    public OnnxClassifier(string modelPath)
    {
        if (!File.Exists(modelPath))
            throw new FileNotFoundException($"model file not found: {modelPath} (an MNIST example writes one with --onnx FILE)", modelPath);
        _session = new InferenceSession(modelPath);
        try
        {
            (InputName, var input) = Single(modelPath, "input", _session.InputMetadata);
            (OutputName, var output) = Single(modelPath, "output", _session.OutputMetadata);
            InputDimensions = input.Dimensions;
            OutputDimensions = output.Dimensions;
            if (input.ElementType != typeof(float))
                throw new InvalidDataException($"{modelPath}: input '{InputName}' is {input.ElementType.Name}, not float32 pixels");
            if (output.ElementType != typeof(float) || output.Dimensions.Length != 2)
                throw new InvalidDataException($"{modelPath}: output '{OutputName}' is {Describe(output.Dimensions)} {output.ElementType.Name}, not (batch, classes) float32");
            _imageShape = input.Dimensions.Skip(1).Select(d => (long)d).ToArray();
            if (_imageShape.Length == 0 || _imageShape.Any(d => d <= 0))
                throw new InvalidDataException($"{modelPath}: input '{InputName}' is {Describe(input.Dimensions)}, not (batch, then an image's fixed sizes)");
            PixelsPerImage = _imageShape.Aggregate(1L, (product, d) => product * d);
            FixedBatch = input.Dimensions[0] == DynamicAxis ? null : input.Dimensions[0];
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string InputName { get; }

    public string OutputName { get; }

    public int[] InputDimensions { get; }

    public int[] OutputDimensions { get; }

    /// <summary>The number of values one image has in the model's input.</summary>
    public long PixelsPerImage { get; }

    /// <summary>The batch size the file fixes, when its batch axis is not dynamic.</summary>
    public int? FixedBatch { get; }

    /// <summary>The predicted class of each of the <paramref name="count"/> images in <paramref name="pixels"/>, and its probability.</summary>
    public (int Class, float Probability)[] Classify(ReadOnlySpan<byte> pixels, int count)
    {
        var values = new float[pixels.Length];
        for (var i = 0; i < values.Length; i++)
            values[i] = pixels[i];
        using var input = OrtValue.CreateTensorValueFromMemory(values, [count, .. _imageShape]);
        using var outputs = _session.Run(_run, [InputName], [input], [OutputName]);
        var shape = outputs[0].GetTensorTypeAndShape().Shape;
        if (shape.Length != 2 || shape[0] != count)
            throw new InvalidDataException($"output '{OutputName}' came back {Describe(shape)} for {count} images, not ({count}, classes)");

        var probabilities = outputs[0].GetTensorDataAsSpan<float>();
        var classes = (int)shape[1];
        var predictions = new (int, float)[count];
        for (var n = 0; n < count; n++)
        {
            var row = probabilities.Slice(n * classes, classes);
            var best = 0;
            for (var c = 1; c < classes; c++)
            {
                if (row[c] > row[best])
                    best = c;
            }

            predictions[n] = (best, row[best]);
        }

        return predictions;
    }

    public static string Describe<T>(IEnumerable<T> dimensions) where T : System.Numerics.INumber<T> =>
        "(" + string.Join(", ", dimensions.Select(d => d == T.CreateChecked(DynamicAxis) ? "batch" : d.ToString())) + ")";

    public void Dispose()
    {
        _run.Dispose();
        _session.Dispose();
    }

    private static (string Name, NodeMetadata Metadata) Single(string path, string what, IReadOnlyDictionary<string, NodeMetadata> nodes) =>
        nodes.Count == 1
            ? (nodes.Keys.Single(), nodes.Values.Single())
            : throw new InvalidDataException($"{path}: {nodes.Count} {what}s ({string.Join(", ", nodes.Keys)}), a classifier here has one");
}
