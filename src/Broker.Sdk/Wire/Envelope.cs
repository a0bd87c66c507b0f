using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Broker.Data;
using Broker.Serialization;

namespace Broker.Wire;

/// <summary>
/// The operational envelope (after originator_ack; no type byte in front):
/// sender 16 | receiver 16 | type u8 | ttl u16 | topic length u16 | topic | payload.
/// </summary>
internal readonly ref struct Envelope
{
    public EndpointId Sender { get; init; }

    public EndpointId Receiver { get; init; }

    public EnvelopeType Type { get; init; }

    public ushort Ttl { get; init; }

    public ReadOnlySpan<byte> Topic { get; init; }

    public ReadOnlySpan<byte> Payload { get; init; }

    /// <summary>Parses the header; false for a short frame, a topic longer than the frame or an unknown type.</summary>
    public static bool TryParse(ReadOnlySpan<byte> frame, out Envelope envelope)
    {
        envelope = default;
        if (frame.Length < WireFormat.EnvelopeHeaderSize)
        {
            return false;
        }

        byte type = frame[32];
        int topicLength = BinaryPrimitives.ReadUInt16BigEndian(frame[35..]);
        if (type < (byte)EnvelopeType.Data || type > (byte)EnvelopeType.Pong || topicLength > frame.Length - WireFormat.EnvelopeHeaderSize)
        {
            return false;
        }

        envelope = new Envelope
        {
            Sender = EndpointId.FromBytes(frame),
            Receiver = EndpointId.FromBytes(frame[16..]),
            Type = (EnvelopeType)type,
            Ttl = BinaryPrimitives.ReadUInt16BigEndian(frame[33..]),
            Topic = frame.Slice(WireFormat.EnvelopeHeaderSize, topicLength),
            Payload = frame[(WireFormat.EnvelopeHeaderSize + topicLength)..],
        };
        return true;
    }

    /// <summary>Writes a length-prefixed handshake frame.</summary>
    public static void WriteHandshakeFrame(IBufferWriter<byte> writer, ReadOnlySpan<byte> payload)
    {
        var span = writer.GetSpan(4 + payload.Length);
        BinaryPrimitives.WriteUInt32BigEndian(span, (uint)payload.Length);
        payload.CopyTo(span[4..]);
        writer.Advance(4 + payload.Length);
    }

    /// <summary>Writes the length prefix and the envelope header with an already-encoded topic; returns the offset of the payload.</summary>
    public static int WriteHeader(Span<byte> span, int payloadLength, EndpointId sender, EndpointId receiver, EnvelopeType type, ushort ttl, ReadOnlySpan<byte> topic)
    {
        BinaryPrimitives.WriteUInt32BigEndian(span, (uint)payloadLength);
        sender.WriteTo(span[4..]);
        receiver.WriteTo(span[20..]);
        span[36] = (byte)type;
        BinaryPrimitives.WriteUInt16BigEndian(span[37..], ttl);
        BinaryPrimitives.WriteUInt16BigEndian(span[39..], (ushort)topic.Length);
        topic.CopyTo(span[41..]);
        return 41 + topic.Length;
    }

    /// <summary>Writes the length prefix and the envelope header with the topic; returns the offset of the payload.</summary>
    public static int WriteHeader(Span<byte> span, int payloadLength, EndpointId sender, EndpointId receiver, EnvelopeType type, ushort ttl, string topic, int topicLength)
    {
        BinaryPrimitives.WriteUInt32BigEndian(span, (uint)payloadLength);
        sender.WriteTo(span[4..]);
        receiver.WriteTo(span[20..]);
        span[36] = (byte)type;
        BinaryPrimitives.WriteUInt16BigEndian(span[37..], ttl);
        BinaryPrimitives.WriteUInt16BigEndian(span[39..], (ushort)topicLength);
        Encoding.UTF8.GetBytes(topic, span[41..]);
        return 41 + topicLength;
    }
}
