using System;
using System.Collections.Generic;
using Broker.Generators.Common;
using Broker.Generators.Model;
using Broker.Typing;
using Microsoft.CodeAnalysis;

namespace Broker.Generators.Parsing;

/// <summary>Raised while parsing when a contract cannot be generated; becomes one BRK9999 diagnostic.</summary>
internal sealed class GenerationException : Exception
{
    public GenerationException(string message)
        : base(message)
    {
    }
}

/// <summary>Maps .NET types to the Broker types of docs/typed-events.md, as equatable <see cref="TypeModel"/>s.</summary>
internal static class TypeMapper
{
    private static readonly SymbolDisplayFormat FullFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    private static readonly SymbolDisplayFormat ShortFormat = SymbolDisplayFormat.MinimallyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    public static string FullName(ITypeSymbol type) => type.ToDisplayString(FullFormat);

    public static TypeModel Map(ITypeSymbol type, string where)
    {
        string name = type.ToDisplayString(FullFormat);
        string display = type.ToDisplayString(ShortFormat);

        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullableValue)
        {
            var inner = Map(nullableValue.TypeArguments[0], where);
            return new TypeModel(MappedKind.Nullable, name, display, new EquatableArray<TypeModel>(new[] { inner }), default, IsValueType: true);
        }

        if (type.IsReferenceType && type.NullableAnnotation == NullableAnnotation.Annotated)
        {
            var inner = Map(type.WithNullableAnnotation(NullableAnnotation.NotAnnotated), where);
            return new TypeModel(MappedKind.Nullable, name, display, new EquatableArray<TypeModel>(new[] { inner }), default, IsValueType: false);
        }

        // The shared rulebook decides *whether* a type maps (the analyzers use the same one); this refines *how*.
        var mapping = TypeMappingRules.GetMapping(type);
        MappedKind? kind = mapping switch
        {
            BrokerTypeMapping.Count => type.SpecialType switch
            {
                SpecialType.System_UInt64 => MappedKind.Count,
                SpecialType.System_UInt32 => MappedKind.UInt32,
                SpecialType.System_UInt16 => MappedKind.UInt16,
                _ => MappedKind.Byte,
            },
            BrokerTypeMapping.Integer => type.SpecialType switch
            {
                SpecialType.System_Int64 => MappedKind.Integer,
                SpecialType.System_Int32 => MappedKind.Int32,
                SpecialType.System_Int16 => MappedKind.Int16,
                _ => MappedKind.SByte,
            },
            BrokerTypeMapping.Real => type.SpecialType == SpecialType.System_Double ? MappedKind.Real : MappedKind.Single,
            BrokerTypeMapping.Boolean => MappedKind.Boolean,
            BrokerTypeMapping.String => MappedKind.String,
            BrokerTypeMapping.Address => MappedKind.Address,
            BrokerTypeMapping.Subnet => MappedKind.Subnet,
            BrokerTypeMapping.Port => MappedKind.Port,
            BrokerTypeMapping.Timestamp => MappedKind.Timestamp,
            BrokerTypeMapping.Timespan => MappedKind.Timespan,
            BrokerTypeMapping.Data => MappedKind.Data,
            BrokerTypeMapping.Record => MappedKind.Record,
            _ => null,
        };

        if (kind is { } simple)
        {
            return new TypeModel(simple, name, display, default, default, type.IsValueType);
        }

        if (mapping == BrokerTypeMapping.EnumValue)
        {
            var members = new List<string>();
            foreach (var member in type.GetMembers())
            {
                if (member is IFieldSymbol { HasConstantValue: true } field)
                {
                    members.Add(field.Name);
                }
            }

            return new TypeModel(MappedKind.Enum, name, display, default, members.ToEquatableArray(), IsValueType: true);
        }

        if (mapping == BrokerTypeMapping.Vector && type is IArrayTypeSymbol array)
        {
            var element = Map(array.ElementType, where);
            return new TypeModel(MappedKind.Array, name, display, new EquatableArray<TypeModel>(new[] { element }), default, IsValueType: false);
        }

        if (mapping is BrokerTypeMapping.Vector or BrokerTypeMapping.Set or BrokerTypeMapping.Table && type is INamedTypeSymbol named)
        {
            var shape = mapping switch
            {
                BrokerTypeMapping.Set => MappedKind.Set,
                BrokerTypeMapping.Table => MappedKind.Table,
                _ => named.MetadataName == "ImmutableArray`1" ? MappedKind.ImmutableArray : MappedKind.List,
            };
            var args = new TypeModel[named.TypeArguments.Length];
            for (int i = 0; i < args.Length; i++)
            {
                args[i] = Map(named.TypeArguments[i], where);
            }

            return new TypeModel(shape, name, display, new EquatableArray<TypeModel>(args), default, named.IsValueType);
        }

        throw new GenerationException(
            $"{where} has type '{display}', which has no Broker mapping (see docs/typed-events.md; mark records with [BrokerRecord])");
    }

    public static bool HasAttribute(ISymbol symbol, string metadataName)
    {
        foreach (var attribute in symbol.GetAttributes())
        {
            if (attribute.AttributeClass is { } cls && MetadataName(cls) == metadataName)
            {
                return true;
            }
        }

        return false;
    }

    public static AttributeData? GetAttribute(ISymbol symbol, string metadataName)
    {
        foreach (var attribute in symbol.GetAttributes())
        {
            if (attribute.AttributeClass is { } cls && MetadataName(cls) == metadataName)
            {
                return attribute;
            }
        }

        return null;
    }

    public static string MetadataName(ITypeSymbol type)
    {
        if (type.ContainingType is { } outer)
        {
            return MetadataName(outer) + "+" + type.MetadataName;
        }

        return type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() + "." + type.MetadataName : type.MetadataName;
    }
}
