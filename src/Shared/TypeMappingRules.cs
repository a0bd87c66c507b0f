// One rulebook for the .NET -> Broker type mapping of typed events and records (DESIGN §5), for the
// Roslyn components: the analyzers link it today, the generator can link it the same way, so "the analyzer says
// it maps" and "the generator maps it" cannot drift apart. It needs Roslyn, so it compiles only where
// BROKER_SHARED_ROSLYN is defined (Broker.Sdk links src/Shared/** too and gets an empty file).
// netstandard2.0, name-based on ITypeSymbol, allocation-free on the happy path.
#if BROKER_SHARED_ROSLYN
#nullable enable
using Microsoft.CodeAnalysis;

namespace Broker.Typing
{
    /// <summary>The Broker data kind a .NET type maps to in a typed event or record.</summary>
    internal enum BrokerTypeMapping
    {
        /// <summary>The type cannot be mapped.</summary>
        Unmappable = 0,
        /// <summary><c>ulong</c>, <c>uint</c>, <c>ushort</c>, <c>byte</c>.</summary>
        Count,
        /// <summary><c>long</c>, <c>int</c>, <c>short</c>, <c>sbyte</c>.</summary>
        Integer,
        /// <summary><c>double</c>, <c>float</c>.</summary>
        Real,
        /// <summary><c>bool</c>.</summary>
        Boolean,
        /// <summary><c>string</c>.</summary>
        String,
        /// <summary><c>System.Net.IPAddress</c>.</summary>
        Address,
        /// <summary><c>System.Net.IPNetwork</c>.</summary>
        Subnet,
        /// <summary><c>Broker.Data.BrokerPort</c>.</summary>
        Port,
        /// <summary><c>System.DateTimeOffset</c>.</summary>
        Timestamp,
        /// <summary><c>System.TimeSpan</c>.</summary>
        Timespan,
        /// <summary>Any enum: Zeek <c>enum_value</c> by member name.</summary>
        EnumValue,
        /// <summary><c>ISet&lt;T&gt;</c>, <c>HashSet&lt;T&gt;</c>, <c>IReadOnlySet&lt;T&gt;</c>.</summary>
        Set,
        /// <summary><c>IDictionary&lt;K,V&gt;</c>, <c>Dictionary&lt;K,V&gt;</c>, <c>IReadOnlyDictionary&lt;K,V&gt;</c>.</summary>
        Table,
        /// <summary>Arrays, <c>List&lt;T&gt;</c>, <c>IList&lt;T&gt;</c>, <c>IReadOnlyList&lt;T&gt;</c>, <c>ICollection&lt;T&gt;</c>,
        /// <c>IReadOnlyCollection&lt;T&gt;</c>, <c>IEnumerable&lt;T&gt;</c>, <c>ImmutableArray&lt;T&gt;</c>.</summary>
        Vector,
        /// <summary>A <c>[BrokerRecord]</c> or <c>[LogStream]</c> type: a vector of its fields.</summary>
        Record,
        /// <summary><c>Nullable&lt;T&gt;</c>: <c>nil</c> or the mapping of <c>T</c>. (Nullable reference annotations map as the type itself.)</summary>
        Optional,
        /// <summary><c>Broker.Data.BrokerData</c> itself: any value.</summary>
        Data,
        /// <summary>
        /// A <c>[MessagePack.MessagePackObject]</c> type outside Broker's data model: opt-in, a Broker <c>string</c>
        /// holding the MessagePack blob (opaque to Zeek scripts; for .NET peers).
        /// </summary>
        MessagePack,
    }

    /// <summary>Decides whether and how a .NET type maps to Broker data, element types included.</summary>
    internal static class TypeMappingRules
    {
        // Nesting deeper than this is not a real contract; stop instead of recursing forever on odd generics.
        private const int MaxDepth = 16;

        /// <summary>The top-level mapping of <paramref name="type"/>, without checking element types.</summary>
        /// <param name="type">The type.</param>
        /// <returns>The mapping, or <see cref="BrokerTypeMapping.Unmappable"/>.</returns>
        public static BrokerTypeMapping GetMapping(ITypeSymbol type)
        {
            switch (type.SpecialType)
            {
                case SpecialType.System_UInt64:
                case SpecialType.System_UInt32:
                case SpecialType.System_UInt16:
                case SpecialType.System_Byte:
                    return BrokerTypeMapping.Count;
                case SpecialType.System_Int64:
                case SpecialType.System_Int32:
                case SpecialType.System_Int16:
                case SpecialType.System_SByte:
                    return BrokerTypeMapping.Integer;
                case SpecialType.System_Double:
                case SpecialType.System_Single:
                    return BrokerTypeMapping.Real;
                case SpecialType.System_Boolean:
                    return BrokerTypeMapping.Boolean;
                case SpecialType.System_String:
                    return BrokerTypeMapping.String;
                case SpecialType.System_Nullable_T:
                    return BrokerTypeMapping.Optional;
            }

            if (type is IArrayTypeSymbol array)
            {
                return array.IsSZArray ? BrokerTypeMapping.Vector : BrokerTypeMapping.Unmappable;
            }

            if (type is not INamedTypeSymbol named)
            {
                return BrokerTypeMapping.Unmappable; // type parameters, pointers, dynamic, errors
            }

            if (named.TypeKind == TypeKind.Enum)
            {
                return BrokerTypeMapping.EnumValue;
            }

            if (named.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T)
            {
                return BrokerTypeMapping.Optional;
            }

            INamespaceSymbol? ns = named.ContainingNamespace;
            if (named.ContainingType is null && ns is not null)
            {
                string name = named.MetadataName;
                if (IsNamespace(ns, "System", null, null))
                {
                    if (name == "DateTimeOffset") return BrokerTypeMapping.Timestamp;
                    if (name == "TimeSpan") return BrokerTypeMapping.Timespan;
                }
                else if (IsNamespace(ns, "System", "Net", null))
                {
                    if (name == "IPAddress") return BrokerTypeMapping.Address;
                    if (name == "IPNetwork") return BrokerTypeMapping.Subnet;
                }
                else if (IsNamespace(ns, "Broker", "Data", null))
                {
                    if (name == "BrokerPort") return BrokerTypeMapping.Port;
                    if (name == "BrokerData") return BrokerTypeMapping.Data;
                }
                else if (IsNamespace(ns, "System", "Collections", "Generic"))
                {
                    switch (name)
                    {
                        case "List`1":
                        case "IList`1":
                        case "IReadOnlyList`1":
                        case "ICollection`1":           // also accepted by the generator (Parsing/TypeMapper.cs)
                        case "IReadOnlyCollection`1":
                        case "IEnumerable`1":
                            return BrokerTypeMapping.Vector;
                        case "ISet`1":
                        case "HashSet`1":
                        case "IReadOnlySet`1":
                            return BrokerTypeMapping.Set;
                        case "IDictionary`2":
                        case "Dictionary`2":
                        case "IReadOnlyDictionary`2":
                            return BrokerTypeMapping.Table;
                    }
                }
                else if (IsNamespace(ns, "System", "Collections", "Immutable"))
                {
                    if (name == "ImmutableArray`1") return BrokerTypeMapping.Vector;
                }
            }

            // A Broker record beats MessagePack when a type carries both: native Broker data is readable by Zeek.
            bool messagePack = false;
            foreach (AttributeData attribute in named.GetAttributes())
            {
                INamedTypeSymbol? attributeClass = attribute.AttributeClass;
                if (attributeClass is null || attributeClass.ContainingType is not null || attributeClass.ContainingNamespace is not { } attributeNs)
                {
                    continue;
                }

                if ((attributeClass.MetadataName == "BrokerRecordAttribute" || attributeClass.MetadataName == "LogStreamAttribute")
                    && IsNamespace(attributeNs, "Broker", null, null))
                {
                    return BrokerTypeMapping.Record;
                }

                if (attributeClass.MetadataName == "MessagePackObjectAttribute" && IsNamespace(attributeNs, "MessagePack", null, null))
                {
                    messagePack = true;
                }
            }

            return messagePack ? BrokerTypeMapping.MessagePack : BrokerTypeMapping.Unmappable;
        }

        /// <summary>
        /// True when <paramref name="type"/> maps, element, key and value types included. On failure
        /// <paramref name="offending"/> is the innermost type that does not map (for the diagnostic message).
        /// </summary>
        /// <param name="type">The type.</param>
        /// <param name="offending">The type that does not map, or null.</param>
        /// <returns>True when the whole type maps.</returns>
        public static bool IsMappable(ITypeSymbol type, out ITypeSymbol? offending)
        {
            return IsMappable(type, 0, out offending);
        }

        /// <summary>True for the return types an event method may have: <c>void</c>, <c>Task</c>, <c>ValueTask</c>.</summary>
        /// <param name="type">The return type.</param>
        /// <returns>True when the generator can implement the method.</returns>
        public static bool IsEventReturnType(ITypeSymbol type)
        {
            if (type.SpecialType == SpecialType.System_Void)
            {
                return true;
            }

            return type is INamedTypeSymbol { IsGenericType: false, ContainingType: null } named
                && (named.MetadataName == "Task" || named.MetadataName == "ValueTask")
                && named.ContainingNamespace is { } ns && IsNamespace(ns, "System", "Threading", "Tasks");
        }

        private static bool IsMappable(ITypeSymbol type, int depth, out ITypeSymbol? offending)
        {
            BrokerTypeMapping mapping = depth > MaxDepth ? BrokerTypeMapping.Unmappable : GetMapping(type);
            switch (mapping)
            {
                case BrokerTypeMapping.Unmappable:
                    offending = type;
                    return false;
                case BrokerTypeMapping.Vector when type is IArrayTypeSymbol array:
                    return IsMappable(array.ElementType, depth + 1, out offending);
                case BrokerTypeMapping.Vector:
                case BrokerTypeMapping.Set:
                case BrokerTypeMapping.Table:
                case BrokerTypeMapping.Optional:
                    foreach (ITypeSymbol argument in ((INamedTypeSymbol)type).TypeArguments)
                    {
                        if (!IsMappable(argument, depth + 1, out offending))
                        {
                            return false;
                        }
                    }

                    offending = null;
                    return true;
                default:
                    offending = null;
                    return true;
            }
        }

        // Compares a namespace chain with up to three names, outermost first, without building strings.
        private static bool IsNamespace(INamespaceSymbol ns, string first, string? second, string? third)
        {
            string? last = third ?? second ?? first;
            string? middle = third is not null ? second : (second is not null ? first : null);
            string? outer = third is not null ? first : null;

            if (ns.Name != last) return false;
            ns = ns.ContainingNamespace;
            if (middle is not null)
            {
                if (ns is null || ns.Name != middle) return false;
                ns = ns.ContainingNamespace;
            }

            if (outer is not null)
            {
                if (ns is null || ns.Name != outer) return false;
                ns = ns.ContainingNamespace;
            }

            return ns is not null && ns.IsGlobalNamespace;
        }
    }
}
#endif
