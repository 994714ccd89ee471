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
    private static bool FixedWhereNeeded(ShapeContext shapes)
    {
        var kind = shapes.Layer.Kind!;
        if (kind.TakesIndices || kind.Role == ShapeRole.KeepsShape)
        {
            return true;
        }

        var fix = shapes.Origin == null ? "give the last axis of 'input' a size" : $"make layer {shapes.Origin.Index}'s output end in a fixed size";
        return shapes.Fixed(new[] { shapes.Input.Length - 1 }, "needs its input's last axis fixed", fix);
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
            var shapes = new ShapeContext(this, layer, shape, origin, layers);
            if (!FixedWhereNeeded(shapes))
            {
                return false;
            }

            bool inferred;
            try
            {
                inferred = layer.Kind!.Infer(shapes);
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
