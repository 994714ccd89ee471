using System.Globalization;
using ModelDsl.Runtime.Layers;

namespace ModelDsl.Runtime.Training;

public abstract partial class SequentialModel
{
    /// <summary>The name of an exported model's input.</summary>
    public const string OnnxInputName = "input";

    /// <summary>The name of an exported model's output.</summary>
    public const string OnnxOutputName = "output";

    /// <summary>The name of an exported model's batch axis (dynamic), and of a variable-length time axis.</summary>
    public const string OnnxBatchAxis = "batch", OnnxTimeAxis = "time";

    /// <summary>
    /// Writes the model, with its weights as they are now, as an ONNX file (operator set 17) that gives what
    /// <see cref="Predict"/> gives: input <see cref="OnnxInputName"/> (batch, input shape) float32 (int64 indices when the
    /// first layer is an embedding), the declared <c>rescale</c> inside, output <see cref="OnnxOutputName"/> after the
    /// output activation. The batch axis is dynamic, and so is a variable-length axis. Dropout and noise layers are left
    /// out, as at inference. Warnings (what may differ where the file runs) go to <paramref name="log"/>, standard error
    /// by default, and into the result. A layer without an ONNX form stops the export with a
    /// <see cref="NotSupportedException"/> naming it; the file is written whole or not at all.
    /// </summary>
    public OnnxExport ExportOnnx(string path, TextWriter? log = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var (writer, export) = BuildOnnx();
        AtomicFile.Write(path, writer.CopyTo);
        Report(export, log);
        return export;
    }

    /// <summary>Writes the ONNX form of the model to <paramref name="stream"/>, as <see cref="ExportOnnx(string, TextWriter?)"/> does.</summary>
    public OnnxExport ExportOnnx(Stream stream, TextWriter? log = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var (writer, export) = BuildOnnx();
        writer.CopyTo(stream);
        Report(export, log);
        return export;
    }

    private static void Report(OnnxExport export, TextWriter? log)
    {
        foreach (var warning in export.Warnings)
            (log ?? Console.Error).WriteLine("warning: " + warning);
    }

    private (ProtoWriter Writer, OnnxExport Export) BuildOnnx()
    {
        var indices = _layers.Count > 0 && _layers[0].Layer is Embedding;
        var inputType = indices ? OnnxElementType.Int64 : OnnxElementType.Float;
        var graph = new OnnxGraph(Config.Name, OnnxInputName);
        var x = new OnnxValue(OnnxInputName);
        if (Config.Rescale is double rescale)
        {
            if (indices)
                x = graph.Node("Cast", [x], OnnxAttribute.Int("to", (long)OnnxElementType.Float));
            x = graph.Mul(x, graph.Scalar(rescale));
        }

        using (var scope = NewDisposeScope())
        {
            for (var i = 0; i < _layers.Count; i++)
            {
                var (name, layer) = _layers[i];
                graph.Scope = name;
                try
                {
                    x = layer.ToOnnx(graph, x);
                }
                catch (NotSupportedException e)
                {
                    throw new NotSupportedException($"{Config.Name} cannot be exported to ONNX: layer {i + 1} '{name}': {e.Message}", e);
                }
            }
        }

        graph.Scope = string.Empty;
        var output = graph.Output(x, OnnxOutputName);
        var inputShape = new List<object> { OnnxBatchAxis };
        inputShape.AddRange(Config.InputShape.Select((d, axis) => d == VariableAxis ? (object)(axis == 0 ? OnnxTimeAxis : $"axis_{axis + 1}") : d));
        var description = $"{Config.Name}, exported by ModelDsl: input (batch, {Axes(Config.InputShape)}) " +
                          (indices ? "int64 indices" : "float32") +
                          (Config.Rescale is double r ? $", multiplied by {r.ToString("R", CultureInfo.InvariantCulture)} inside" : string.Empty) +
                          $"; output after {OutputActivation.KerasName()}, as Predict gives it.";
        var signature = new GraphSignature(
            new OnnxTensorInfo(OnnxInputName, inputType, inputShape), output,
            new OnnxTensorInfo(OnnxOutputName, OnnxElementType.Float, OutputShape(indices)), description);

        var writer = new ProtoWriter();
        writer.Int(OnnxFormat.Model.IrVersion, OnnxFormat.IrVersion);
        writer.String(OnnxFormat.Model.ProducerName, OnnxFormat.Producer);
        writer.String(OnnxFormat.Model.ProducerVersion, typeof(SequentialModel).Assembly.GetName().Version?.ToString() ?? string.Empty);
        writer.String(OnnxFormat.Model.DocString, description);
        writer.Message(OnnxFormat.Model.Graph, g => graph.Write(g, signature));
        writer.Message(OnnxFormat.Model.OpsetImport, opset =>
        {
            opset.String(OnnxFormat.OperatorSet.Domain, string.Empty);
            opset.Int(OnnxFormat.OperatorSet.Version, OnnxFormat.Opset);
        });
        return (writer, new OnnxExport(OnnxFormat.Opset, OnnxInputName, OnnxOutputName, graph.Warnings.ToArray()));
    }

    /// <summary>
    /// The output's shape for the file, (batch, ...), from one sample of zeros through the model; none where the input
    /// has a variable-length axis, whose output shape may depend on that length.
    /// </summary>
    private IReadOnlyList<object>? OutputShape(bool indices)
    {
        if (Config.InputShape.Contains(VariableAxis))
            return null;
        using var scope = NewDisposeScope();
        var probe = zeros([1, .. Config.InputShape.Select(d => (long)d)], indices ? ScalarType.Int64 : ScalarType.Float32);
        var output = Predict(probe);
        return [OnnxBatchAxis, .. output.shape.Skip(1).Select(d => (object)d)];
    }
}

/// <summary>What <see cref="SequentialModel.ExportOnnx(string, TextWriter?)"/> wrote: the operator set, the input's and output's names, and its warnings.</summary>
public sealed record OnnxExport(int Opset, string InputName, string OutputName, IReadOnlyList<string> Warnings);
