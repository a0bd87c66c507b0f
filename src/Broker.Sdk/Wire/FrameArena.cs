using System.Buffers;
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

    /// <summary>A whole frame whose payload is one Broker value, written straight from <paramref name="value"/>.</summary>
    public static ReadOnlyMemory<byte> DataFrame<T>(EndpointId sender, EndpointId receiver, ushort ttl, string topic, in T value)
        where T : IBrokerValue
    {
        var topicBytes = TopicBytes(topic);
        int head = 4 + WireFormat.EnvelopeHeaderSize + topicBytes.Length;

        // One pass in the common case: write into the rest of the current slab; if it does not fit there, into a
        // fresh slab; only a value larger than a slab goes elsewhere.
        var slab = t_slab;
        int used = t_used;
        if (slab is not null && slab.Length - used > head && TryWriteFrame(slab.AsSpan(used), sender, receiver, ttl, topicBytes, value, out int length))
        {
            t_used = used + length;
            return slab.AsMemory(used, length);
        }

        if (slab is null || used > 0)
        {
            slab = t_slab = GC.AllocateUninitializedArray<byte>(SlabSize);
            t_used = 0;
            if (SlabSize > head && TryWriteFrame(slab, sender, receiver, ttl, topicBytes, value, out length))
            {
                t_used = length;
                return slab.AsMemory(0, length);
            }
        }

        return LargeDataFrame(sender, receiver, ttl, topicBytes, value);
    }

    // Writes the whole frame (length prefix, envelope, value) at the start of `destination`; false when it does not fit.
    private static bool TryWriteFrame<T>(Span<byte> destination, EndpointId sender, EndpointId receiver, ushort ttl, byte[] topicBytes, in T value, out int length)
        where T : IBrokerValue
    {
        int head = 4 + WireFormat.EnvelopeHeaderSize + topicBytes.Length;
        var writer = new BrokerWriter(destination[head..]);
        value.WriteTo(ref writer);
        if (writer.Overflowed)
        {
            length = 0;
            return false;
        }

        int size = writer.BytesWritten;
        Envelope.WriteHeader(destination, WireFormat.EnvelopeHeaderSize + topicBytes.Length + size, sender, receiver, EnvelopeType.Data, ttl, topicBytes);
        length = head + size;
        return true;
    }

    // A value larger than a slab: written into doubling pooled buffers until it fits, then copied into an array of
    // its own (so a huge frame costs its size, not the buffer's).
    private static byte[] LargeDataFrame<T>(EndpointId sender, EndpointId receiver, ushort ttl, byte[] topicBytes, in T value)
        where T : IBrokerValue
    {
        for (long capacity = 4L * SlabSize; ; capacity *= 2)
        {
            if (capacity > Array.MaxLength)
            {
                throw new ArgumentException("The value is too large to encode in one frame.", nameof(value));
            }

            var buffer = ArrayPool<byte>.Shared.Rent((int)capacity);
            try
            {
                if (TryWriteFrame(buffer, sender, receiver, ttl, topicBytes, value, out int length))
                {
                    return buffer.AsSpan(0, length).ToArray();
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
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
