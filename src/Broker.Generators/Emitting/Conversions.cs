using System.Text;
using Broker.Generators.Common;
using Broker.Generators.Model;

namespace Broker.Generators.Emitting;

/// <summary>Builds the C# expressions that convert one mapped type to and from <c>BrokerData</c>.</summary>
internal static class Conversions
{
    private const string C = KnownNames.Convert;

    /// <summary>An expression of type BrokerData encoding <paramref name="value"/> (an expression of type <paramref name="type"/>).</summary>
    public static string Encode(TypeModel type, string value, int depth = 0)
    {
        string x = "__x" + SourceWriter.Invariant(depth);
        switch (type.Kind)
        {
            case MappedKind.Nullable:
                var inner = type.Arguments[0];
                return type.IsValueType
                    ? $"({value}.HasValue ? {Encode(inner, value + ".GetValueOrDefault()", depth)} : default({KnownNames.Data}))"
                    : $"({value} is null ? default({KnownNames.Data}) : {Encode(inner, value, depth)})";
            case MappedKind.Enum:
                var arms = new StringBuilder();
                foreach (string member in type.EnumMembers)
                {
                    arms.Append(type.Name).Append('.').Append(SourceWriter.Identifier(member)).Append(" => ").Append(SourceWriter.Literal(member)).Append(", ");
                }

                return $"{C}.EncodeEnum({value} switch {{ {arms}_ => throw new global::System.ArgumentOutOfRangeException({SourceWriter.Literal(value)}, {value}, {SourceWriter.Literal("not a named member of " + type.Display)}) }})";
            case MappedKind.Record:
                return $"{value}.ToBrokerData()";
            case MappedKind.MessagePack:
                return $"{C}.EncodeMessagePack<{TrimNullable(type.Name)}>({value})";
            case MappedKind.Array:
            case MappedKind.List:
            case MappedKind.ImmutableArray:
                return $"{C}.EncodeVector<{type.Arguments[0].Name}>({value}, static {x} => {Encode(type.Arguments[0], x, depth + 1)})";
            case MappedKind.Set:
                return $"{C}.EncodeSet<{type.Arguments[0].Name}>({value}, static {x} => {Encode(type.Arguments[0], x, depth + 1)})";
            case MappedKind.Table:
                string k = "__k" + SourceWriter.Invariant(depth);
                return $"{C}.EncodeTable<{type.Arguments[0].Name}, {type.Arguments[1].Name}>({value}, static {k} => {Encode(type.Arguments[0], k, depth + 1)}, static {x} => {Encode(type.Arguments[1], x, depth + 1)})";
            default:
                return $"{C}.Encode({value})";
        }
    }

    /// <summary>An expression of type <paramref name="type"/> decoding <paramref name="data"/> (an expression of type BrokerData).</summary>
    public static string Decode(TypeModel type, string data, int depth = 0)
    {
        string d = "__d" + SourceWriter.Invariant(depth);
        switch (type.Kind)
        {
            case MappedKind.Boolean: return $"{C}.DecodeBoolean({data})";
            case MappedKind.Count: return $"{C}.DecodeCount({data})";
            case MappedKind.UInt32: return $"{C}.DecodeUInt32({data})";
            case MappedKind.UInt16: return $"{C}.DecodeUInt16({data})";
            case MappedKind.Byte: return $"{C}.DecodeByte({data})";
            case MappedKind.Integer: return $"{C}.DecodeInteger({data})";
            case MappedKind.Int32: return $"{C}.DecodeInt32({data})";
            case MappedKind.Int16: return $"{C}.DecodeInt16({data})";
            case MappedKind.SByte: return $"{C}.DecodeSByte({data})";
            case MappedKind.Real: return $"{C}.DecodeReal({data})";
            case MappedKind.Single: return $"{C}.DecodeSingle({data})";
            case MappedKind.String: return $"{C}.DecodeString({data})";
            case MappedKind.Address: return $"{C}.DecodeAddress({data})";
            case MappedKind.Subnet: return $"{C}.DecodeSubnet({data})";
            case MappedKind.Port: return $"{C}.DecodePort({data})";
            case MappedKind.Timestamp: return $"{C}.DecodeTimestamp({data})";
            case MappedKind.Timespan: return $"{C}.DecodeTimespan({data})";
            case MappedKind.Data: return data;
            case MappedKind.Nullable:
                return $"({data}.IsNone ? ({type.Name})null : {Decode(type.Arguments[0], data, depth)})";
            case MappedKind.Enum:
                var arms = new StringBuilder();
                foreach (string member in type.EnumMembers)
                {
                    arms.Append(SourceWriter.Literal(member)).Append(" => ").Append(type.Name).Append('.').Append(SourceWriter.Identifier(member)).Append(", ");
                }

                string n = "__n" + SourceWriter.Invariant(depth);
                return $"({C}.DecodeEnumName({data}) switch {{ {arms}var {n} => throw {C}.UnknownEnumName({n}, {SourceWriter.Literal(type.Display)}) }})";
            case MappedKind.Record:
                return $"{TrimNullable(type.Name)}.FromBrokerData({data})";
            case MappedKind.MessagePack:
                return $"{C}.DecodeMessagePack<{TrimNullable(type.Name)}>({data})";
            case MappedKind.Array:
                return $"{C}.DecodeArray<{type.Arguments[0].Name}>({data}, static {d} => {Decode(type.Arguments[0], d, depth + 1)})";
            case MappedKind.List:
                return $"{C}.DecodeList<{type.Arguments[0].Name}>({data}, static {d} => {Decode(type.Arguments[0], d, depth + 1)})";
            case MappedKind.ImmutableArray:
                return $"{C}.DecodeImmutableArray<{type.Arguments[0].Name}>({data}, static {d} => {Decode(type.Arguments[0], d, depth + 1)})";
            case MappedKind.Set:
                return $"{C}.DecodeHashSet<{type.Arguments[0].Name}>({data}, static {d} => {Decode(type.Arguments[0], d, depth + 1)})";
            case MappedKind.Table:
                string k = "__k" + SourceWriter.Invariant(depth);
                return $"{C}.DecodeDictionary<{type.Arguments[0].Name}, {type.Arguments[1].Name}>({data}, static {k} => {Decode(type.Arguments[0], k, depth + 1)}, static {d} => {Decode(type.Arguments[1], d, depth + 1)})";
            default:
                throw new System.InvalidOperationException("Unhandled type kind " + type.Kind);
        }
    }

    /// <summary>Decodes one named member through <c>BrokerConvert.Member</c>, so a failure names the owner, member and types.</summary>
    public static string DecodeMember(TypeModel type, string data, string owner, string member) =>
        $"{C}.Member<{type.Name}>({data}, static __v => {Decode(type, "__v")}, {SourceWriter.Literal(owner)}, {SourceWriter.Literal(member)}, {SourceWriter.Literal(type.Display)})";

    public static string TrimNullable(string name) => name.EndsWith("?", System.StringComparison.Ordinal) ? name.Substring(0, name.Length - 1) : name;
}
