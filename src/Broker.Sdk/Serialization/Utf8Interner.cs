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
    public static byte[] Get(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > MaxLength)
        {
            return bytes.ToArray();
        }

        if (bytes.IsEmpty)
        {
            return [];
        }

        ref byte[]? first = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(Slots), (nint)(Hash(bytes) & (Capacity - 2)));
        ref byte[]? second = ref Unsafe.Add(ref first, 1);
        byte[]? a = Volatile.Read(ref first);
        if (a is not null && a.Length == bytes.Length && EqualShort(bytes, a))
        {
            return a;
        }

        byte[]? b = Volatile.Read(ref second);
        if (b is not null && b.Length == bytes.Length && EqualShort(bytes, b))
        {
            return b;
        }

        // Each store is atomic; a racing reader at worst misses.
        var added = bytes.ToArray();
        Volatile.Write(ref second, a);
        Volatile.Write(ref first, added);
        return added;
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

    // 1 to 32 bytes: up to four 8-byte words (the last ones overlapping), multiply-rotate mixing.
    private static uint Hash(ReadOnlySpan<byte> bytes)
    {
        ref byte b = ref MemoryMarshal.GetReference(bytes);
        int n = bytes.Length;
        ulong h = Seed ^ (ulong)n;
        if (n >= 8)
        {
            int i = 0;
            for (; i + 8 < n; i += 8)
            {
                h = Mix(h, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref b, i)));
            }

            h = Mix(h, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref b, n - 8)));
        }
        else if (n >= 4)
        {
            h = Mix(h, ((ulong)Unsafe.ReadUnaligned<uint>(ref b) << 32) | Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref b, n - 4)));
        }
        else
        {
            h = Mix(h, ((ulong)b << 16) | ((ulong)Unsafe.Add(ref b, n >> 1) << 8) | Unsafe.Add(ref b, n - 1));
        }

        return (uint)(h ^ (h >> 32));
    }

    // Equality of two 1..32-byte strings of the same length, by (overlapping) words like Hash: no call.
    private static bool EqualShort(ReadOnlySpan<byte> x, byte[] y)
    {
        ref byte a = ref MemoryMarshal.GetReference(x);
        ref byte b = ref MemoryMarshal.GetArrayDataReference(y);
        int n = x.Length;
        if (n >= 8)
        {
            for (int i = 0; i + 8 < n; i += 8)
            {
                if (Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref a, i)) != Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref b, i))) return false;
            }

            return Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref a, n - 8)) == Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref b, n - 8));
        }

        if (n >= 4)
        {
            return Unsafe.ReadUnaligned<uint>(ref a) == Unsafe.ReadUnaligned<uint>(ref b)
                && Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref a, n - 4)) == Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref b, n - 4));
        }

        for (int i = 0; i < n; i++)
        {
            if (Unsafe.Add(ref a, i) != Unsafe.Add(ref b, i)) return false;
        }

        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(ulong h, ulong word) => BitOperations.RotateLeft((h ^ word) * 0x9E37_79B9_7F4A_7C15UL, 29);
}
