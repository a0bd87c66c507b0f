using System.Collections.Generic;
using Broker.Generators.Common;
using Broker.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Broker.Generators.Parsing;

/// <summary>Builds <see cref="HierarchyInfo"/> and <see cref="LocationInfo"/> values from symbols.</summary>
internal static class Hierarchy
{
    public static HierarchyInfo From(INamedTypeSymbol type)
    {
        if (type.IsGenericType)
        {
            throw new GenerationException("generic types are not supported as Broker contracts or records");
        }

        RequirePartial(type, $"'{type.Name}' must be declared partial so the generator can complete it");
        var containing = new List<TypeDeclarationInfo>();
        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            if (outer.IsGenericType)
            {
                throw new GenerationException($"the containing type '{outer.Name}' is generic, which is not supported");
            }

            RequirePartial(outer, $"the containing type '{outer.Name}' must be declared partial");

            containing.Insert(0, new TypeDeclarationInfo(Keyword(outer), outer.Name));
        }

        string ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : "";
        return new HierarchyInfo(ns, containing.ToEquatableArray(), new TypeDeclarationInfo(Keyword(type), type.Name),
            TypeMapper.MetadataName(type), TypeMapper.FullName(type));
    }

    private static void RequirePartial(INamedTypeSymbol type, string message)
    {
        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax() is Microsoft.CodeAnalysis.CSharp.Syntax.TypeDeclarationSyntax declaration)
            {
                foreach (var modifier in declaration.Modifiers)
                {
                    if (modifier.Text == "partial")
                    {
                        return;
                    }
                }
            }
        }

        throw new GenerationException(message);
    }

    public static LocationInfo? Location(ISymbol symbol)
    {
        foreach (var location in symbol.Locations)
        {
            if (location.IsInSource && location.SourceTree is { } tree)
            {
                return new LocationInfo(tree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
            }
        }

        return null;
    }

    private static string Keyword(INamedTypeSymbol type) => type switch
    {
        { IsRecord: true, IsValueType: true } => "record struct",
        { IsRecord: true } => "record",
        { TypeKind: Microsoft.CodeAnalysis.TypeKind.Interface } => "interface",
        { TypeKind: Microsoft.CodeAnalysis.TypeKind.Struct } => "struct",
        _ => "class",
    };
}
