using System.Globalization;

namespace ModelDsl.Spec;

/// <summary>
/// Keras' shape inference, per sample (the batch axis is implicit), with Keras' parameter counts: each layer's
/// catalogue entry applies its own rule (<see cref="LayerKind.Infer"/>). The first shape error stops inference:
/// every later shape would follow from a wrong one.
/// </summary>
internal sealed partial class Binder
{
    /// <summary>"(batch, 28, 128)": how messages write a per-sample shape with its batch axis.</summary>
    internal static string FormatShape(IEnumerable<int> shape) => "(" + string.Join(", ", new[] { "batch" }.Concat(shape.Select(Axis.Format))) + ")";

    /// <summary>
    /// A layer with weights over its input's last axis (dense, convolutions, recurrent layers, normalization) needs
    /// that axis fixed; the others (an embedding's indices, dropout, activations) take any length.
    /// </summary>
    private bool FixedWhereNeeded(BoundLayer layer, int[] shape, BoundLayer? origin)
    {
        var kind = layer.Kind!;
        if (shape[shape.Length - 1] != Axis.Variable || kind.TakesIndices || kind.Role == ShapeRole.KeepsShape)
        {
            return true;
        }

        Report(DiagnosticCatalog.VariableAxis, layer.KeySpan, layer.Index, layer.KindName, "needs its input's last axis fixed", shape.Length,
            FormatShape(shape), origin == null ? "the input" : origin.Label,
            origin == null ? "give the last axis of 'input' a size" : $"make layer {origin.Index}'s output end in a fixed size");
        return false;
    }

    private bool InferShapes(int[] input, List<BoundLayer> layers)
    {
        var shape = input;
        BoundLayer? origin = null;
        long total = 0;
        foreach (var layer in layers)
        {
            if (layer.Config == null)
            {
                return false;
            }

            layer.InputShape = shape;
            if (!FixedWhereNeeded(layer, shape, origin))
            {
                return false;
            }

            bool inferred;
            try
            {
                inferred = layer.Kind!.Infer(new ShapeContext(this, layer, shape, origin, layers));
                total = checked(total + layer.Parameters);
            }
            catch (OverflowException)
            {
                Report(DiagnosticCatalog.SizeOverflow, layer.KeySpan, layer.Label, "the parameter count does not fit in 64 bits");
                return false;
            }

            if (!inferred)
            {
                return false;
            }

            // Layers that keep the shape do not become "where the shape came from" in messages.
            if (!layer.KeepsShape)
            {
                origin = layer;
            }

            shape = layer.OutputShape!;
        }

        return true;
    }
}
