namespace Broker.Wire;

/// <summary>Constants of Broker's native wire protocol (spec §7, golden/native/README.txt).</summary>
internal static class WireFormat
{
    /// <summary>"ZEEK" as a big-endian u32, carried by every handshake message but the syn/ack ones.</summary>
    public const uint Magic = 0x5A45454B;

    /// <summary>The only native protocol version Broker 2.3+ speaks.</summary>
    public const byte ProtocolVersion = 1;

    /// <summary>Envelope header: sender 16 | receiver 16 | type 1 | ttl 2 | topic length 2.</summary>
    public const int EnvelopeHeaderSize = 37;

    /// <summary>The TTL Broker puts on everything it sends.</summary>
    public const ushort DefaultTtl = 16;

    /// <summary>CAF's reader limit (INT32_MAX - 4); a larger length prefix closes the connection at once.</summary>
    public const uint CafMaxFrameLength = 0x7FFFFFFB;

    /// <summary>Topic of routing updates, pings and pongs.</summary>
    public const string ReservedTopic = "<$>";

    /// <summary>The BYE marker at the start of a graceful-unpeer ping payload.</summary>
    public static ReadOnlySpan<byte> ByeMarker => "BYE"u8;
}

/// <summary>Type byte of a pre-handshake message (the payload's first byte).</summary>
internal enum HandshakeType : byte
{
    Hello = 6,
    Probe = 7,
    VersionSelect = 8,
    DropConn = 9,
    OriginatorSyn = 10,
    ResponderSynAck = 11,
    OriginatorAck = 12,
}

/// <summary>Type byte of an operational envelope (offset 32).</summary>
internal enum EnvelopeType : byte
{
    Data = 1,
    Command = 2,
    RoutingUpdate = 3,
    Ping = 4,
    Pong = 5,
}
