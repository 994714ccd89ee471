using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using ModelDsl.Generator.Attributes;
using ModelDsl.Generator.Pipeline;

namespace ModelDsl.Generator;

/// <summary>
/// Turns <c>*.model.yaml</c> additional files and <c>[SequentialModel]</c> classes into strongly typed model
/// classes, and their mistakes into located diagnostics. Two front ends feed one analyzer and one emitter
/// (tracking names in brackets):
/// <list type="bullet">
/// <item>model files: [ModelFiles] read, [YamlAnalysis] parse and check, then with [RootNamespace] [YamlOutput] emit;</item>
/// <item>attribute classes: [AttributeModels] read the attributes, [AttributeAnalysis] check, [AttributeOutput] emit;</item>
/// <item>both emit steps take [InheritedMembers]; [Duplicates] sees every output's file name before anything is added.</item>
/// </list>
/// Each step's output is a value-equatable record, so an edit re-runs only what it changes.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class ModelGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        context.RegisterPostInitializationOutput(static output =>
        {
            output.AddEmbeddedAttributeDefinition();
            output.AddSource(AttributeDefinitions.HintName, AttributeDefinitions.Source);
        });

        // Only the one string this generator reads, so that other options changing does not re-run anything.
        var rootNamespace = context.AnalyzerConfigOptionsProvider
            .Select(static (options, _) => ModelSteps.RootNamespace(options.GlobalOptions))
            .WithTrackingName(TrackingNames.RootNamespace);

        // The names the generated class inherits, so layer properties avoid them; equal across edits.
        var inheritedMembers = context.CompilationProvider
            .Select(ModelSteps.InheritedMembers)
            .WithTrackingName(TrackingNames.InheritedMembers);

        var yamlModels = context.AdditionalTextsProvider
            .Where(static file => ModelSteps.IsModelFile(file.Path))
            .Select(ModelSteps.ReadModelFile)
            .WithTrackingName(TrackingNames.ModelFiles)
            .Select(ModelSteps.AnalyzeYaml)
            .WithTrackingName(TrackingNames.YamlAnalysis)
            .Combine(rootNamespace)
            .Combine(inheritedMembers)
            .Select(ModelSteps.EmitYaml)
            .WithTrackingName(TrackingNames.YamlOutput);

        var attributeModels = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                AttributeDefinitions.SequentialModelMetadataName,
                static (node, _) => node is ClassDeclarationSyntax,
                ModelSteps.ReadAttributes)
            .WithTrackingName(TrackingNames.AttributeModels)
            .Select(ModelSteps.AnalyzeAttributes)
            .WithTrackingName(TrackingNames.AttributeAnalysis)
            .Combine(inheritedMembers)
            .Select(ModelSteps.EmitAttributes)
            .WithTrackingName(TrackingNames.AttributeOutput);

        // Two models generating the same class would collide on one file name, which makes the driver throw
        // (dropping all output); the later one is reported instead. Only names flow into this step, so edits
        // that keep every model's name leave it cached.
        var duplicates = yamlModels.Select(static (model, _) => model.Claim).Collect()
            .Combine(attributeModels.Select(static (model, _) => model.Claim).Collect())
            .Select(static (claims, _) => ModelSteps.FindDuplicates(claims.Left.AddRange(claims.Right)))
            .WithTrackingName(TrackingNames.Duplicates);

        context.RegisterSourceOutput(yamlModels.Combine(duplicates), ModelSteps.AddOutput);
        context.RegisterSourceOutput(attributeModels.Combine(duplicates), ModelSteps.AddOutput);
    }
}

/// <summary>The names of the generator's steps, as <c>GeneratorRunResult.TrackedSteps</c> reports them.</summary>
public static class TrackingNames
{
    public const string RootNamespace = nameof(RootNamespace);
    public const string InheritedMembers = nameof(InheritedMembers);
    public const string ModelFiles = nameof(ModelFiles);
    public const string YamlAnalysis = nameof(YamlAnalysis);
    public const string YamlOutput = nameof(YamlOutput);
    public const string AttributeModels = nameof(AttributeModels);
    public const string AttributeAnalysis = nameof(AttributeAnalysis);
    public const string AttributeOutput = nameof(AttributeOutput);
    public const string Duplicates = nameof(Duplicates);
}
