using Basic.Reference.Assemblies;
using Broker.Typing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Broker.Analyzers.Tests;

/// <summary>Pins the .NET -> Broker mapping (DESIGN §5) that the analyzer, and the generator through the same file, rely on.</summary>
public class TypeMappingRulesTests
{
    private static readonly Lazy<INamedTypeSymbol> Holder = new(() =>
    {
        var tree = CSharpSyntaxTree.ParseText("""
            #nullable enable
            using System;
            using System.Collections.Generic;
            using System.Collections.Immutable;
            using System.Net;
            using Broker;
            using Broker.Data;
            public enum E { A }
            [BrokerRecord] public partial record R(int X);
            [LogStream("T::LOG")] public partial record L(int X);
            public class Plain { }
            [MessagePack.MessagePackObject] public class Blob { }
            [MessagePack.MessagePackObject] public struct BlobStruct { }
            [BrokerRecord, MessagePack.MessagePackObject] public partial record RecordAndBlob(int X);
            namespace Fake { public sealed class MessagePackObjectAttribute : System.Attribute { } }
            [Fake.MessagePackObject] public class NotABlob { }
            public interface IHolder
            {
                void M(ulong count64, uint count32, ushort count16, byte count8, long int64, int int32, short int16, sbyte int8,
                    double real64, float real32, bool boolean, string text, IPAddress address, IPNetwork subnet, BrokerPort port,
                    DateTimeOffset timestamp, TimeSpan timespan, E enumValue, ISet<int> set1, HashSet<int> set2, IReadOnlySet<int> set3,
                    IDictionary<int, int> table1, Dictionary<int, int> table2, IReadOnlyDictionary<int, int> table3,
                    int[] vector1, List<int> vector2, IList<int> vector3, IReadOnlyList<int> vector4, ImmutableArray<int> vector5,
                    R record1, L record2, int? optional, BrokerData data,
                    Blob blob1, BlobStruct blob2, List<Blob> blobs, BlobStruct? maybeBlob, RecordAndBlob both,
                    decimal bad1, object bad2, Plain bad3, DateTime bad4, int[,] bad5, IEnumerable<int> vector6, char bad7, NotABlob bad8);
            }
            """);
        var compilation = CSharpCompilation.Create("Mapping", [tree],
            [.. Net100.References.All, MetadataReference.CreateFromFile(typeof(BrokerEndpoint).Assembly.Location),
                MetadataReference.CreateFromFile(typeof(MessagePack.MessagePackObjectAttribute).Assembly.Location)]);
        return compilation.GetTypeByMetadataName("IHolder")!;
    });

    [Theory]
    [InlineData("count64", nameof(BrokerTypeMapping.Count))]
    [InlineData("count32", nameof(BrokerTypeMapping.Count))]
    [InlineData("count16", nameof(BrokerTypeMapping.Count))]
    [InlineData("count8", nameof(BrokerTypeMapping.Count))]
    [InlineData("int64", nameof(BrokerTypeMapping.Integer))]
    [InlineData("int32", nameof(BrokerTypeMapping.Integer))]
    [InlineData("int16", nameof(BrokerTypeMapping.Integer))]
    [InlineData("int8", nameof(BrokerTypeMapping.Integer))]
    [InlineData("real64", nameof(BrokerTypeMapping.Real))]
    [InlineData("real32", nameof(BrokerTypeMapping.Real))]
    [InlineData("boolean", nameof(BrokerTypeMapping.Boolean))]
    [InlineData("text", nameof(BrokerTypeMapping.String))]
    [InlineData("address", nameof(BrokerTypeMapping.Address))]
    [InlineData("subnet", nameof(BrokerTypeMapping.Subnet))]
    [InlineData("port", nameof(BrokerTypeMapping.Port))]
    [InlineData("timestamp", nameof(BrokerTypeMapping.Timestamp))]
    [InlineData("timespan", nameof(BrokerTypeMapping.Timespan))]
    [InlineData("enumValue", nameof(BrokerTypeMapping.EnumValue))]
    [InlineData("set1", nameof(BrokerTypeMapping.Set))]
    [InlineData("set2", nameof(BrokerTypeMapping.Set))]
    [InlineData("set3", nameof(BrokerTypeMapping.Set))]
    [InlineData("table1", nameof(BrokerTypeMapping.Table))]
    [InlineData("table2", nameof(BrokerTypeMapping.Table))]
    [InlineData("table3", nameof(BrokerTypeMapping.Table))]
    [InlineData("vector1", nameof(BrokerTypeMapping.Vector))]
    [InlineData("vector2", nameof(BrokerTypeMapping.Vector))]
    [InlineData("vector3", nameof(BrokerTypeMapping.Vector))]
    [InlineData("vector4", nameof(BrokerTypeMapping.Vector))]
    [InlineData("vector5", nameof(BrokerTypeMapping.Vector))]
    [InlineData("record1", nameof(BrokerTypeMapping.Record))]
    [InlineData("record2", nameof(BrokerTypeMapping.Record))]
    [InlineData("optional", nameof(BrokerTypeMapping.Optional))]
    [InlineData("data", nameof(BrokerTypeMapping.Data))]
    [InlineData("blob1", nameof(BrokerTypeMapping.MessagePack))]
    [InlineData("blob2", nameof(BrokerTypeMapping.MessagePack))]
    [InlineData("blobs", nameof(BrokerTypeMapping.Vector))]
    [InlineData("maybeBlob", nameof(BrokerTypeMapping.Optional))]
    [InlineData("both", nameof(BrokerTypeMapping.Record))]
    [InlineData("bad1", nameof(BrokerTypeMapping.Unmappable))]
    [InlineData("bad2", nameof(BrokerTypeMapping.Unmappable))]
    [InlineData("bad3", nameof(BrokerTypeMapping.Unmappable))]
    [InlineData("bad4", nameof(BrokerTypeMapping.Unmappable))]
    [InlineData("bad5", nameof(BrokerTypeMapping.Unmappable))]
    [InlineData("vector6", nameof(BrokerTypeMapping.Vector))]
    [InlineData("bad7", nameof(BrokerTypeMapping.Unmappable))]
    [InlineData("bad8", nameof(BrokerTypeMapping.Unmappable))]
    public void Maps(string parameter, string mapping)
    {
        var expected = Enum.Parse<BrokerTypeMapping>(mapping);
        ITypeSymbol type = Holder.Value.GetMembers("M").OfType<IMethodSymbol>().Single().Parameters.Single(p => p.Name == parameter).Type;

        Assert.Equal(expected, TypeMappingRules.GetMapping(type));
        Assert.Equal(expected != BrokerTypeMapping.Unmappable, TypeMappingRules.IsMappable(type, out ITypeSymbol? offending));
        Assert.Equal(expected == BrokerTypeMapping.Unmappable, offending is not null);
    }
}
