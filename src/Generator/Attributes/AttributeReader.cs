using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using ModelDsl.Generator.Diagnostics;
using ModelDsl.Generator.Pipeline;
using ModelDsl.Spec;

namespace ModelDsl.Generator.Attributes;

/// <summary>
/// The C# front end: reads the ModelDsl attributes on a class into the same <see cref="Node"/> tree a model file
/// gives, each node spanning the attribute or argument it came from, so the analyzer's diagnostics point into
/// the .cs file. It runs inside the generator's transform and keeps only plain data: no symbol or syntax
/// leaves it.
/// </summary>
internal static class AttributeReader
{
    /// <summary>The sections of a model file in their order, so that the analyzer reads both front ends alike.</summary>
    private static readonly string[] SectionOrder = { "model", "input", "input_dtype", "preprocess", "layers", "compile", "fit", "export" };

    public static AttributeModel Read(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var symbol = (INamedTypeSymbol)context.TargetSymbol;
        var declaration = (ClassDeclarationSyntax)context.TargetNode;
        var classSpan = Span(declaration.Identifier.GetLocation());
        var model = new ModelClass(
            symbol.Name,
            symbol.ContainingNamespace.IsGlobalNamespace ? null : symbol.ContainingNamespace.ToDisplayString(),
            DeclaresAccessibility: false,
            SourceFile: Path.GetFileName(declaration.SyntaxTree.FilePath),
            classSpan);

        var problem = ClassProblem(symbol, declaration);
        if (problem is not null)
        {
            return new AttributeModel(model, null, EquatableArray.Create(problem.Create(classSpan, symbol.Name)));
        }

        var root = Document(symbol, context.Attributes[0], classSpan, cancellationToken);
        return new AttributeModel(model, root, EquatableArray<ModelDiagnostic>.Empty);
    }

    /// <summary>The document a model file with the same content would give.</summary>
    private static MappingNode Document(INamedTypeSymbol symbol, AttributeData modelAttribute, SourceSpan classSpan, CancellationToken cancellationToken)
    {
        var modelSpan = SpanOf(modelAttribute) ?? classSpan;
        var sections = new Dictionary<string, MappingEntry>(StringComparer.Ordinal);
        var layers = new List<Node>();
        (LayerKind Kind, Argument Wrapped, List<MappingEntry> Arguments, SourceSpan Span)? wrapper = null;

        if (modelAttribute.ConstructorArguments.Length == 1 && modelAttribute.ConstructorArguments[0].Value is string name)
        {
            sections["model"] = new MappingEntry(Key("model", modelSpan), Quoted(name, ArgumentSpan(modelAttribute, 0, "name") ?? modelSpan));
        }

        // [SequentialModel(Export = "onnx")] is export: onnx.
        foreach (var export in Arguments(modelAttribute, modelSpan).Where(a => a.Key.Value == "export"))
        {
            sections["export"] = export;
        }

        foreach (var attribute in symbol.GetAttributes())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var type = attribute.AttributeClass;
            if (type is null || type.ContainingNamespace?.ToDisplayString() != AttributeDefinitions.Namespace || SpanOf(attribute) is not { } span)
            {
                continue;
            }

            var arguments = Arguments(attribute, span);
            if (LayerCatalog.FindAttribute(type.Name) is { } kind)
            {
                // - lstm: {units: 128, ...}; a wrapper takes the layer attribute after it as {layer: {lstm: {...}}}.
                if (wrapper is { } outer)
                {
                    var inner = new MappingNode(EquatableArray.Create(new MappingEntry(Key(kind.Name, span), new MappingNode(arguments.ToEquatableArray(), span))), span);
                    arguments = outer.Arguments.Append(new MappingEntry(Key(outer.Wrapped.Name, span), inner)).ToList();
                    kind = outer.Kind;
                    span = Cover(outer.Span, span);
                    wrapper = null;
                }
                else if (kind.Arguments.FirstOrDefault(a => a.Type == ArgumentType.Layer) is { } wrapped)
                {
                    wrapper = (kind, wrapped, arguments, span);
                    continue;
                }

                var layer = new MappingNode(arguments.ToEquatableArray(), span);
                layers.Add(new MappingNode(EquatableArray.Create(new MappingEntry(Key(kind.Name, span), layer)), span));
                continue;
            }

            switch (type.Name)
            {
                case "InputAttribute":
                    // [Input(28, 28, Dtype = "int64")] is input: [28, 28] and input_dtype: int64.
                    foreach (var argument in arguments)
                    {
                        var key = argument.Key.Value == "shape" ? "input" : "input_" + argument.Key.Value;
                        sections[key] = new MappingEntry(Key(key, argument.Key.Span), argument.Value);
                    }

                    break;
                case "PreprocessAttribute":
                    sections["preprocess"] = new MappingEntry(Key("preprocess", span), new MappingNode(arguments.ToEquatableArray(), span));
                    break;
                case "CompileAttribute":
                    sections["compile"] = new MappingEntry(Key("compile", span), Compile(arguments, span));
                    break;
                case "FitAttribute":
                    sections["fit"] = new MappingEntry(Key("fit", span), new MappingNode(arguments.ToEquatableArray(), span));
                    break;
            }
        }

        if (wrapper is { } last)
        {
            // A wrapper with no layer after it: the analyzer reports its missing 'layer'.
            layers.Add(new MappingNode(EquatableArray.Create(new MappingEntry(Key(last.Kind.Name, last.Span), new MappingNode(last.Arguments.ToEquatableArray(), last.Span))), last.Span));
        }

        var layersSpan = layers.Count == 0 ? modelSpan : Cover(layers[0].Span, layers[layers.Count - 1].Span);
        sections["layers"] = new MappingEntry(Key("layers", modelSpan), new SequenceNode(layers.ToEquatableArray(), layersSpan));

        var entries = SectionOrder.Where(sections.ContainsKey).Select(section => sections[section]);
        return new MappingNode(entries.ToEquatableArray(), modelSpan);
    }

    /// <summary>Why the class cannot receive the generated half of a model, or null when it can.</summary>
    private static ModelDiagnosticDescriptor? ClassProblem(INamedTypeSymbol symbol, ClassDeclarationSyntax declaration)
    {
        if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            return GeneratorDiagnostics.ClassNotPartial;
        }

        if (symbol.IsStatic || symbol.IsAbstract)
        {
            return GeneratorDiagnostics.ClassStaticOrAbstract;
        }

        if (symbol.ContainingType is not null || symbol.TypeParameters.Length > 0)
        {
            return GeneratorDiagnostics.ClassNestedOrGeneric;
        }

        return symbol.BaseType is { SpecialType: SpecialType.System_Object } or { Name: "SequentialModel" } or null
            ? null
            : GeneratorDiagnostics.ClassHasBase;
    }

    /// <summary>
    /// <c>[Compile(Optimizer = "adam", LearningRate = 1e-3, Loss = "...", FromLogits = true)]</c> is
    /// <c>{optimizer: {adam: {learning_rate: 0.001}}, loss: {...: {from_logits: true}}}</c>: the optimizer's and the
    /// loss's own arguments nest under their names, as in a model file. Optimizer arguments without an optimizer
    /// go to Keras' default one, rmsprop.
    /// </summary>
    private static Node Compile(List<MappingEntry> arguments, SourceSpan span)
    {
        MappingEntry? Find(string key) => arguments.FirstOrDefault(a => a.Key.Value == key);
        var optimizerArguments = arguments.Where(a => a.Key.Value is not ("optimizer" or "loss" or "metrics" or "from_logits")).ToList();
        var lossArguments = arguments.Where(a => a.Key.Value == "from_logits").ToList();

        var entries = new List<MappingEntry>();
        if (Find("optimizer") is { } optimizer)
        {
            entries.Add(WithArguments(optimizer, optimizerArguments));
        }
        else if (optimizerArguments.Count > 0)
        {
            entries.Add(WithArguments(new MappingEntry(Key("optimizer", span), Key("rmsprop", span)), optimizerArguments));
        }

        if (Find("loss") is { } loss)
        {
            entries.Add(WithArguments(loss, lossArguments));
        }
        else
        {
            // Left where they are, the analyzer reports them as loss arguments without a loss.
            entries.AddRange(lossArguments);
        }

        if (Find("metrics") is { } metrics)
        {
            entries.Add(metrics);
        }

        return new MappingNode(entries.ToEquatableArray(), span);
    }

    /// <summary><c>key: name</c> alone, or <c>key: {name: {arguments}}</c> when there are arguments.</summary>
    private static MappingEntry WithArguments(MappingEntry named, List<MappingEntry> arguments)
    {
        if (arguments.Count == 0 || named.Value is not ScalarNode name)
        {
            return named;
        }

        var inner = new MappingNode(arguments.ToEquatableArray(), Cover(arguments[0].Key.Span, arguments[arguments.Count - 1].Value.Span));
        var nameKey = new ScalarNode(name.Value, false, name.Span);
        return new MappingEntry(named.Key, new MappingNode(EquatableArray.Create(new MappingEntry(nameKey, inner)), name.Span));
    }

    /// <summary>The attribute's constructor arguments and named properties, as Keras' snake_case keys.</summary>
    private static List<MappingEntry> Arguments(AttributeData attribute, SourceSpan attributeSpan)
    {
        var entries = new List<MappingEntry>();
        var constructor = attribute.AttributeConstructor;
        if (constructor is not null)
        {
            for (var i = 0; i < constructor.Parameters.Length && i < attribute.ConstructorArguments.Length; i++)
            {
                var parameter = constructor.Parameters[i];
                var argument = attribute.ConstructorArguments[i];
                var span = ArgumentSpan(attribute, i, parameter.Name) ?? attributeSpan;
                if (parameter.IsParams && argument.Kind == TypedConstantKind.Array)
                {
                    if (argument.Values.IsDefaultOrEmpty)
                    {
                        continue;
                    }

                    // Keras' "an int or a tuple": one value stays a scalar.
                    if (argument.Values.Length == 1 && LayerCatalog.FindAttribute(attribute.AttributeClass!.Name)?.Find(SnakeCase(parameter.Name)) is { Type: ArgumentType.Window })
                    {
                        argument = argument.Values[0];
                    }

                    span = ParamsSpan(attribute, i) ?? span;
                }

                if (Value(argument, span) is { } value)
                {
                    entries.Add(new MappingEntry(Key(SnakeCase(parameter.Name), span), value));
                }
            }
        }

        foreach (var named in attribute.NamedArguments)
        {
            var syntax = SyntaxArguments(attribute).FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == named.Key);
            var keySpan = syntax is null ? attributeSpan : Span(syntax.GetLocation());
            var valueSpan = syntax is null ? attributeSpan : Span(syntax.Expression.GetLocation());
            if (Value(named.Value, valueSpan) is { } value)
            {
                entries.Add(new MappingEntry(Key(SnakeCase(named.Key), keySpan), value));
            }
        }

        return entries;
    }

    /// <summary>A constant as a node; null for one the compiler could not evaluate (it reports that itself).</summary>
    private static Node? Value(TypedConstant constant, SourceSpan span)
    {
        switch (constant.Kind)
        {
            case TypedConstantKind.Array:
                if (constant.IsNull)
                {
                    return new ScalarNode("null", false, span);
                }

                var items = new List<Node>();
                foreach (var item in constant.Values)
                {
                    if (Value(item, span) is not { } node)
                    {
                        return null;
                    }

                    items.Add(node);
                }

                return new SequenceNode(items.ToEquatableArray(), span);
            case TypedConstantKind.Primitive:
                return constant.Value switch
                {
                    null => new ScalarNode("null", false, span),
                    string text => Quoted(text, span),
                    bool flag => new ScalarNode(flag ? "true" : "false", false, span),
                    double number => new ScalarNode(number.ToString("R", CultureInfo.InvariantCulture), false, span),
                    float number => new ScalarNode(number.ToString("R", CultureInfo.InvariantCulture), false, span),
                    IFormattable number => new ScalarNode(number.ToString(null, CultureInfo.InvariantCulture), false, span),
                    var other => Quoted(other.ToString() ?? string.Empty, span),
                };
            default:
                return null;
        }
    }

    /// <summary>Keras' spelling of a C# name: <c>ReturnSequences</c> → <c>return_sequences</c>, <c>Beta1</c> → <c>beta_1</c>.</summary>
    internal static string SnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (i > 0)
            {
                var previous = name[i - 1];
                var wordStart = char.IsUpper(c) && (char.IsLower(previous) || char.IsDigit(previous));
                var numberStart = char.IsDigit(c) && char.IsLetter(previous);
                if (wordStart || numberStart)
                {
                    builder.Append('_');
                }
            }

            builder.Append(char.ToLowerInvariant(c));
        }

        return builder.ToString();
    }

    private static ScalarNode Key(string key, SourceSpan span) => new(key, false, span);

    private static ScalarNode Quoted(string value, SourceSpan span) => new(value, true, span);

    private static SourceSpan? SpanOf(AttributeData attribute) =>
        attribute.ApplicationSyntaxReference?.GetSyntax() is AttributeSyntax syntax ? Span(syntax.GetLocation()) : null;

    private static AttributeArgumentSyntax[] SyntaxArguments(AttributeData attribute) =>
        attribute.ApplicationSyntaxReference?.GetSyntax() is AttributeSyntax { ArgumentList: { } list }
            ? list.Arguments.ToArray()
            : Array.Empty<AttributeArgumentSyntax>();

    /// <summary>The argument written for constructor parameter <paramref name="index"/>: by name (<c>units: 128</c>) or by position.</summary>
    private static SourceSpan? ArgumentSpan(AttributeData attribute, int index, string parameterName)
    {
        var arguments = SyntaxArguments(attribute);
        var byName = arguments.FirstOrDefault(a => a.NameColon?.Name.Identifier.ValueText == parameterName);
        if (byName is not null)
        {
            return Span(byName.Expression.GetLocation());
        }

        var positional = arguments.Where(a => a.NameColon is null && a.NameEquals is null).ToArray();
        return index < positional.Length ? Span(positional[index].Expression.GetLocation()) : null;
    }

    /// <summary>The span of all the values written for a <c>params</c> parameter starting at <paramref name="index"/>.</summary>
    private static SourceSpan? ParamsSpan(AttributeData attribute, int index)
    {
        var positional = SyntaxArguments(attribute).Where(a => a.NameColon is null && a.NameEquals is null).ToArray();
        if (index >= positional.Length)
        {
            return null;
        }

        var first = positional[index].Expression;
        var last = positional[positional.Length - 1].Expression;
        var tree = first.SyntaxTree;
        return Span(Location.Create(tree, Microsoft.CodeAnalysis.Text.TextSpan.FromBounds(first.SpanStart, last.Span.End)));
    }

    private static SourceSpan Span(Location location)
    {
        var lines = location.GetLineSpan();
        return new SourceSpan(
            location.SourceTree?.FilePath ?? lines.Path,
            location.SourceSpan.Start,
            location.SourceSpan.Length,
            lines.StartLinePosition.Line,
            lines.StartLinePosition.Character,
            lines.EndLinePosition.Line,
            lines.EndLinePosition.Character);
    }

    /// <summary>From the start of <paramref name="first"/> to the end of <paramref name="last"/> (same file).</summary>
    private static SourceSpan Cover(SourceSpan first, SourceSpan last) =>
        first.Path != last.Path || last.Start + last.Length < first.Start
            ? first
            : new SourceSpan(first.Path, first.Start, last.Start + last.Length - first.Start, first.StartLine, first.StartColumn, last.EndLine, last.EndColumn);
}
