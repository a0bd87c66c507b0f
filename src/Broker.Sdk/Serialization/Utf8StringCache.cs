using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Broker.Serialization;

/// <summary>
/// A fixed-size, lock-free cache of decoded short strings for <see cref="BrokerReader.TryReadString"/>: typed receivers
/// read the same short arguments (names, enum-like values, "hello") over and over, and a hit returns the earlier
/// <see cref="string"/> instead of transcoding and allocating a new one.
/// </summary>
/// <remarks>
/// The design of <see cref="Utf8Interner"/> (same seeded hash): <see cref="Capacity"/> slots in buckets of two, a new
/// string takes the first slot of its bucket and moves the previous one to the second. An entry pairs the UTF-8 bytes
/// with their text in one immutable object, so a reader sees both or neither; a hit is confirmed by comparing all the
/// bytes, so colliding or hostile input can only cause misses, never a wrong string.
/// A string is admitted on its second miss, not its first: an entry costs two allocations besides the string, which a
/// stream of unique strings (connection ids, say) would otherwise pay on every read while evicting the strings that
/// do repeat. A small table of the hashes seen once decides (a race on it only delays or hastens an admission).
/// </remarks>
internal static class Utf8StringCache
{
    /// <summary>The number of slots (a power of two).</summary>
    internal const int Capacity = 512;

    /// <summary>Longer strings are not cached (nor is the empty string, which needs no allocation).</summary>
    internal const int MaxLength = Utf8Interner.MaxLength;

    private static readonly Entry?[] Slots = new Entry?[Capacity];

    // The hash of the last string that missed, per bucket: a second miss with the same hash admits the string.
    private static readonly uint[] SeenOnce = new uint[Capacity / 2];

    /// <summary>The text of UTF-8 <paramref name="bytes"/>, exactly as <see cref="Encoding.UTF8"/> decodes them.</summary>
    /// <param name="bytes">The bytes (invalid sequences become U+FFFD, as in <c>BrokerData.AsString()</c>).</param>
    /// <returns>The string; shared with earlier callers when cached.</returns>
    public static string Get(ReadOnlySpan<byte> bytes)
    {
        if ((uint)(bytes.Length - 1) >= MaxLength)
        {
            return bytes.IsEmpty ? string.Empty : Encoding.UTF8.GetString(bytes);
        }

        uint hash = Utf8Interner.Hash(bytes);
        ref Entry? first = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(Slots), (nint)(hash & (Capacity - 2)));

        // Plain reads suffice: an entry is immutable and published only after it is built.
        Entry? a = first;
        if (a is not null && bytes.SequenceEqual(a.Utf8))
        {
            return a.Text;
        }

        Entry? b = Unsafe.Add(ref first, 1);
        if (b is not null && bytes.SequenceEqual(b.Utf8))
        {
            return b.Text;
        }

        return Miss(bytes, hash, ref first, a);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string Miss(ReadOnlySpan<byte> bytes, uint hash, ref Entry? first, Entry? previous)
    {
        ref uint seen = ref SeenOnce[(int)((hash & (Capacity - 2)) >> 1)];
        if (seen != hash)
        {
            seen = hash; // the first miss: remember it, do not cache yet
            return Encoding.UTF8.GetString(bytes);
        }

        var added = new Entry(bytes.ToArray(), Encoding.UTF8.GetString(bytes));
        Volatile.Write(ref Unsafe.Add(ref first, 1), previous);
        Volatile.Write(ref first, added);
        return added.Text;
    }

    private sealed class Entry(byte[] utf8, string text)
    {
        public readonly byte[] Utf8 = utf8;
        public readonly string Text = text;
    }
}
