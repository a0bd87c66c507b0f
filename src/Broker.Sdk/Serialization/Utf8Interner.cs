using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Broker.Serialization;

/// <summary>
/// A fixed-size, lock-free cache of short byte strings for the decoders: event names, enum names and common
/// values arrive over and over, and a decoded string can share one immutable <c>byte[]</c> instead of allocating.
/// </summary>
/// <remarks>
/// Bounded by construction: <see cref="Capacity"/> slots of at most <see cref="MaxLength"/> bytes, in buckets of two
/// (so two hot strings that hash alike both stay); a new string takes the first slot of its bucket and moves the
/// previous one to the second, dropping the oldest. A hit is confirmed by comparing the bytes, so colliding or
/// hostile input can only cause misses, never a wrong value. Slots hold immutable arrays and reference writes are atomic, so
/// concurrent readers and writers need no lock. The hash is seeded per process so an attacker cannot aim at slots.
/// </remarks>
internal static class Utf8Interner
{
    /// <summary>The number of slots (a power of two).</summary>
    internal const int Capacity = 1024;

    /// <summary>Longer strings are not cached.</summary>
    internal const int MaxLength = 32;

    private static readonly byte[]?[] Slots = new byte[Capacity][];
    private static readonly ulong Seed = (ulong)Random.Shared.NextInt64() | 1;

    /// <summary>An immutable array with the given bytes, shared with earlier callers when cached.</summary>
    /// <param name="bytes">The bytes.</param>
    /// <returns>The array; never written to by anyone.</returns>
    /// <remarks>
    /// Inlined into the decoders. Strings of 1 to 16 bytes (event names, enum names, most values) are read as
    /// two (overlapping) words once; the hash and the comparison with a cached array both use those words.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte[] Get(ReadOnlySpan<byte> bytes)
    {
        int n = bytes.Length;
        if ((uint)(n - 1) >= ShortLength)
        {
            return GetOther(bytes);
        }

        Words(ref MemoryMarshal.GetReference(bytes), n, out ulong lo, out ulong hi);
        ref byte[]? first = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(Slots), (nint)(HashWords(lo, hi, n) & (Capacity - 2)));

        // Plain reads are enough: a published array is never written again, and .NET publishes an object
        // reference only after the object's contents (the store below happens after the array is filled).
        byte[]? a = first;
        if (a is not null && a.Length == n && SameWords(a, n, lo, hi))
        {
            return a;
        }

        byte[]? b = Unsafe.Add(ref first, 1);
        if (b is not null && b.Length == n && SameWords(b, n, lo, hi))
        {
            return b;
        }

        return Add(bytes, ref first, a);
    }

    // A miss: the new string takes the first slot of its bucket, the previous one moves to the second.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static byte[] Add(ReadOnlySpan<byte> bytes, ref byte[]? first, byte[]? previous)
    {
        // Each store is atomic; a racing reader at worst misses.
        var added = bytes.ToArray();
        Volatile.Write(ref Unsafe.Add(ref first, 1), previous);
        Volatile.Write(ref first, added);
        return added;
    }

    // Empty, 17 to MaxLength bytes, or longer (not cached).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static byte[] GetOther(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > MaxLength)
        {
            return bytes.ToArray();
        }

        if (bytes.IsEmpty)
        {
            return [];
        }

        ref byte[]? first = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(Slots), (nint)(HashLong(bytes) & (Capacity - 2)));
        byte[]? a = first;
        if (a is not null && a.Length == bytes.Length && EqualLong(bytes, a))
        {
            return a;
        }

        byte[]? b = Unsafe.Add(ref first, 1);
        if (b is not null && b.Length == bytes.Length && EqualLong(bytes, b))
        {
            return b;
        }

        return Add(bytes, ref first, a);
    }

    /// <summary>The number of occupied slots (for tests).</summary>
    internal static int Count
    {
        get
        {
            int n = 0;
            foreach (var slot in Slots)
            {
                if (slot is not null) n++;
            }

            return n;
        }
    }

    /// <summary>The first slot of the bucket of <paramref name="bytes"/> (for tests).</summary>
    /// <param name="bytes">1 to <see cref="MaxLength"/> bytes.</param>
    /// <returns>An even slot index.</returns>
    internal static int BucketOf(ReadOnlySpan<byte> bytes) => (int)(Hash(bytes) & (Capacity - 2));

    /// <summary>The seeded hash the slots are chosen by (also used by <see cref="Utf8StringCache"/>).</summary>
    /// <param name="bytes">1 to <see cref="MaxLength"/> bytes.</param>
    /// <returns>The hash.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint Hash(ReadOnlySpan<byte> bytes)
    {
        if ((uint)(bytes.Length - 1) < ShortLength)
        {
            Words(ref MemoryMarshal.GetReference(bytes), bytes.Length, out ulong lo, out ulong hi);
            return HashWords(lo, hi, bytes.Length);
        }

        return HashLong(bytes);
    }

    // Strings up to this long take the inlined path.
    private const uint ShortLength = 16;

    // All of 1..16 bytes as two words: for 8..16 bytes the first and last 8 (overlapping), for 4..7 the first and
    // last 4, for 1..3 the first, middle and last byte. Two strings of the same length are equal exactly when
    // their words are.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Words(ref byte b, int n, out ulong lo, out ulong hi)
    {
        if (n >= 8)
        {
            lo = Unsafe.ReadUnaligned<ulong>(ref b);
            hi = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref b, n - 8));
        }
        else if (n >= 4)
        {
            lo = Unsafe.ReadUnaligned<uint>(ref b);
            hi = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref b, n - 4));
        }
        else
        {
            lo = b | ((ulong)Unsafe.Add(ref b, n >> 1) << 8) | ((ulong)Unsafe.Add(ref b, n - 1) << 16);
            hi = 0;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool SameWords(byte[] cached, int n, ulong lo, ulong hi)
    {
        Words(ref MemoryMarshal.GetArrayDataReference(cached), n, out ulong cachedLo, out ulong cachedHi);
        return ((cachedLo ^ lo) | (cachedHi ^ hi)) == 0;
    }

    // Multiply-rotate mixing of the seeded words.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint HashWords(ulong lo, ulong hi, int n)
    {
        ulong h = Mix(Seed ^ (ulong)n, lo);
        h = Mix(h, hi);
        return (uint)(h ^ (h >> 32));
    }

    // 17 to 32 bytes: 8-byte words, the last one overlapping.
    private static uint HashLong(ReadOnlySpan<byte> bytes)
    {
        ref byte b = ref MemoryMarshal.GetReference(bytes);
        int n = bytes.Length;
        ulong h = Seed ^ (ulong)n;
        int i = 0;
        for (; i + 8 < n; i += 8)
        {
            h = Mix(h, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref b, i)));
        }

        h = Mix(h, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref b, n - 8)));
        return (uint)(h ^ (h >> 32));
    }

    // Equality of two strings of the same length (17 to 32 bytes), word by word like HashLong.
    private static bool EqualLong(ReadOnlySpan<byte> x, byte[] y)
    {
        ref byte a = ref MemoryMarshal.GetReference(x);
        ref byte b = ref MemoryMarshal.GetArrayDataReference(y);
        int n = x.Length;
        for (int i = 0; i + 8 < n; i += 8)
        {
            if (Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref a, i)) != Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref b, i))) return false;
        }

        return Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref a, n - 8)) == Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref b, n - 8));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(ulong h, ulong word) => BitOperations.RotateLeft((h ^ word) * 0x9E37_79B9_7F4A_7C15UL, 29);
}
