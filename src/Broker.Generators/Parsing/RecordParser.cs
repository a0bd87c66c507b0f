using System;
using System.Collections.Generic;
using System.Threading;
using Broker.Generators.Common;
using Broker.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Broker.Generators.Parsing;

/// <summary>Turns a <c>[BrokerRecord]</c> or <c>[LogStream]</c> type into a <see cref="RecordModel"/>.</summary>
internal static class RecordParser
{
    /// <summary>Parses a <c>[LogStream]</c> record.</summary>
    public static ParseResult<RecordModel> ParseLogStream(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken) =>
        Parse(context, isLogStream: true, cancellationToken)!;

    /// <summary>Parses a <c>[BrokerRecord]</c> type; null when it is also a log stream (that output covers it).</summary>
    public static ParseResult<RecordModel>? ParseRecord(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken) =>
        TypeMapper.HasAttribute(context.TargetSymbol, KnownNames.LogStreamAttribute) ? null : Parse(context, isLogStream: false, cancellationToken);

    private static ParseResult<RecordModel> Parse(GeneratorAttributeSyntaxContext context, bool isLogStream, CancellationToken cancellationToken)
    {
        var symbol = (INamedTypeSymbol)context.TargetSymbol;
        try
        {
            LogStreamModel? log = isLogStream ? ParseLogAttribute(context.Attributes[0]) : null;
            return new ParseResult<RecordModel>(Build(symbol, log, cancellationToken), null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            string reason = ex is GenerationException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}";
            return new ParseResult<RecordModel>(null, new GeneratorFailure(TypeMapper.MetadataName(symbol), reason, Hierarchy.Location(symbol)));
        }
    }

    private static LogStreamModel ParseLogAttribute(AttributeData attribute)
    {
        if (attribute.ConstructorArguments.Length != 1 || attribute.ConstructorArguments[0].Value is not string id || id.Length == 0)
        {
            throw new GenerationException("[LogStream] needs a constant, non-empty stream id");
        }

        string? path = null;
        string topicPrefix = "bro/log/";
        foreach (var named in attribute.NamedArguments)
        {
            if (named.Key == "Path")
            {
                path = named.Value.Value as string;
            }
            else if (named.Key == "TopicPrefix" && named.Value.Value is string t)
            {
                topicPrefix = t;
            }
        }

        return new LogStreamModel(id, path, topicPrefix);
    }

    private static RecordModel Build(INamedTypeSymbol type, LogStreamModel? log, CancellationToken cancellationToken)
    {
        var hierarchy = Hierarchy.From(type);
        if (type.IsAbstract)
        {
            throw new GenerationException("abstract types cannot be decoded");
        }

        var fields = new List<MemberModel>();
        var primary = PrimaryConstructor(type, cancellationToken);
        if (primary is not null)
        {
            foreach (var parameter in primary.Parameters)
            {
                fields.Add(new MemberModel(parameter.Name, TypeMapper.Map(parameter.Type, $"Field '{parameter.Name}' of '{type.Name}'")));
            }

            return new RecordModel(hierarchy, UsesConstructor: true, type.IsValueType, fields.ToEquatableArray(), log);
        }

        bool hasDefaultConstructor = type.IsValueType;
        foreach (var ctor in type.InstanceConstructors)
        {
            if (ctor.Parameters.Length == 0 && ctor.DeclaredAccessibility is Accessibility.Public or Accessibility.Internal)
            {
                hasDefaultConstructor = true;
            }
        }

        if (!hasDefaultConstructor)
        {
            throw new GenerationException($"'{type.Name}' needs a primary constructor (positional record) or a parameterless constructor");
        }

        foreach (var member in type.GetMembers())
        {
            if (member is IPropertySymbol { IsStatic: false, IsIndexer: false, DeclaredAccessibility: Accessibility.Public } property
                && property.GetMethod is { DeclaredAccessibility: Accessibility.Public }
                && property.SetMethod is { DeclaredAccessibility: Accessibility.Public }
                && !property.IsImplicitlyDeclared && property.Name != "EqualityContract")
            {
                fields.Add(new MemberModel(property.Name, TypeMapper.Map(property.Type, $"Field '{property.Name}' of '{type.Name}'")));
            }
        }

        if (fields.Count == 0)
        {
            throw new GenerationException($"'{type.Name}' has no public settable properties to map");
        }

        return new RecordModel(hierarchy, UsesConstructor: false, type.IsValueType, fields.ToEquatableArray(), log);
    }

    private static IMethodSymbol? PrimaryConstructor(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        if (!type.IsRecord)
        {
            return null;
        }

        foreach (var ctor in type.InstanceConstructors)
        {
            foreach (var reference in ctor.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax(cancellationToken) is RecordDeclarationSyntax { ParameterList: not null })
                {
                    return ctor;
                }
            }
        }

        return null;
    }
}
