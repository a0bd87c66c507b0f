using System.Buffers.Binary;
using System.Text;
using Broker.Errors;
using Broker.Serialization;

namespace Broker.Wire;

/// <summary>
/// A decoded pre-handshake message (hello, probe, version_select, drop_conn, originator_syn,
/// responder_syn_ack, originator_ack) and the encoders that produce Broker's exact bytes.
/// </summary>
internal sealed class HandshakeMessage
{
    public HandshakeType Type { get; private init; }

    public uint Magic { get; private init; } = WireFormat.Magic;

    public EndpointId Sender { get; private init; }

    public byte MinVersion { get; private init; }

    public byte MaxVersion { get; private init; }

    public byte Version { get; private init; }

    public BrokerErrorCode Code { get; private init; }

    public string Description { get; private init; } = "";

    public string[] Filter { get; private init; } = [];

    // ---- encoders (payloads without the length prefix) ----

    public static byte[] Hello(EndpointId sender, byte minVersion = WireFormat.ProtocolVersion, byte maxVersion = WireFormat.ProtocolVersion)
    {
        var b = new byte[23];
        WriteHead(b, HandshakeType.Hello, WireFormat.Magic);
        sender.WriteTo(b.AsSpan(5));
        b[21] = minVersion;
        b[22] = maxVersion;
        return b;
    }

    public static byte[] Probe(uint magic = WireFormat.Magic)
    {
        var b = new byte[5];
        WriteHead(b, HandshakeType.Probe, magic);
        return b;
    }

    public static byte[] VersionSelect(EndpointId sender, byte version = WireFormat.ProtocolVersion)
    {
        var b = new byte[22];
        WriteHead(b, HandshakeType.VersionSelect, WireFormat.Magic);
        sender.WriteTo(b.AsSpan(5));
        b[21] = version;
        return b;
    }

    public static byte[] DropConn(EndpointId sender, BrokerErrorCode code, string description)
    {
        int n = Encoding.UTF8.GetByteCount(description);
        var b = new byte[22 + BrokerBinary.VarByteSize((uint)n) + n];
        WriteHead(b, HandshakeType.DropConn, WireFormat.Magic);
        sender.WriteTo(b.AsSpan(5));
        b[21] = (byte)code;
        int pos = 22 + BrokerBinary.WriteVarByte((uint)n, b.AsSpan(22));
        Encoding.UTF8.GetBytes(description, b.AsSpan(pos));
        return b;
    }

    public static byte[] OriginatorSyn(IReadOnlyList<string> filter) => WithFilter(HandshakeType.OriginatorSyn, filter);

    public static byte[] ResponderSynAck(IReadOnlyList<string> filter) => WithFilter(HandshakeType.ResponderSynAck, filter);

    public static byte[] OriginatorAck() => [(byte)HandshakeType.OriginatorAck];

    private static byte[] WithFilter(HandshakeType type, IReadOnlyList<string> filter)
    {
        var b = new byte[1 + FilterCodec.GetSize(filter)];
        b[0] = (byte)type;
        FilterCodec.Write(filter, b.AsSpan(1));
        return b;
    }

    private static void WriteHead(Span<byte> b, HandshakeType type, uint magic)
    {
        b[0] = (byte)type;
        BinaryPrimitives.WriteUInt32BigEndian(b[1..], magic);
    }

    // ---- decoder ----

    /// <summary>Broker's message name for a type byte, as used in its parse errors ("failed to parse hello_msg").</summary>
    public static string NameOf(HandshakeType type) => type switch
    {
        HandshakeType.Hello => "hello_msg",
        HandshakeType.Probe => "probe_msg",
        HandshakeType.VersionSelect => "version_select_msg",
        HandshakeType.DropConn => "drop_conn_msg",
        HandshakeType.OriginatorSyn => "originator_syn_msg",
        HandshakeType.ResponderSynAck => "responder_syn_ack_msg",
        HandshakeType.OriginatorAck => "originator_ack_msg",
        _ => "unknown",
    };

    /// <summary>Parses a handshake payload. Trailing bytes are accepted (as Broker does).</summary>
    /// <returns>Ok, InvalidType (unknown or operational type byte) or Truncated.</returns>
    public static HandshakeParseResult TryParse(ReadOnlySpan<byte> p, out HandshakeMessage? message)
    {
        message = null;
        if (p.Length == 0 || p[0] < (byte)HandshakeType.Hello || p[0] > (byte)HandshakeType.OriginatorAck)
        {
            return HandshakeParseResult.InvalidType;
        }

        var type = (HandshakeType)p[0];
        switch (type)
        {
            case HandshakeType.Hello:
                if (p.Length < 23)
                {
                    return HandshakeParseResult.Truncated;
                }

                message = new HandshakeMessage { Type = type, Magic = ReadMagic(p), Sender = EndpointId.FromBytes(p[5..21]), MinVersion = p[21], MaxVersion = p[22] };
                return HandshakeParseResult.Ok;
            case HandshakeType.Probe:
                if (p.Length < 5)
                {
                    return HandshakeParseResult.Truncated;
                }

                message = new HandshakeMessage { Type = type, Magic = ReadMagic(p) };
                return HandshakeParseResult.Ok;
            case HandshakeType.VersionSelect:
                if (p.Length < 22)
                {
                    return HandshakeParseResult.Truncated;
                }

                message = new HandshakeMessage { Type = type, Magic = ReadMagic(p), Sender = EndpointId.FromBytes(p[5..21]), Version = p[21] };
                return HandshakeParseResult.Ok;
            case HandshakeType.DropConn:
            {
                if (p.Length < 23 || !BrokerBinary.TryReadVarByte(p[22..], out uint n, out int used) || n > (uint)(p.Length - 22 - used))
                {
                    return HandshakeParseResult.Truncated;
                }

                message = new HandshakeMessage
                {
                    Type = type,
                    Magic = ReadMagic(p),
                    Sender = EndpointId.FromBytes(p[5..21]),
                    Code = (BrokerErrorCode)p[21],
                    Description = Encoding.UTF8.GetString(p.Slice(22 + used, (int)n)),
                };
                return HandshakeParseResult.Ok;
            }

            case HandshakeType.OriginatorSyn:
            case HandshakeType.ResponderSynAck:
                if (!FilterCodec.TryRead(p[1..], out var filter, out _))
                {
                    return HandshakeParseResult.Truncated;
                }

                message = new HandshakeMessage { Type = type, Filter = filter };
                return HandshakeParseResult.Ok;
            default:
                message = new HandshakeMessage { Type = type };
                return HandshakeParseResult.Ok;
        }
    }

    private static uint ReadMagic(ReadOnlySpan<byte> p) => BinaryPrimitives.ReadUInt32BigEndian(p[1..]);
}

/// <summary>Outcome of <see cref="HandshakeMessage.TryParse"/>.</summary>
internal enum HandshakeParseResult
{
    Ok,
    InvalidType,
    Truncated,
}
