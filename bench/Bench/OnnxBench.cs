using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using ModelDsl.Runtime.Data;
using ModelDsl.Runtime.Training;
using static TorchSharp.torch;

namespace ModelDsl.Bench;

/// <summary>
/// <c>Bench onnx</c>: the model exported to ONNX and run by ONNX Runtime's CPU provider over the 10,000 test images,
/// beside the model's own <c>Predict</c> (libtorch), in rounds back to back, on the same threads.
/// </summary>
internal static class OnnxBench
{
    public static int Run(SequentialModel model, Dataset test, int batch, int rounds, int threads)
    {
        using var stream = new MemoryStream();
        model.ExportOnnx(stream, TextWriter.Null);
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpNumThreads = threads, InterOpNumThreads = 1,
        };
        using var session = new InferenceSession(stream.ToArray(), options);
        var pixels = test.Inputs.to(ScalarType.Float32).data<float>().ToArray();
        int count = (int)test.Count, sample = pixels.Length / count;
        int[] sampleShape = test.Inputs.shape.Skip(1).Select(d => (int)d).ToArray();

        int[] RunOnnx()
        {
            var labels = new int[count];
            for (var start = 0; start < count; start += batch)
            {
                var size = Math.Min(batch, count - start);
                var input = new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>(pixels.AsMemory(start * sample, size * sample), [size, .. sampleShape]);
                using var results = session.Run([NamedOnnxValue.CreateFromTensor(SequentialModel.OnnxInputName, input)]);
                var output = results[0].AsTensor<float>();
                int classes = output.Dimensions[1];
                for (var n = 0; n < size; n++)
                {
                    var best = 0;
                    for (var c = 1; c < classes; c++)
                        best = output[n, c] > output[n, best] ? c : best;
                    labels[start + n] = best;
                }
            }
            return labels;
        }

        int[] RunPredict()
        {
            using var outputs = model.Predict(test.Inputs, batch);
            using var best = outputs.argmax(1);
            return best.to(ScalarType.Int32).data<int>().ToArray();
        }

        // Warm-up: ONNX Runtime's first runs allocate its arenas; ours was warmed up by the caller.
        RunOnnx();
        var onnxRates = new List<double>();
        var predictRates = new List<double>();
        var same = 0;
        for (var round = 1; round <= rounds; round++)
        {
            var clock = Stopwatch.StartNew();
            var onnx = RunOnnx();
            double onnxRate = count / clock.Elapsed.TotalSeconds;
            clock.Restart();
            var predicted = RunPredict();
            double predictRate = count / clock.Elapsed.TotalSeconds;
            onnxRates.Add(onnxRate);
            predictRates.Add(predictRate);
            same = onnx.Zip(predicted).Count(p => p.First == p.Second);
            Console.WriteLine($"round={round} samples_per_s={onnxRate:0} predict_samples_per_s={predictRate:0} ratio_predict={onnxRate / predictRate:0.00}");
        }

        var ratios = onnxRates.Zip(predictRates, (o, p) => o / p).ToList();
        Console.WriteLine($"samples_per_s={Rounds.Median(onnxRates):0}");
        Console.WriteLine($"predict_samples_per_s={Rounds.Median(predictRates):0}");
        Console.WriteLine($"ratio_predict={Rounds.Median(ratios):0.00} (median of {ratios.Count} rounds: " +
                          $"{string.Join(", ", ratios.Select(r => r.ToString("0.00", CultureInfo.InvariantCulture)))})");
        Console.WriteLine($"same_predictions={same}/{count}");
        return same == count ? 0 : 1;
    }
}
