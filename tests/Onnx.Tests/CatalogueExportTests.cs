using ModelDsl.Runtime.Training;

namespace ModelDsl.Onnx.Tests;

/// <summary>Every layer kind of the catalogue, and the variants beyond the catalogue's examples, exported and run in ONNX Runtime.</summary>
public sealed class CatalogueExportTests
{
    public static TheoryData<string> Kinds => new(CompiledModels.KindModels);

    public static TheoryData<string> Variants => new(CompiledModels.Variants.Select(v => v.Name));

    [Theory]
    [MemberData(nameof(Kinds))]
    public void EveryKindsExampleMatchesPredict(string model) => AssertMatches(model);

    [Theory]
    [MemberData(nameof(Variants))]
    public void VariantMatchesPredict(string model) => AssertMatches(model);

    private static void AssertMatches(string name)
    {
        using var model = CompiledModels.Create(name);
        OnnxCheck.Perturb(model);
        OnnxCheck.AssertMatches(model, OnnxCheck.RandomInputs(model));
    }
}
