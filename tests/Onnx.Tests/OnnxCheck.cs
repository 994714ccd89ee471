using Microsoft.ML.OnnxRuntime;
using DenseTensor = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>;
using DenseIndices = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<long>;
using ModelDsl.Runtime.Layers;
using ModelDsl.Runtime.Training;
using static TorchSharp.torch;

namespace ModelDsl.Onnx.Tests;

/// <summary>Exports a model and runs the file in ONNX Runtime beside the model's own <c>Predict</c>.</summary>
internal static class OnnxCheck
{
    /// <summary>The bound: float32 outputs within 1e-5 absolute.</summary>
    public const double Tolerance = 1e-5;

    public static readonly int[] BatchSizes = [1, 7, 64];

    /// <summary>Every graph optimization level that matters: none, and all of them.</summary>
    public static readonly GraphOptimizationLevel[] Levels = [GraphOptimizationLevel.ORT_DISABLE_ALL, GraphOptimizationLevel.ORT_ENABLE_ALL];

    public static byte[] Export(SequentialModel model, TextWriter? log = null)
    {
        using var stream = new MemoryStream();
        model.ExportOnnx(stream, log ?? TextWriter.Null);
        return stream.ToArray();
    }

    public static InferenceSession Session(byte[] file, GraphOptimizationLevel level)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = level, IntraOpNumThreads = 1 };
        return new InferenceSession(file, options);
    }

    /// <summary>ONNX Runtime's output for <paramref name="inputs"/> (float32 or int64), as a float32 tensor of its shape.</summary>
    public static Tensor Run(InferenceSession session, Tensor inputs)
    {
        int[] dims = inputs.shape.Select(d => (int)d).ToArray();
        NamedOnnxValue input = inputs.dtype == ScalarType.Int64
            ? NamedOnnxValue.CreateFromTensor(SequentialModel.OnnxInputName, new DenseIndices(inputs.data<long>().ToArray(), dims))
            : NamedOnnxValue.CreateFromTensor(SequentialModel.OnnxInputName,
                new DenseTensor(inputs.to(ScalarType.Float32).data<float>().ToArray(), dims));
        using var results = session.Run([input]);
        var output = results.Single(r => r.Name == SequentialModel.OnnxOutputName).AsTensor<float>();
        return tensor(output.ToArray(), output.Dimensions.ToArray().Select(d => (long)d).ToArray());
    }

    /// <summary>
    /// Exports <paramref name="model"/> and asserts that ONNX Runtime, with graph optimizations off and on, gives what
    /// <c>Predict</c> gives for batches of 1, 7 and 64 from <paramref name="inputs"/>, within <see cref="Tolerance"/>.
    /// </summary>
    public static void AssertMatches(SequentialModel model, Func<int, Tensor> inputs)
    {
        var file = Export(model);
        foreach (var level in Levels)
        {
            using var session = Session(file, level);
            foreach (var batch in BatchSizes)
            {
                using var scope = NewDisposeScope();
                var x = inputs(batch);
                var expected = model.Predict(x);
                var actual = Run(session, x);
                Assert.Equal(expected.shape, actual.shape);
                var difference = (expected - actual).abs().max().item<float>();
                Assert.True(difference <= Tolerance,
                    $"{model.Config.Name}, batch {batch}, {level}: ONNX Runtime differs from Predict by {difference:G3} (max |output| {expected.abs().max().item<float>():G3})");
            }
        }
    }

    /// <summary>
    /// Moves every weight off its initial value (biases start at zero, moving statistics at 0 and 1), so that the
    /// check sees each one in its place: a draw from N(0, 0.1) added, moving variances kept positive.
    /// </summary>
    public static void Perturb(SequentialModel model, int seed = 11)
    {
        using var noGrad = no_grad();
        var generator = new TorchSharp.torch.Generator((ulong)seed);
        foreach (var (name, weight) in model.NamedWeights())
        {
            using var noise = randn(weight.shape, weight.dtype, weight.device, generator: generator) * 0.1;
            weight.add_(noise);
            if (name.EndsWith("moving_variance", StringComparison.Ordinal))
                weight.abs_().add_(0.1);
        }
    }

    /// <summary>Inputs for <paramref name="model"/>: N(0, 1) floats, or indices below the first embedding's input_dim; variable axes 5 long.</summary>
    public static Func<int, Tensor> RandomInputs(SequentialModel model, int seed = 3)
    {
        var generator = new TorchSharp.torch.Generator((ulong)seed);
        long[] sample = model.Config.InputShape.Select(d => d == SequentialModel.VariableAxis ? 5L : d).ToArray();
        return batch => model.Layers[0].Layer is Embedding embedding
            ? randint(0, embedding.InputDim, [batch, .. sample], ScalarType.Int64, generator: generator)
            : randn([batch, .. sample], generator: generator);
    }
}
