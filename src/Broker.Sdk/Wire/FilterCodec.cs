using System.Text;
using Broker.Serialization;

namespace Broker.Wire;

/// <summary>A routing filter on the wire: varbyte count, then varbyte length + UTF-8 bytes per entry (sorted).</summary>
internal static class FilterCodec
{
    public static int GetSize(IReadOnlyList<string> filter)
    {
        int size = BrokerBinary.VarByteSize((uint)filter.Count);
        for (int i = 0; i < filter.Count; i++)
        {
            int n = Encoding.UTF8.GetByteCount(filter[i]);
            size += BrokerBinary.VarByteSize((uint)n) + n;
        }

        return size;
    }

    public static int Write(IReadOnlyList<string> filter, Span<byte> destination)
    {
        int pos = BrokerBinary.WriteVarByte((uint)filter.Count, destination);
        for (int i = 0; i < filter.Count; i++)
        {
            int n = Encoding.UTF8.GetByteCount(filter[i]);
            pos += BrokerBinary.WriteVarByte((uint)n, destination[pos..]);
            pos += Encoding.UTF8.GetBytes(filter[i], destination[pos..]);
        }

        return pos;
    }

    /// <summary>
    /// Walks a filter without allocating: the first limit it breaks (more than <paramref name="maxEntries"/> prefixes,
    /// or one longer than <paramref name="maxLength"/> bytes), or null. Malformed input is left to <see cref="TryRead"/>.
    /// </summary>
    public static string? CheckLimits(ReadOnlySpan<byte> source, int maxEntries, int maxLength)
    {
        if (!BrokerBinary.TryReadVarByte(source, out uint count, out int pos))
        {
            return null;
        }

        if (count > (uint)maxEntries)
        {
            return $"routing filter of {count} prefixes exceeds the limit of {maxEntries} (DecodeLimits.MaxCollectionCount)";
        }

        for (uint i = 0; i < count; i++)
        {
            if (!BrokerBinary.TryReadVarByte(source[pos..], out uint len, out int used))
            {
                return null;
            }

            if (len > (uint)maxLength)
            {
                return $"routing filter prefix of {len} bytes exceeds the limit of {maxLength} (MaxTopicLength)";
            }

            pos += used;
            if (len > (uint)(source.Length - pos))
            {
                return null;
            }

            pos += (int)len;
        }

        return null;
    }

    /// <summary>Reads a filter; false (never an exception) on malformed input.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out string[] filter, out int consumed)
    {
        filter = [];
        consumed = 0;
        if (!BrokerBinary.TryReadVarByte(source, out uint count, out int pos) || count > (uint)source.Length)
        {
            return false;
        }

        var result = new string[count];
        for (int i = 0; i < result.Length; i++)
        {
            if (!BrokerBinary.TryReadVarByte(source[pos..], out uint len, out int used))
            {
                return false;
            }

            pos += used;
            if (len > (uint)(source.Length - pos))
            {
                return false;
            }

            result[i] = Encoding.UTF8.GetString(source.Slice(pos, (int)len));
            pos += (int)len;
        }

        filter = result;
        consumed = pos;
        return true;
    }
}
