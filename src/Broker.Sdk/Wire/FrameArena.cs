using System.Text;
using Broker.Data;
using Broker.Serialization;

namespace Broker.Wire;

/// <summary>
/// Encodes outbound frames (length prefix, envelope, payload) when they are queued, into per-thread slabs: a frame
/// is a slice of a slab, so queuing a frame allocates nothing per frame. Slabs are never reused (a slice stays valid
/// for as long as anyone holds it); the GC frees a slab with its last frame.
/// </summary>
/// <remarks>
/// Why bytes and not the value: a peer queue holds thousands of frames, and a queued <see cref="BrokerData"/> tree
/// (several objects per event) outlives gen0 and gets copied into older generations; a slab of a few hundred frames
/// is one object. It also means a value sent to several peers is encoded once.
/// </remarks>
internal static class FrameArena
{
    /// <summary>The size of a slab.</summary>
    public const int SlabSize = 32 * 1024;

    /// <summary>Frames larger than this get an array of their own instead of wasting a slab's tail.</summary>
    public const int LargeFrame = SlabSize / 4;

    [ThreadStatic]
    private static byte[]? t_slab;

    [ThreadStatic]
    private static int t_used;

    // Publishers use few topics: the UTF-8 of this thread's last topic (by reference), not re-encoded per frame.
    [ThreadStatic]
    private static string? t_topic;

    [ThreadStatic]
    private static byte[]? t_topicBytes;

    /// <summary>A whole frame whose payload is one Broker value.</summary>
    public static ReadOnlyMemory<byte> DataFrame(EndpointId sender, EndpointId receiver, ushort ttl, string topic, in BrokerData data)
    {
        var topicBytes = TopicBytes(topic);
        int head = 4 + WireFormat.EnvelopeHeaderSize + topicBytes.Length;

        // One pass in the common case: encode into the rest of the slab and size the value only when it does not fit.
        var slab = t_slab;
        int used = t_used;
        if (slab is not null && slab.Length - used > head)
        {
            var span = slab.AsSpan(used);
            if (BrokerBinary.TryWrite(data, span[head..], out int size))
            {
                Envelope.WriteHeader(span, WireFormat.EnvelopeHeaderSize + topicBytes.Length + size, sender, receiver, EnvelopeType.Data, ttl, topicBytes);
                t_used = used + head + size;
                return slab.AsMemory(used, head + size);
            }
        }

        int dataSize = BrokerBinary.GetEncodedSize(data);
        var target = Take(head + dataSize, out int start);
        var frame = target.AsSpan(start, head + dataSize);
        Envelope.WriteHeader(frame, WireFormat.EnvelopeHeaderSize + topicBytes.Length + dataSize, sender, receiver, EnvelopeType.Data, ttl, topicBytes);
        BrokerBinary.Write(data, frame[head..]);
        return target.AsMemory(start, head + dataSize);
    }

    /// <summary>A whole frame with an opaque payload (commands, routing updates, pings, pongs).</summary>
    public static ReadOnlyMemory<byte> RawFrame(EndpointId sender, EndpointId receiver, EnvelopeType type, ushort ttl, string topic, ReadOnlySpan<byte> body)
    {
        int topicLength = Encoding.UTF8.GetByteCount(topic);
        int head = 4 + WireFormat.EnvelopeHeaderSize + topicLength;
        int total = head + body.Length;
        var target = Take(total, out int start);
        var frame = target.AsSpan(start, total);
        Envelope.WriteHeader(frame, WireFormat.EnvelopeHeaderSize + topicLength + body.Length, sender, receiver, type, ttl, topic, topicLength);
        body.CopyTo(frame[head..]);
        return target.AsMemory(start, total);
    }

    private static byte[] TopicBytes(string topic)
    {
        if (!ReferenceEquals(topic, t_topic))
        {
            t_topicBytes = Encoding.UTF8.GetBytes(topic);
            t_topic = topic;
        }

        return t_topicBytes!;
    }

    /// <summary>Room for <paramref name="length"/> bytes: the current slab, a fresh slab, or an array of its own.</summary>
    private static byte[] Take(int length, out int start)
    {
        if (length > LargeFrame)
        {
            start = 0;
            return GC.AllocateUninitializedArray<byte>(length);
        }

        var slab = t_slab;
        if (slab is null || slab.Length - t_used < length)
        {
            // Every byte of a slab is written before it is read: skip the zeroing.
            slab = t_slab = GC.AllocateUninitializedArray<byte>(SlabSize);
            t_used = 0;
        }

        start = t_used;
        t_used += length;
        return slab;
    }
}
