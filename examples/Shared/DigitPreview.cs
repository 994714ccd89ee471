using static TorchSharp.torch;
using ModelDsl.Runtime.Data;
using ModelDsl.Runtime.Training;

namespace Examples.Mnist;

/// <summary>Draws a few test digits in the terminal with the model's prediction beside the true label.</summary>
internal static class DigitPreview
{
    private const string Shades = " .:-=+*#%@";

    public static void Show(SequentialModel model, Dataset test, int count)
    {
        using var scope = NewDisposeScope();
        using var sample = test.Take(count);
        var images = sample.Inputs.data<byte>().ToArray();
        var labels = sample.Targets.data<long>().ToArray();
        var predicted = model.Predict(sample.Inputs).argmax(1).data<long>().ToArray();

        for (var n = 0; n < labels.Length; n++)
        {
            Console.WriteLine($"test image {n}: label {labels[n]}, predicted {predicted[n]}");
            for (var row = 0; row < 28; row += 2)
            {
                var line = new char[28];
                for (var col = 0; col < 28; col++)
                {
                    // Two image rows per text line keep the digit's proportions in a terminal.
                    var value = Math.Max(images[(n * 784) + (row * 28) + col], images[(n * 784) + ((row + 1) * 28) + col]);
                    line[col] = Shades[value * (Shades.Length - 1) / 255];
                }

                Console.WriteLine("  " + new string(line));
            }
        }
    }
}
