using ModelDsl.Spec;

namespace ModelDsl.Generator.Diagnostics;

/// <summary>
/// The diagnostics only the generator can raise: problems with the C# class that hosts an attribute model,
/// and models that would be generated twice. Everything about the model itself comes from
/// <see cref="DiagnosticCatalog"/>.
/// </summary>
internal static class GeneratorDiagnostics
{
    private const string Category = "ModelDsl.Generator";
    private const string HelpBase = "docs/diagnostics.md#";

    public static readonly ModelDiagnosticDescriptor ClassNotPartial = Define(
        "MDSL050", "Model class is not partial",
        "class '{0}' has [SequentialModel] but is not partial; declare it 'partial class {0}' so ModelDsl can generate the rest of it");

    public static readonly ModelDiagnosticDescriptor ClassStaticOrAbstract = Define(
        "MDSL051", "Model class is static or abstract",
        "class '{0}' has [SequentialModel] but is static or abstract; a model class is instantiated, so it is a plain (sealed) partial class");

    public static readonly ModelDiagnosticDescriptor ClassNestedOrGeneric = Define(
        "MDSL052", "Model class is nested or generic",
        "class '{0}' has [SequentialModel] but is nested in another type or generic; declare it as a non-generic class directly in a namespace");

    public static readonly ModelDiagnosticDescriptor ClassHasBase = Define(
        "MDSL053", "Model class has a base class",
        "class '{0}' has [SequentialModel] but derives from another class; the generated half derives from ModelDsl.Runtime.Training.SequentialModel, so leave the base class out");

    public static readonly ModelDiagnosticDescriptor DuplicateModel = Define(
        "MDSL054", "Model generated twice",
        "model '{0}' is already generated from {1}; give this one another name or namespace");

    public static IReadOnlyList<ModelDiagnosticDescriptor> All { get; } = new[]
    {
        ClassNotPartial, ClassStaticOrAbstract, ClassNestedOrGeneric, ClassHasBase, DuplicateModel,
    };

    private static ModelDiagnosticDescriptor Define(string id, string title, string format) =>
        new(id, title, format, Severity.Error, Category, HelpBase + id.ToLowerInvariant());
}
