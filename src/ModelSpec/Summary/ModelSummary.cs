using System.Globalization;
using System.Text;

namespace ModelDsl.Spec;

/// <summary>
/// Keras' <c>model.summary()</c> table for a Sequential model, computed from a checked spec: layer name and class,
/// output shape with None for the batch axis, parameter count, and the totals.
/// </summary>
public static class ModelSummary
{
    /// <summary>Keras' column starts for Sequential models (29 and 55 of 65); wider content widens a column.</summary>
    private const int LayerWidth = 28;
    private const int ShapeWidth = 26;
    private const int ParamWidth = 10;

    public static string Format(ModelSpec spec)
    {
        var rows = spec.Layers.Select(l => (
            Layer: $"{l.Name} ({ClassName(l.Config.Kind)})",
            Shape: "(" + string.Join(", ", new[] { "None" }.Concat(l.OutputShape.Select(Axis.Format))) + ")",
            Params: l.Parameters.ToString(CultureInfo.InvariantCulture))).ToList();
        var layerWidth = Math.Max(LayerWidth, rows.Select(r => r.Layer.Length + 1).DefaultIfEmpty(0).Max());
        var shapeWidth = Math.Max(ShapeWidth, rows.Select(r => r.Shape.Length + 1).DefaultIfEmpty(0).Max());
        var width = 1 + layerWidth + shapeWidth + ParamWidth;

        var text = new StringBuilder();
        void Line(string line) => text.Append(line.TrimEnd()).Append('\n');
        void Row(string layer, string shape, string parameters) => Line(" " + layer.PadRight(layerWidth) + shape.PadRight(shapeWidth) + parameters);

        Line($"Model: \"{spec.Name}\"");
        Line(new string('_', width));
        Row("Layer (type)", "Output Shape", "Param #");
        Line(new string('=', width));
        foreach (var row in rows)
        {
            Row(row.Layer, row.Shape, row.Params);
        }

        Line(new string('=', width));
        Line("Total params: " + Count(spec.TotalParameters));
        Line("Trainable params: " + Count(spec.TrainableParameters));
        Line("Non-trainable params: " + Count(spec.TotalParameters - spec.TrainableParameters));
        Line(new string('_', width));
        return text.ToString();
    }

    /// <summary>The Keras class of a layer kind: lstm is LSTM, max_pooling2d is MaxPooling2D.</summary>
    public static string ClassName(string kind) => LayerCatalog.Find(kind)?.KerasClass ?? kind;

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
