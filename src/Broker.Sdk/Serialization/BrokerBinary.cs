using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Broker.Data;
using Broker.Errors;

namespace Broker.Serialization;

/// <summary>
/// Broker's binary data encoding (spec §1.1): a tag byte, big-endian fixed-size payloads, varbyte (LEB128)
/// lengths, addresses in 16-byte v4-mapped form, subnet lengths relative to IPv6, and reals in CAF's
/// <c>pack754</c> form. The same bytes go on the native wire and into SQLite store files.
/// </summary>
public static partial class BrokerBinary
{
    // CAF pack754 special patterns (golden/native/README.txt item 7).
    private const ulong PackedNaN = 0xFFFF_FFFF_FFFF_FFFFUL;
    private const ulong PackedPositiveInfinity = 0xFFF0_0000_0000_0000UL;
    private const ulong PackedNegativeInfinity = 0x7FF0_0000_0000_0000UL;

    // C++'s quiet_NaN() (0x7FF8…), which Broker hands out for the NaN pattern; .NET's double.NaN is 0xFFF8….
    private static readonly double CanonicalNaN = BitConverter.UInt64BitsToDouble(0x7FF8_0000_0000_0000UL);

    /// <summary>The number of bytes the encoding of <paramref name="value"/> takes.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The encoded size in bytes.</returns>
    public static int GetEncodedSize(in BrokerData value) => EncodedSize(value);

    /// <summary>Encodes a value into a buffer writer without allocating.</summary>
    /// <param name="value">The value.</param>
    /// <param name="writer">The destination.</param>
    /// <returns>The number of bytes written.</returns>
    public static int Encode(in BrokerData value, IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);

        // Most values fit the writer's current buffer: write in one pass, and size the value only when not.
        int written = WriteCore(value, writer.GetSpan());
        if (written < 0)
        {
            written = WriteCore(value, writer.GetSpan(GetEncodedSize(value)));
        }

        writer.Advance(written);
        return written;
    }

    /// <summary>Encodes a value into a new array (convenience; hot paths use the buffer-writer overload).</summary>
    /// <param name="value">The value.</param>
    /// <returns>The bytes.</returns>
    public static byte[] Encode(in BrokerData value)
    {
        var bytes = new byte[GetEncodedSize(value)];
        WriteCore(value, bytes);
        return bytes;
    }

    /// <summary>Encodes a value into a span that is at least <see cref="GetEncodedSize"/> bytes long.</summary>
    /// <param name="value">The value.</param>
    /// <param name="destination">The destination.</param>
    /// <returns>The number of bytes written.</returns>
    /// <exception cref="ArgumentException">The destination is too small.</exception>
    public static int Write(in BrokerData value, Span<byte> destination)
    {
        int written = WriteCore(value, destination);
        return written >= 0
            ? written
            : throw new ArgumentException($"The destination needs {GetEncodedSize(value)} bytes but has {destination.Length}.", nameof(destination));
    }

    /// <summary>Encodes a value into a span if it fits.</summary>
    /// <param name="value">The value.</param>
    /// <param name="destination">The destination.</param>
    /// <param name="bytesWritten">The number of bytes written, or 0 when the value does not fit.</param>
    /// <returns>True when the value fit.</returns>
    public static bool TryWrite(in BrokerData value, Span<byte> destination, out int bytesWritten)
    {
        int written = WriteCore(value, destination);
        bytesWritten = Math.Max(written, 0);
        return written >= 0;
    }

    // Returns the bytes written, or -1 when the destination is too small (nothing is thrown on the hot path).
    private static int WriteCore(in BrokerData value, Span<byte> destination) =>
        WriteValue(value, ref MemoryMarshal.GetReference(destination), 0, destination.Length);

    /// <summary>Decodes exactly one value that must fill the whole input.</summary>
    /// <param name="source">The bytes.</param>
    /// <param name="limits">Limits; <see cref="BrokerDecodeLimits.Default"/> when null.</param>
    /// <returns>The value.</returns>
    /// <exception cref="BrokerDecodeException">The bytes are not exactly one valid value.</exception>
    public static BrokerData Decode(ReadOnlySpan<byte> source, BrokerDecodeLimits? limits = null)
    {
        var value = DecodeCore(source, limits ?? BrokerDecodeLimits.Default, out int consumed);
        if (consumed != source.Length)
        {
            throw DecodeErrors.Trailing(source.Length - consumed, consumed);
        }

        return value;
    }

    /// <summary>Decodes one value from the start of the input.</summary>
    /// <param name="source">The bytes.</param>
    /// <param name="consumed">How many bytes the value took.</param>
    /// <param name="limits">Limits; <see cref="BrokerDecodeLimits.Default"/> when null.</param>
    /// <returns>The value.</returns>
    /// <exception cref="BrokerDecodeException">The bytes do not start with a valid value.</exception>
    public static BrokerData Decode(ReadOnlySpan<byte> source, out int consumed, BrokerDecodeLimits? limits = null)
    {
        return DecodeCore(source, limits ?? BrokerDecodeLimits.Default, out consumed);
    }

    /// <summary>Decodes exactly one value that fills the whole (possibly multi-segment) input.</summary>
    /// <param name="source">The bytes.</param>
    /// <param name="limits">Limits; <see cref="BrokerDecodeLimits.Default"/> when null.</param>
    /// <returns>The value.</returns>
    /// <exception cref="BrokerDecodeException">The bytes are not exactly one valid value.</exception>
    public static BrokerData Decode(in ReadOnlySequence<byte> source, BrokerDecodeLimits? limits = null)
    {
        if (source.IsSingleSegment)
        {
            return Decode(source.FirstSpan, limits);
        }

        if (source.Length > int.MaxValue)
        {
            throw new BrokerDecodeException("input larger than 2 GiB");
        }

        int length = (int)source.Length;
        byte[] rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            source.CopyTo(rented);
            return Decode(rented.AsSpan(0, length), limits);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>The size of a varbyte-encoded 32-bit length.</summary>
    /// <param name="value">The length.</param>
    /// <returns>1..5.</returns>
    public static int VarByteSize(uint value)
    {
        int n = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            n++;
        }

        return n;
    }

    /// <summary>Writes a varbyte (little-endian base-128) length.</summary>
    /// <param name="value">The length.</param>
    /// <param name="destination">The destination.</param>
    /// <returns>The number of bytes written.</returns>
    public static int WriteVarByte(uint value, Span<byte> destination)
    {
        int i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    /// <summary>Reads a varbyte length of at most 32 bits.</summary>
    /// <param name="source">The bytes.</param>
    /// <param name="value">The length.</param>
    /// <param name="consumed">The bytes used.</param>
    /// <returns>False when the input is truncated or the value does not fit 32 bits.</returns>
    public static bool TryReadVarByte(ReadOnlySpan<byte> source, out uint value, out int consumed)
    {
        value = 0;
        consumed = 0;
        int shift = 0;
        while (consumed < source.Length && consumed < 5)
        {
            byte b = source[consumed++];
            if (shift == 28 && b > 0x0F)
            {
                return false;
            }

            value |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return true;
            }

            shift += 7;
        }

        return false;
    }

    /// <summary>CAF's <c>pack754</c>: IEEE bits for normal numbers and ±0, special patterns for NaN and infinities,
    /// and the exact (garbled) bits CAF produces for subnormals, so our bytes equal Broker's.</summary>
    /// <param name="value">The double.</param>
    /// <returns>The 64-bit wire pattern.</returns>
    public static ulong Pack754(double value)
    {
        if (double.IsNaN(value)) return PackedNaN;
        if (double.IsPositiveInfinity(value)) return PackedPositiveInfinity;
        if (double.IsNegativeInfinity(value)) return PackedNegativeInfinity;
        if (value == 0 || double.IsNormal(value)) return BitConverter.DoubleToUInt64Bits(value);

        // Subnormal: replay CAF's normalisation loop; its biased exponent goes negative and wraps.
        ulong sign = value < 0 ? 1UL : 0UL;
        double fnorm = Math.Abs(value);
        long shift = 0;
        while (fnorm >= 2.0)
        {
            fnorm /= 2.0;
            shift++;
        }

        while (fnorm < 1.0)
        {
            fnorm *= 2.0;
            shift--;
        }

        fnorm -= 1.0;
        ulong significand = (ulong)(fnorm * ((double)(1UL << 52) + 0.5));
        ulong exponent = unchecked((ulong)(shift + 1023));
        return (sign << 63) | (exponent << 52) | significand;
    }

    /// <summary>
    /// CAF's <c>unpack754</c>, bit for bit, so we read every wire pattern as a real Broker node does:
    /// <c>0x0000…</c> and <c>0x8000…</c> are ±0; <c>0xFFF0…</c> is +∞ and <c>0x7FF0…</c> is −∞ (CAF swaps the
    /// signs); <c>0xFFFF…FF</c> is C++'s quiet NaN <c>0x7FF8…</c> (.NET's double.NaN is <c>0xFFF8…</c>); any other all-ones exponent overflows CAF's scaling loop to ±∞ (so an IEEE
    /// NaN such as <c>0x7FF8…</c> reads as +∞); an all-zero exponent is read with an implicit leading 1, i.e. as
    /// <c>(1 + fraction) · 2^-1023</c> rounded once to a subnormal; everything else is the IEEE value.
    /// </summary>
    /// <param name="bits">The 64-bit wire pattern.</param>
    /// <returns>The double.</returns>
    public static double Unpack754(ulong bits)
    {
        switch (bits)
        {
            case 0: return 0.0;
            case 0x8000_0000_0000_0000UL: return -0.0;
            case PackedNaN: return CanonicalNaN;
            case PackedPositiveInfinity: return double.PositiveInfinity;
            case PackedNegativeInfinity: return double.NegativeInfinity;
        }

        const ulong ExponentMask = 0x7FF0_0000_0000_0000UL;
        const ulong FractionMask = 0x000F_FFFF_FFFF_FFFFUL;
        bool negative = (bits >> 63) != 0;
        ulong exponent = bits & ExponentMask;
        double magnitude;
        if (exponent == ExponentMask)
        {
            // CAF doubles (1 + fraction) 1024 times: always infinite.
            magnitude = double.PositiveInfinity;
        }
        else if (exponent == 0)
        {
            // CAF halves (1 + fraction) 1023 times. The first 1022 halvings are exact (the result is normal),
            // the last one rounds once: reproduce that with the normal number of exponent field 1, halved.
            magnitude = BitConverter.UInt64BitsToDouble((1UL << 52) | (bits & FractionMask)) / 2.0;
        }
        else
        {
            // Normal numbers: every scaling step is exact, so the result is the IEEE value.
            return BitConverter.UInt64BitsToDouble(bits);
        }

        return negative ? -magnitude : magnitude;
    }
}
