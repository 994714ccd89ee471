namespace ModelDsl.Spec;

/// <summary>Checks across layers and compile: the output layer against the loss, the metrics against the labels.</summary>
internal sealed partial class Binder
{
    /// <summary>The last layer that acts at inference: what the loss and the metrics see.</summary>
    private static BoundLayer? OutputLayer(List<BoundLayer> layers) => layers.LastOrDefault(l => l.Kind?.OnlyInTraining != true);

    /// <summary>Dropout after the last real layer zeroes predictions in training and does nothing at inference.</summary>
    private void CheckDropoutAfterOutput(List<BoundLayer> layers)
    {
        var output = OutputLayer(layers);
        if (output == null || output.IsBroken)
        {
            return;
        }

        foreach (var dropout in layers.Skip(output.Index))
        {
            Report(DiagnosticCatalog.DropoutAfterOutput, dropout.KeySpan, dropout.Index, dropout.KindName, output.Index, output.KindName);
        }
    }

    private void CheckSingleUnitSoftmax(List<BoundLayer> layers)
    {
        // The layers whose activation runs over their own output axis.
        foreach (var layer in layers.Where(l => l.Activation == "softmax" && l.Kind?.CanStopBeforeActivation == true))
        {
            if (UnitsOf(layer) == 1)
            {
                Report(DiagnosticCatalog.SingleUnitSoftmax, layer.ActivationSpan, layer.Index, layer.KindName);
            }
        }
    }

    /// <summary>The size of the layer's last output axis, where the config alone or inferred shapes tell it.</summary>
    private static int? UnitsOf(BoundLayer layer) => layer.OutputShape is { } shape
        ? shape[shape.Length - 1]
        : layer.Config != null && layer.Kind!.Width is { } width ? width.Of(layer.Config) : null;

    private void CheckOutputAgainstLoss(List<BoundLayer> layers, CompileParts compile, bool shapesKnown)
    {
        var loss = compile.Loss;
        var output = OutputLayer(layers);
        if (loss == null || output?.Config == null)
        {
            return;
        }

        var categorical = loss.Name is Vocabulary.SparseCategoricalCrossentropy or Vocabulary.CategoricalCrossentropy;
        var binary = loss.Name == Vocabulary.BinaryCrossentropy;
        if (!categorical && !binary)
        {
            // Regression losses take whatever the output layer produces.
            return;
        }

        var units = UnitsOf(output);
        var shape = shapesKnown ? layers[layers.Count - 1].OutputShape : null;
        if (shape is { Length: 2 } && loss.Name == Vocabulary.SparseCategoricalCrossentropy)
        {
            // Keras computes the loss at every step (a sequence labeller); the usual slip is a forgotten
            // return_sequences: false, so it is a warning that says both.
            var steps = "(batch, " + Axis.Format(shape[0]) + ")";
            Report(DiagnosticCatalog.PerTimestepOutput, output.KeySpan, FormatShape(shape), output.Index, output.KindName, loss.Name, steps,
                $"if each sample has one label, {FlattenHint(layers)}");
        }
        else if (shape is { Length: > 1 } && loss.Name == Vocabulary.SparseCategoricalCrossentropy)
        {
            Report(DiagnosticCatalog.OutputLossMismatch, output.KeySpan, FormatShape(shape), output.Index, output.KindName, loss.Name,
                $"it compares one row of class scores per sample, (batch, classes), with integer labels (batch); {FlattenHint(layers)}");
            return;
        }

        var activation = output.Activation ?? "linear";
        if (categorical && units == 1)
        {
            if (activation != "softmax")
            {
                var why = loss.Name == Vocabulary.SparseCategoricalCrossentropy
                    ? "it needs one unit per class, but the layer has 1"
                    : "with one unit there is only one class and the loss is always 0";
                Report(DiagnosticCatalog.OutputLossMismatch, output.Args["units"]?.Span ?? output.KeySpan, FormatShape(shape ?? new[] { 1 }), output.Index, output.KindName, loss.Name,
                    $"{why}; set units to the number of classes, or use binary_crossentropy with activation: sigmoid for two classes");
            }

            return;
        }

        if (activation == "softmax" && units == 1)
        {
            // A one-unit softmax already has its own error; whatever the loss, that is the fix.
            return;
        }

        var span = output.ActivationSpan;
        if (loss.FromLogits)
        {
            if (activation is "softmax" or "sigmoid")
            {
                Report(DiagnosticCatalog.SoftmaxFromLogits, span, output.Index, output.KindName, activation, loss.Name, binary ? "sigmoid" : "softmax");
            }
            else if (activation != "linear")
            {
                Report(DiagnosticCatalog.ActivationLossMismatch, span, output.Index, output.KindName, activation, loss.Name, "raw scores, as from_logits is true", "use activation: linear");
            }

            return;
        }

        var expected = binary ? "sigmoid" : "softmax";
        if (activation == expected)
        {
            return;
        }

        var fix = (binary, activation) switch
        {
            (_, "linear") => $"use activation: {expected}, or set from_logits: true on the loss",
            (false, "sigmoid") => "use activation: softmax, or binary_crossentropy for independent yes/no labels",
            (true, "softmax") => "use activation: sigmoid, or categorical_crossentropy for one class per sample",
            _ => $"use activation: {expected}",
        };
        var ends = activation == "linear" ? "no activation (raw scores)" : activation;
        Report(DiagnosticCatalog.ActivationLossMismatch, span, output.Index, output.KindName, ends, loss.Name, $"probabilities from a {expected}", fix);
    }

    /// <summary>Where the extra axes of a multi-axis output come from, and how to drop them.</summary>
    private static string FlattenHint(List<BoundLayer> layers)
    {
        // Dense, dropout, activation and batch normalization keep the leading axes; look past them.
        var j = layers.Count - 1;
        while (j >= 0 && layers[j].Kind?.KeepsLeadingAxes == true)
        {
            j--;
        }

        if (j >= 0 && layers[j].IsRecurrent)
        {
            return $"set return_sequences: false on layer {layers[j].Index}";
        }

        return j + 1 < layers.Count
            ? $"add flatten before layer {layers[j + 1].Index}"
            : "end the model with flatten and a dense layer with one unit per class";
    }

    private List<MetricSpec>? ResolveMetrics(CompileParts compile, int[]? output)
    {
        if (compile.Metrics == null)
        {
            return null;
        }

        var loss = compile.Loss?.Name;
        var metrics = new List<MetricSpec>();
        foreach (var (name, kind, node) in compile.Metrics)
        {
            var accuracy = AccuracyFor(loss, output);
            if (loss != null && kind != Vocabulary.Accuracy && MetricMismatch(kind, loss) is { } expects)
            {
                var fix = kind.StartsWith("mean_", StringComparison.Ordinal) ? "remove it, or use accuracy" : $"use accuracy, which resolves to {accuracy}";
                Report(DiagnosticCatalog.MetricLossMismatch, node.Span, name, expects, loss, LabelsOf(loss), fix);
            }

            metrics.Add(new MetricSpec(name, kind == Vocabulary.Accuracy ? accuracy : kind));
        }

        return metrics;
    }

    /// <summary>
    /// Keras' resolution of 'accuracy': by the loss for cross-entropies; otherwise binary when the output has a
    /// single unit and categorical when it has more.
    /// </summary>
    private static string AccuracyFor(string? loss, int[]? output) => loss switch
    {
        Vocabulary.SparseCategoricalCrossentropy => "sparse_categorical_accuracy",
        Vocabulary.CategoricalCrossentropy => "categorical_accuracy",
        Vocabulary.BinaryCrossentropy => "binary_accuracy",
        _ => output is { } shape && shape[shape.Length - 1] == 1 ? "binary_accuracy" : "categorical_accuracy",
    };

    /// <summary>What the metric expects, when the loss's labels are not that.</summary>
    private static string? MetricMismatch(string metric, string loss)
    {
        var sparse = loss == Vocabulary.SparseCategoricalCrossentropy;
        return metric switch
        {
            "sparse_categorical_accuracy" when !sparse => "integer class labels (batch)",
            "categorical_accuracy" when sparse => "one-hot labels (batch, classes)",
            "binary_accuracy" when sparse => "0/1 labels shaped like the output",
            "mean_absolute_error" or "mean_squared_error" when sparse => "targets shaped like the output",
            _ => null,
        };
    }

    private static string LabelsOf(string loss) => loss switch
    {
        Vocabulary.SparseCategoricalCrossentropy => "integer class labels (batch)",
        Vocabulary.CategoricalCrossentropy => "one-hot labels (batch, classes)",
        Vocabulary.BinaryCrossentropy => "0/1 labels shaped like the output",
        _ => "targets shaped like the output",
    };
}
