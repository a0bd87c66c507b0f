using Broker.Generators.Common;
using Broker.Generators.Model;

namespace Broker.Generators.Emitting;

/// <summary>
/// The one table of kinds generated code writes and reads straight through <c>BrokerWriter</c>/<c>BrokerReader</c>
/// (no <c>BrokerData</c> in between), shared by event payloads and readers and by record writers and readers.
/// </summary>
internal static class DirectCodec
{
    /// <summary>
    /// The BrokerReader method that reads a kind directly, with a range check ({0}: the read value) and the cast
    /// that follows it; null for kinds read through BrokerData and BrokerConvert. A successful direct read gives
    /// exactly what the BrokerConvert decoder gives; a failed one is where that decoder would throw.
    /// </summary>
    public static (string Method, string? Range, string? Cast)? Read(MappedKind kind) => kind switch
    {
        MappedKind.Boolean => ("TryReadBoolean", null, null),
        MappedKind.Count => ("TryReadCount", null, null),
        MappedKind.UInt32 => ("TryReadCount", "{0} > uint.MaxValue", "uint"),
        MappedKind.UInt16 => ("TryReadCount", "{0} > ushort.MaxValue", "ushort"),
        MappedKind.Byte => ("TryReadCount", "{0} > byte.MaxValue", "byte"),
        MappedKind.Integer => ("TryReadInteger", null, null),
        MappedKind.Int32 => ("TryReadInteger", "{0} is < int.MinValue or > int.MaxValue", "int"),
        MappedKind.Int16 => ("TryReadInteger", "{0} is < short.MinValue or > short.MaxValue", "short"),
        MappedKind.SByte => ("TryReadInteger", "{0} is < sbyte.MinValue or > sbyte.MaxValue", "sbyte"),
        MappedKind.Real => ("TryReadReal", null, null),
        MappedKind.Single => ("TryReadReal", null, "float"),
        MappedKind.String => ("TryReadString", null, null),
        _ => null,
    };

    /// <summary>Kinds whose encoding cannot fail (a string's null is checked first): kept as they are until written.</summary>
    public static bool IsDirect(TypeModel type) => type.Kind switch
    {
        MappedKind.Boolean or MappedKind.Count or MappedKind.UInt32 or MappedKind.UInt16 or MappedKind.Byte
            or MappedKind.Integer or MappedKind.Int32 or MappedKind.Int16 or MappedKind.SByte
            or MappedKind.Real or MappedKind.Single or MappedKind.String
            or MappedKind.Timestamp or MappedKind.Timespan or MappedKind.Data => true,
        _ => false,
    };

    /// <summary>
    /// The statement writing <paramref name="value"/> (of <paramref name="type"/>) with <c>writer</c>: scalars and
    /// strings directly, other direct kinds as their (tree-free) BrokerData, anything else converted first.
    /// </summary>
    public static string Write(TypeModel type, string value) => type.Kind switch
    {
        MappedKind.String => $"writer.WriteString({value});",
        MappedKind.Boolean => $"writer.WriteBoolean({value});",
        MappedKind.Count or MappedKind.UInt32 or MappedKind.UInt16 or MappedKind.Byte => $"writer.WriteCount({value});",
        MappedKind.Integer or MappedKind.Int32 or MappedKind.Int16 or MappedKind.SByte => $"writer.WriteInteger({value});",
        MappedKind.Real or MappedKind.Single => $"writer.WriteReal({value});",
        _ => $"writer.Write({Conversions.Encode(type, value)});",
    };

    /// <summary>The statement writing nil.</summary>
    public const string WriteNone = "writer.Write(default(" + KnownNames.Data + "));";
}
