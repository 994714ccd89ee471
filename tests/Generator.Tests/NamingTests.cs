using ModelDsl.Generator.Attributes;
using ModelDsl.Generator.Emit;

namespace ModelDsl.Generator.Tests;

/// <summary>The small translations the generator relies on: Keras names to C#, C# names to Keras, literals.</summary>
public sealed class NamingTests
{
    [Theory]
    [InlineData("lstm", "Lstm")]
    [InlineData("lstm_1", "Lstm1")]
    [InlineData("conv2d", "Conv2D")]
    [InlineData("max_pooling1d_2", "MaxPooling1D2")]
    [InlineData("batch_normalization", "BatchNormalization")]
    [InlineData("my-layer", "MyLayer")]
    [InlineData("1st", "_1st")]
    public void KerasNamesBecomePascalCase(string keras, string expected) => Assert.Equal(expected, CSharp.PascalCase(keras));

    [Theory]
    [InlineData("ReturnSequences", "return_sequences")]
    [InlineData("LearningRate", "learning_rate")]
    [InlineData("Beta1", "beta_1")]
    [InlineData("Units", "units")]
    [InlineData("kernelSize", "kernel_size")]
    [InlineData("Dtype", "dtype")]
    public void CSharpNamesBecomeKerasKeys(string name, string expected) => Assert.Equal(expected, AttributeReader.SnakeCase(name));

    [Theory]
    [InlineData(0.001, "0.001")]
    [InlineData(1e-5, "1e-05")]
    [InlineData(1.0, "1.0")]
    [InlineData(0.00392156862745098, "0.00392156862745098")]
    [InlineData(double.NaN, "double.NaN")]
    public void DoublesRoundTripAndReadAsDoubles(double value, string expected) => Assert.Equal(expected, CSharp.Literal(value));

    [Theory]
    [InlineData("Consumer.App", "Consumer.App")]
    [InlineData("my-app", "my_app")]
    [InlineData("3D.Models", "_3D.Models")]
    [InlineData("App.class", "App.@class")]
    [InlineData("", null)]
    public void RootNamespacesBecomeValidNamespaces(string rootNamespace, string? expected)
    {
        var sanitized = CSharp.SanitizeNamespace(rootNamespace);
        Assert.Equal(expected, sanitized);
        Assert.True(sanitized is null || CSharp.IsNamespace(sanitized));
    }
}
