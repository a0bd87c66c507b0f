using System;
using System.Collections.Generic;
using Broker.Generators.Common;
using Broker.Generators.Model;
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

        var simple = type.SpecialType switch
        {
            SpecialType.System_Boolean => MappedKind.Boolean,
            SpecialType.System_UInt64 => MappedKind.Count,
            SpecialType.System_UInt32 => MappedKind.UInt32,
            SpecialType.System_Int64 => MappedKind.Integer,
            SpecialType.System_Int32 => MappedKind.Int32,
            SpecialType.System_Double => MappedKind.Real,
            SpecialType.System_String => MappedKind.String,
            _ => (MappedKind?)null,
        };

        if (simple is null)
        {
            simple = MetadataName(type) switch
            {
                "System.Net.IPAddress" => MappedKind.Address,
                "System.Net.IPNetwork" => MappedKind.Subnet,
                "Broker.Data.BrokerPort" => MappedKind.Port,
                "System.DateTimeOffset" => MappedKind.Timestamp,
                "System.TimeSpan" => MappedKind.Timespan,
                "Broker.Data.BrokerData" => MappedKind.Data,
                _ => null,
            };
        }

        if (simple is { } kind)
        {
            return new TypeModel(kind, name, display, default, default, type.IsValueType);
        }

        if (type.TypeKind == Microsoft.CodeAnalysis.TypeKind.Enum)
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

        if (type is IArrayTypeSymbol { Rank: 1 } array)
        {
            var element = Map(array.ElementType, where);
            return new TypeModel(MappedKind.Array, name, display, new EquatableArray<TypeModel>(new[] { element }), default, IsValueType: false);
        }

        if (type is INamedTypeSymbol named)
        {
            if (named.IsGenericType)
            {
                var collection = MetadataName(named.OriginalDefinition) switch
                {
                    "System.Collections.Generic.List`1" or "System.Collections.Generic.IList`1" or "System.Collections.Generic.IReadOnlyList`1"
                        or "System.Collections.Generic.ICollection`1" or "System.Collections.Generic.IReadOnlyCollection`1"
                        or "System.Collections.Generic.IEnumerable`1" => MappedKind.List,
                    "System.Collections.Immutable.ImmutableArray`1" => MappedKind.ImmutableArray,
                    "System.Collections.Generic.HashSet`1" or "System.Collections.Generic.ISet`1" or "System.Collections.Generic.IReadOnlySet`1" => MappedKind.Set,
                    "System.Collections.Generic.Dictionary`2" or "System.Collections.Generic.IDictionary`2"
                        or "System.Collections.Generic.IReadOnlyDictionary`2" => MappedKind.Table,
                    _ => (MappedKind?)null,
                };

                if (collection is { } c)
                {
                    var args = new TypeModel[named.TypeArguments.Length];
                    for (int i = 0; i < args.Length; i++)
                    {
                        args[i] = Map(named.TypeArguments[i], where);
                    }

                    return new TypeModel(c, name, display, new EquatableArray<TypeModel>(args), default, named.IsValueType);
                }
            }

            if (HasAttribute(named, KnownNames.BrokerRecordAttribute) || HasAttribute(named, KnownNames.LogStreamAttribute))
            {
                return new TypeModel(MappedKind.Record, name, display, default, default, named.IsValueType);
            }
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
