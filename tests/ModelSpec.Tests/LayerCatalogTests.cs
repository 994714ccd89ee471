using System.Text.RegularExpressions;
using static ModelDsl.Spec.Tests.TestModels;

namespace ModelDsl.Spec.Tests;

/// <summary>The layer and optimizer catalogues are complete and consistent: every entry is usable as it stands.</summary>
public class LayerCatalogTests
{
    public static TheoryData<string> Kinds => new(LayerCatalog.Names);

    [Theory]
    [MemberData(nameof(Kinds))]
    public void EveryKindsExampleIsAcceptedWithAShapeAndItsOwnName(string name)
    {
        var kind = LayerCatalog.Find(name)!;
        var spec = SpecOf(WithLayers(kind.Example.Input, kind.Example.Layer, "{loss: mse}"));
        var layer = Assert.Single(spec.Layers);
        Assert.Equal(name, layer.Config.Kind);
        Assert.Equal(name, layer.Name);
        Assert.NotEmpty(layer.OutputShape);
        Assert.All(layer.OutputShape, d => Assert.True(d > 0));
        Assert.InRange(layer.TrainableParameters, 0, layer.Parameters);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void EveryKindIsCompleteAndSpeaksKerasNames(string name)
    {
        var kind = LayerCatalog.Find(name)!;
        Assert.Matches("^[a-z][a-z0-9_]*$", kind.Name);
        Assert.Matches("^[A-Z][A-Za-z0-9]*$", kind.KerasClass);
        Assert.Matches("^[A-Z][A-Za-z0-9]*$", kind.RuntimeType);
        Assert.False(string.IsNullOrWhiteSpace(kind.Summary));
        Assert.All(kind.Arguments, a => Assert.Matches("^[a-z][a-z0-9_]*$", a.Name));
        Assert.All(kind.Arguments, a => Assert.False(string.IsNullOrWhiteSpace(a.Summary)));
        Assert.Equal(kind.Arguments.Count, kind.Arguments.Select(a => a.Name).Distinct().Count());
        Assert.Empty(kind.Arguments.Select(a => a.Name).Intersect(kind.Unsupported));
        if (kind.Shorthand != null)
        {
            Assert.Contains(kind.Shorthand, kind.Arguments);
        }

        // Required arguments come first, so the runtime constructor takes them positionally in catalogue order.
        Assert.Equal(kind.Arguments.Where(a => a.Required), kind.Arguments.TakeWhile(a => a.Required));
    }

    [Fact]
    public void NamesAttributesAndOtherNamesAreUnique()
    {
        var all = LayerCatalog.All.SelectMany(k => k.OtherNames.Prepend(k.Name)).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.Equal(LayerCatalog.All.Count, LayerCatalog.All.Select(k => k.AttributeName).Distinct().Count());
        Assert.Empty(LayerCatalog.Names.Intersect(LayerCatalog.Unsupported, StringComparer.OrdinalIgnoreCase));
        Assert.All(LayerCatalog.All.SelectMany(k => k.OtherNames), other => Assert.Same(LayerCatalog.All.Single(k => k.OtherNames.Contains(other)), LayerCatalog.Find(other)));
    }

    [Fact]
    public void AKerasTwoNameReadsAsItsKerasThreeArgument()
    {
        var spec = SpecOf(WithLayers("[8]", "- leaky_re_lu: {alpha: 0.1}", "{loss: mse}"));
        Assert.Equal("leaky_relu {negative_slope: 0.1}", spec.Layers[0].Config.ToString());
    }

    [Fact]
    public void EveryOptimizerIsCompleteAndStartsWithItsLearningRate()
    {
        Assert.All(OptimizerCatalog.All, optimizer =>
        {
            Assert.Matches("^[a-z]+$", optimizer.Name);
            Assert.Equal("learning_rate", optimizer.Arguments[0].Name);
            Assert.Equal(new[] { "decay", "clipnorm", "clipvalue", "global_clipnorm" }, optimizer.Arguments.Skip(optimizer.Arguments.Count - 4).Select(a => a.Name));
            Assert.All(optimizer.Arguments, a => Assert.False(a.Required));
            Assert.Equal(optimizer.Arguments.Count, optimizer.Arguments.Select(a => a.Name).Distinct().Count());
            Assert.Empty(optimizer.Arguments.Select(a => a.Name).Intersect(optimizer.Unsupported));
        });
        Assert.Empty(OptimizerCatalog.Names.Intersect(OptimizerCatalog.Unsupported, StringComparer.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData("kernel_size", "KernelSize", "kernelSize")]
    [InlineData("beta_1", "Beta1", "beta1")]
    [InlineData("conv2d", "Conv2D", "conv2D")]
    [InlineData("max_pooling1d", "MaxPooling1D", "maxPooling1D")]
    [InlineData("conv1d_transpose", "Conv1DTranspose", "conv1DTranspose")]
    public void SnakeCaseBecomesCSharpCases(string snake, string pascal, string camel)
    {
        Assert.Equal(pascal, CaseNames.Pascal(snake));
        Assert.Equal(camel, CaseNames.Camel(snake));
        Assert.Matches(new Regex("^[a-z]"), CaseNames.Camel(snake));
    }
}
