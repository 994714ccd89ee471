using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using ModelDsl.Generator.Attributes;
using ModelDsl.Generator.Diagnostics;
using ModelDsl.Generator.Emit;
using ModelDsl.Spec;

namespace ModelDsl.Generator.Pipeline;

/// <summary>
/// The generator's steps, one method each. None of them lets an exception escape: Roslyn would turn it into
/// warning CS8785 and drop every file this generator produces, so a failure becomes a located MDSL099 on the
/// model instead (cancellation is the one exception that must pass through).
/// </summary>
internal static class ModelSteps
{
    private const string ModelFileSuffix = ".model.yaml";
    private const string BaseClassMetadataName = "ModelDsl.Runtime.Training.SequentialModel";

    public static bool IsModelFile(string path) => path.EndsWith(ModelFileSuffix, StringComparison.OrdinalIgnoreCase);

    public static string? RootNamespace(AnalyzerConfigOptions options) =>
        options.TryGetValue("build_property.RootNamespace", out var value) ? CSharp.SanitizeNamespace(value) : null;

    /// <summary>
    /// The member names the generated class inherits from the referenced runtime, so that a layer property never
    /// hides one (which would be warning CS0108). Only these strings leave the compilation; they change when the
    /// runtime reference does, not on an edit.
    /// </summary>
    public static EquatableArray<string> InheritedMembers(Compilation compilation, CancellationToken cancellationToken)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        try
        {
            for (var type = compilation.GetTypeByMetadataName(BaseClassMetadataName); type is not null; type = type.BaseType)
            {
                cancellationToken.ThrowIfCancellationRequested();
                foreach (var member in type.GetMembers())
                {
                    if (member.CanBeReferencedByName && member.DeclaredAccessibility is not Accessibility.Private)
                    {
                        names.Add(member.Name);
                    }
                }
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The emitter's own list of the runtime's members still applies.
            return EquatableArray<string>.Empty;
        }

        return names.ToEquatableArray();
    }

    public static ModelFile ReadModelFile(AdditionalText file, CancellationToken cancellationToken)
    {
        // An unreadable file yields no text; the compiler reports the read error itself.
        return new ModelFile(file.Path, file.GetText(cancellationToken)?.ToString() ?? string.Empty);
    }

    /// <summary>
    /// Parses and checks a model file. The namespace is left open (it may come from the project), so that this
    /// step's result depends on the file alone.
    /// </summary>
    public static YamlModel AnalyzeYaml(ModelFile file, CancellationToken cancellationToken)
    {
        try
        {
            return new YamlModel(file.Path, ModelAnalyzer.AnalyzeYaml(file.Path, file.Text, defaultNamespace: null));
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return new YamlModel(file.Path, Failed(FileStart(file.Path), exception));
        }
    }

    public static GeneratedModel EmitYaml(((YamlModel Model, string? RootNamespace) File, EquatableArray<string> InheritedMembers) input, CancellationToken cancellationToken)
    {
        var ((model, rootNamespace), inheritedMembers) = input;
        var spec = model.Analysis.Spec;
        var target = spec is null
            ? null
            : new ModelClass(spec.Name, spec.Namespace ?? rootNamespace, DeclaresAccessibility: true, Path.GetFileName(model.Path), spec.Span);
        return Generate(target, model.Analysis, FileStart(model.Path), inheritedMembers);
    }

    public static AttributeModel ReadAttributes(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        try
        {
            return AttributeReader.Read(context, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            var path = context.TargetNode.SyntaxTree.FilePath;
            var span = FileStart(path);
            var model = new ModelClass(context.TargetSymbol.Name, null, DeclaresAccessibility: false, Path.GetFileName(path), span);
            return new AttributeModel(model, null, Failed(span, exception).Diagnostics);
        }
    }

    public static AttributeAnalysis AnalyzeAttributes(AttributeModel model, CancellationToken cancellationToken)
    {
        if (model.Root is null)
        {
            return new AttributeAnalysis(model.Class, new ModelAnalysis(null, model.Diagnostics));
        }

        try
        {
            return new AttributeAnalysis(model.Class, ModelAnalyzer.Analyze(model.Root, model.Class.Span.Path, model.Class.Name, model.Class.Namespace));
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return new AttributeAnalysis(model.Class, Failed(model.Class.Span, exception));
        }
    }

    public static GeneratedModel EmitAttributes((AttributeAnalysis Model, EquatableArray<string> InheritedMembers) input, CancellationToken cancellationToken) =>
        Generate(input.Model.Class, input.Model.Analysis, input.Model.Class.Span, input.InheritedMembers);

    /// <summary>
    /// The models that would generate a file another model already generates: for each file name, every
    /// claim after the first in path order, so the result does not depend on which front end ran first.
    /// </summary>
    public static EquatableArray<DuplicateModel> FindDuplicates(IEnumerable<ModelClaim?> claims) =>
        claims
            .OfType<ModelClaim>()
            .GroupBy(claim => claim.HintName, StringComparer.OrdinalIgnoreCase)
            .Where(group => group.Count() > 1)
            .SelectMany(group =>
            {
                var ordered = group.OrderBy(c => c.Span.Path, StringComparer.Ordinal).ThenBy(c => c.Span.Start).ToArray();
                return ordered.Skip(1).Select(claim => new DuplicateModel(claim, ordered[0]));
            })
            .ToEquatableArray();

    public static void AddOutput(SourceProductionContext context, (GeneratedModel Model, EquatableArray<DuplicateModel> Duplicates) input)
    {
        var (model, duplicates) = input;
        try
        {
            foreach (var diagnostic in model.Diagnostics)
            {
                context.ReportDiagnostic(DiagnosticConverter.ToRoslyn(diagnostic));
            }

            if (model.Source is null)
            {
                return;
            }

            var duplicate = duplicates.FirstOrDefault(d => d.Claim == model.Claim);
            if (duplicate is null)
            {
                context.AddSource(model.HintName, model.Source);
            }
            else
            {
                var name = model.HintName.Substring(0, model.HintName.Length - ".g.cs".Length);
                // The whole path: two model files of one name in different folders are the usual way to get here.
                var owner = duplicate.Owner.Span.Path;
                context.ReportDiagnostic(DiagnosticConverter.ToRoslyn(GeneratorDiagnostics.DuplicateModel.Create(model.Span, name, owner)));
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            context.ReportDiagnostic(DiagnosticConverter.ToRoslyn(Failed(model.Span, exception).Diagnostics[0]));
        }
    }

    /// <summary>The emit step shared by both front ends: C# for a model without errors, and every diagnostic.</summary>
    private static GeneratedModel Generate(ModelClass? target, ModelAnalysis analysis, SourceSpan fallbackSpan, EquatableArray<string> inheritedMembers)
    {
        var spec = analysis.Spec;
        var span = spec?.Span ?? fallbackSpan;
        if (target is null || spec is null || analysis.HasErrors)
        {
            return new GeneratedModel(string.Empty, null, analysis.Diagnostics, span);
        }

        var hintName = target.FullName.Replace("@", string.Empty) + ".g.cs";
        var nameProblem = NameProblem(target, span);
        if (nameProblem is not null)
        {
            return new GeneratedModel(hintName, null, analysis.Diagnostics.Append(nameProblem).ToEquatableArray(), span);
        }

        try
        {
            var source = Emitter.Emit(spec, target, ModelSummary.Format(spec), inheritedMembers);
            return new GeneratedModel(hintName, source, analysis.Diagnostics, span);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return new GeneratedModel(hintName, null, analysis.Diagnostics.Concat(Failed(span, exception).Diagnostics).ToEquatableArray(), span);
        }
    }

    /// <summary>A class or namespace name C# would reject; the analyzer checks them too, this keeps the emitter safe.</summary>
    private static ModelDiagnostic? NameProblem(ModelClass target, SourceSpan span)
    {
        if (!CSharp.IsIdentifier(target.Name))
        {
            return DiagnosticCatalog.InvalidName.Create(span, "model name", target.Name, "C# class name");
        }

        return target.Namespace is { } ns && !CSharp.IsNamespace(ns)
            ? DiagnosticCatalog.InvalidName.Create(span, "namespace", ns, "C# namespace")
            : null;
    }

    private static ModelAnalysis Failed(SourceSpan span, Exception exception) =>
        new(null, EquatableArray.Create(DiagnosticCatalog.InternalError.Create(span, exception.GetType().Name + ": " + exception.Message)));

    private static SourceSpan FileStart(string path) => new(path, 0, 0, 0, 0, 0, 0);
}
