namespace ModelDsl.Spec;

/// <summary>
/// Keras' ZeroPadding1D/2D and Cropping1D/2D: zeros added to, or values cut from, both ends of the steps (1-D) or
/// of the rows and columns (2-D).
/// </summary>
public abstract class PaddingOrCroppingLayer : LayerKind
{
    protected PaddingOrCroppingLayer(int axes, bool crops, int keras)
    {
        Axes = axes;
        Crops = crops;
        Amounts = new AmountsArgument(crops ? "cropping" : "padding",
            crops ? "How much to cut from each end of each axis." : "How many zeros to add at each end of each axis.", axes, keras);
        Arguments = new Argument[] { Amounts };
    }

    public int Axes { get; }

    public bool Crops { get; }

    public AmountsArgument Amounts { get; }

    public override IReadOnlyList<Argument> Arguments { get; }

    public override Argument Shorthand => Amounts;

    public override IReadOnlyList<string> Unsupported { get; } = new[] { "data_format" }.Concat(LayerUnsupported).ToArray();

    public override string UnsupportedHint(string argument) => CommonArguments.UnsupportedHint(argument);

    internal override bool Infer(ShapeContext shapes)
    {
        if (!shapes.NeedsSpatial(Axes, Name.Replace("1d", "2d")))
        {
            return false;
        }

        var amounts = shapes.Get(Amounts);
        var output = (int[])shapes.Input.Clone();
        var names = Axes == 1 ? new[] { "steps" } : new[] { "rows", "columns" };
        for (var axis = 0; axis < Axes; axis++)
        {
            var total = (long)amounts[2 * axis] + amounts[(2 * axis) + 1];
            if (Crops && shapes.Input[axis] != Axis.Variable && total >= shapes.Input[axis])
            {
                shapes.Report(DiagnosticCatalog.ArgumentShapeMismatch, shapes.Layer.Index, shapes.Layer.KindName, $"crops {total} of the {names[axis]}", shapes.From,
                    $"{ShapeContext.Format(shapes.Input)}, only {shapes.Input[axis]} long there", "crop less, or pad first");
                return false;
            }

            output[axis] = ShapeContext.Resize(shapes.Input[axis], n => n + (Crops ? -total : total));
        }

        shapes.Output(output, 0);
        return true;
    }
}

public sealed class ZeroPadding1DLayer() : PaddingOrCroppingLayer(1, crops: false, 1)
{
    public override LayerExample Example { get; } = new("[5, 3]", "- zero_padding1d: [1, 2]");

    public override string Name => "zero_padding1d";

    public override string KerasClass => "ZeroPadding1D";

    public override string Summary => "Adds zero steps at both ends.";
}

public sealed class ZeroPadding2DLayer() : PaddingOrCroppingLayer(2, crops: false, 1)
{
    public override LayerExample Example { get; } = new("[4, 4, 2]", "- zero_padding2d: [[1, 0], [2, 1]]");

    public override string Name => "zero_padding2d";

    public override string KerasClass => "ZeroPadding2D";

    public override string Summary => "Adds rows and columns of zeros around images.";
}

public sealed class Cropping1DLayer() : PaddingOrCroppingLayer(1, crops: true, 1)
{
    public override LayerExample Example { get; } = new("[6, 3]", "- cropping1d: [1, 2]");

    public override string Name => "cropping1d";

    public override string KerasClass => "Cropping1D";

    public override string Summary => "Cuts steps from both ends.";
}

public sealed class Cropping2DLayer() : PaddingOrCroppingLayer(2, crops: true, 0)
{
    public override LayerExample Example { get; } = new("[6, 6, 2]", "- cropping2d: [1, 2]");

    public override string Name => "cropping2d";

    public override string KerasClass => "Cropping2D";

    public override string Summary => "Cuts rows and columns from the edges of images.";
}
