using Microsoft.ML.OnnxRuntime;
using ModelDsl.Runtime;
using ModelDsl.Runtime.Layers;
using ModelDsl.Runtime.Training;
using ModelDsl.Spec;

namespace ModelDsl.Onnx.Tests;

/// <summary>What an exported file says of itself, what the export warns about, and where it stops.</summary>
public sealed class ExportBehaviourTests
{
    [Fact]
    public void TheFileNamesItsInputAndOutputWithADynamicBatch()
    {
        using var model = CompiledModels.Create("MnistLstm");
        var export = model.ExportOnnx(new MemoryStream(), TextWriter.Null);
        Assert.Equal(17, export.Opset);
        using var session = OnnxCheck.Session(OnnxCheck.Export(model), GraphOptimizationLevel.ORT_ENABLE_ALL);
        var input = session.InputMetadata[SequentialModel.OnnxInputName];
        Assert.Equal(typeof(float), input.ElementType);
        Assert.Equal([-1, 28, 28], input.Dimensions);
        Assert.Equal(SequentialModel.OnnxBatchAxis, input.SymbolicDimensions[0]);
        var output = session.OutputMetadata[SequentialModel.OnnxOutputName];
        Assert.Equal([-1, 10], output.Dimensions);
        Assert.Equal("ModelDsl", session.ModelMetadata.ProducerName);
        Assert.Contains("multiplied by 0.00392156862745098 inside", session.ModelMetadata.Description);
    }

    [Fact]
    public void ConsecutiveConvolutionsAndPoolingsStayChannelsFirstBetweenThem()
    {
        // MnistCnn: conv2d, max_pooling2d, conv2d, max_pooling2d, flatten. One transpose into ONNX's layout before the
        // first convolution and one back before flatten (which flattens channels-last); the six between cancel out.
        using var model = CompiledModels.Create("MnistCnn");
        Assert.Equal(2, OpCount(OnnxCheck.Export(model), "Transpose"));
    }

    // A node's op_type is its field 4, a length-delimited string: tag byte 0x22, then the length, then the name.
    private static int OpCount(byte[] file, string op)
    {
        byte[] pattern = [0x22, (byte)op.Length, .. System.Text.Encoding.ASCII.GetBytes(op)];
        var count = 0;
        for (var i = file.AsSpan().IndexOf(pattern); i >= 0; i = file.AsSpan(i + 1).IndexOf(pattern) is var next and >= 0 ? i + 1 + next : -1)
            count++;
        return count;
    }

    [Fact]
    public void AVariableLengthAxisStaysDynamicAndIndicesAreInt64()
    {
        using var model = CompiledModels.Create("EmbeddingVariableLength");
        using var session = OnnxCheck.Session(OnnxCheck.Export(model), GraphOptimizationLevel.ORT_ENABLE_ALL);
        var input = session.InputMetadata[SequentialModel.OnnxInputName];
        Assert.Equal(typeof(long), input.ElementType);
        Assert.Equal([SequentialModel.OnnxBatchAxis, SequentialModel.OnnxTimeAxis], input.SymbolicDimensions);

        // The same file takes any length: 1, 5 and 40 steps.
        foreach (var steps in new[] { 1, 5, 40 })
        {
            using var x = TorchSharp.torch.randint(0, 30, [3, steps], TorchSharp.torch.ScalarType.Int64);
            using var expected = model.Predict(x);
            using var actual = OnnxCheck.Run(session, x);
            Assert.True((expected - actual).abs().max().item<float>() <= OnnxCheck.Tolerance, $"{steps} steps");
        }
    }

    [Fact]
    public void ExportWarnsWhereOnnxRuntimesCudaProviderComputesOtherwise()
    {
        // The reference model's relu LSTMs: cuDNN has only tanh.
        using var reference = CompiledModels.Create("MnistLstm");
        var log = new StringWriter();
        var export = reference.ExportOnnx(new MemoryStream(), log);
        Assert.Equal(2, export.Warnings.Count);
        Assert.StartsWith("lstm: ONNX Runtime's CUDA execution provider runs cuDNN's LSTM, which ignores the op's activations and has no activation: relu",
            export.Warnings[0]);
        Assert.StartsWith("lstm_1: ", export.Warnings[1]);
        Assert.Equal(string.Concat(export.Warnings.Select(w => "warning: " + w + Environment.NewLine)), log.ToString());

        // Keras' defaults, and a relu SimpleRNN (one of cuDNN's modes), export without a word.
        foreach (var quiet in new[] { "ExampleGru", "ExampleSimpleRnn", "ExampleBidirectional", "MnistCnn" })
        {
            using var model = CompiledModels.Create(quiet);
            Assert.Empty(model.ExportOnnx(new MemoryStream(), TextWriter.Null).Warnings);
        }

        using var resetBefore = CompiledModels.Create("GruResetBefore");
        Assert.Contains(resetBefore.ExportOnnx(new MemoryStream(), TextWriter.Null).Warnings,
            w => w.StartsWith("gru: ", StringComparison.Ordinal) && w.Contains("reset gate after the recurrent product", StringComparison.Ordinal));
    }

    [Fact]
    public void ALayerWithoutAnOnnxFormStopsTheExportAndWritesNothing()
    {
        using var model = new OneLayerModel(new Doubling(), 3);
        var path = Path.Combine(Path.GetTempPath(), $"modeldsl-{Guid.NewGuid():N}.onnx");
        var error = Assert.Throws<NotSupportedException>(() => model.ExportOnnx(path));
        Assert.Equal("OneLayer cannot be exported to ONNX: layer 1 'only': Doubling has no ONNX form " +
                     "(a layer of your own exports by overriding Layer.ToOnnx)", error.Message);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void TheRuntimeExportsExactlyTheRecurrentActivationsTheCompileTimeCheckAllows()
    {
        foreach (var activation in Enum.GetValues<Activation>())
        {
            using var model = new OneLayerModel(new Lstm(3, 2, activation: activation), 4, 3);
            var allowed = OnnxForms.RecurrentActivations.Contains(activation.KerasName());
            if (allowed)
            {
                OnnxCheck.AssertMatches(model, OnnxCheck.RandomInputs(model));
            }
            else
            {
                var error = Assert.Throws<NotSupportedException>(() => model.ExportOnnx(new MemoryStream(), TextWriter.Null));
                Assert.Equal($"OneLayer cannot be exported to ONNX: layer 1 'only': ONNX's LSTM op has no '{activation.KerasName()}' activation; " +
                             $"it takes {string.Join(", ", OnnxForms.RecurrentActivations)}", error.Message);
            }
        }
    }
}
