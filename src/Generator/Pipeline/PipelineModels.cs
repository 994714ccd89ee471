using ModelDsl.Spec;

namespace ModelDsl.Generator.Pipeline;

// The values that flow between the generator's steps. Every one is a record of strings, numbers and
// equatable arrays (never a Roslyn symbol, syntax node or compilation), so the driver can compare a step's
// new output with its cached one and skip everything downstream when they are equal.

/// <summary>A model file as read: its path and text.</summary>
internal sealed record ModelFile(string Path, string Text);

/// <summary>
/// The class a model becomes. <paramref name="Namespace"/> is null for the global namespace.
/// <paramref name="DeclaresAccessibility"/>: the generated part makes the class public; for an attribute model the
/// user's own declaration says it. <paramref name="SourceFile"/> is the file name the doc comments cite;
/// <paramref name="Span"/> locates problems with the class as a whole.
/// </summary>
internal sealed record ModelClass(string Name, string? Namespace, bool DeclaresAccessibility, string SourceFile, SourceSpan Span)
{
    public string FullName => Namespace is null ? Name : Namespace + "." + Name;
}

/// <summary>
/// A model described by attributes: the class and the document tree read from its attributes, or, when the class
/// cannot host a model, no tree and the diagnostics that say why.
/// </summary>
internal sealed record AttributeModel(ModelClass Class, Node? Root, EquatableArray<ModelDiagnostic> Diagnostics);

/// <summary>An analysed model file; its class is settled when the project's RootNamespace joins it.</summary>
internal sealed record YamlModel(string Path, ModelAnalysis Analysis);

/// <summary>An analysed attribute model and the class it completes.</summary>
internal sealed record AttributeAnalysis(ModelClass Class, ModelAnalysis Analysis);

/// <summary>
/// What the generator adds for one model: a source file (null when the model has errors), its diagnostics, and
/// the model's span for a problem found while adding them.
/// </summary>
internal sealed record GeneratedModel(string HintName, string? Source, EquatableArray<ModelDiagnostic> Diagnostics, SourceSpan Span)
{
    /// <summary>The file name this model takes in the generator's output, and where it was declared; null when it generates nothing.</summary>
    public ModelClaim? Claim => Source is null ? null : new ModelClaim(HintName, Span);
}

/// <summary>A model's claim to a generated file name, which must be unique across the whole project.</summary>
internal sealed record ModelClaim(string HintName, SourceSpan Span);

/// <summary>A model that lost its file name to <paramref name="Owner"/>, an earlier model generating the same class.</summary>
internal sealed record DuplicateModel(ModelClaim Claim, ModelClaim Owner);
