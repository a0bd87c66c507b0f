using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Broker.Data;
using Broker.Errors;

namespace Broker.Serialization;

/// <summary>
/// Broker's binary data encoding (spec §1.1): a tag byte, big-endian fixed-size payloads, varbyte (LEB128)
/// lengths, addresses in 16-byte v4-mapped form, subnet lengths relative to IPv6, and reals in CAF's
/// <c>pack754</c> form. The same bytes go on the native wire and into SQLite store files.
/// </summary>
public static class BrokerBinary
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
    public static int GetEncodedSize(in BrokerData value)
    {
        switch (value.Kind)
        {
            case BrokerDataKind.None: return 1;
            case BrokerDataKind.Boolean: return 2;
            case BrokerDataKind.Count:
            case BrokerDataKind.Integer:
            case BrokerDataKind.Real:
            case BrokerDataKind.Timestamp:
            case BrokerDataKind.Timespan: return 9;
            case BrokerDataKind.String:
            case BrokerDataKind.EnumValue:
            {
                int n = value.RawBytes.Length;
                return 1 + VarByteSize((uint)n) + n;
            }

            case BrokerDataKind.Address: return 17;
            case BrokerDataKind.Subnet: return 18;
            case BrokerDataKind.Port: return 4;
            case BrokerDataKind.Set:
            case BrokerDataKind.Vector:
            {
                var elements = value.RawElements;
                int size = 1 + VarByteSize((uint)elements.Length);
                for (int i = 0; i < elements.Length; i++)
                {
                    size = checked(size + GetEncodedSize(elements[i]));
                }

                return size;
            }

            case BrokerDataKind.Table:
            {
                var entries = value.RawEntries;
                int size = 1 + VarByteSize((uint)entries.Length);
                for (int i = 0; i < entries.Length; i++)
                {
                    size = checked(size + GetEncodedSize(entries[i].Key) + GetEncodedSize(entries[i].Value));
                }

                return size;
            }

            default: throw new ArgumentException($"Unknown Broker data kind {value.Kind}.", nameof(value));
        }
    }

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
    private static int WriteCore(in BrokerData value, Span<byte> destination)
    {
        if (destination.IsEmpty)
        {
            return -1;
        }

        destination[0] = (byte)value.Kind;
        switch (value.Kind)
        {
            case BrokerDataKind.None:
                return 1;
            case BrokerDataKind.Boolean:
                if (destination.Length < 2) return -1;
                destination[1] = (byte)value.RawBits;
                return 2;
            case BrokerDataKind.Count:
            case BrokerDataKind.Integer:
            case BrokerDataKind.Timestamp:
            case BrokerDataKind.Timespan:
                if (destination.Length < 9) return -1;
                BinaryPrimitives.WriteUInt64BigEndian(destination[1..], value.RawBits);
                return 9;
            case BrokerDataKind.Real:
                if (destination.Length < 9) return -1;
                BinaryPrimitives.WriteUInt64BigEndian(destination[1..], Pack754(BitConverter.UInt64BitsToDouble(value.RawBits)));
                return 9;
            case BrokerDataKind.String:
            case BrokerDataKind.EnumValue:
            {
                var bytes = value.RawBytes;
                int pos = 1 + VarByteSize((uint)bytes.Length);
                if (destination.Length - pos < bytes.Length) return -1;
                WriteVarByte((uint)bytes.Length, destination[1..]);
                bytes.CopyTo(destination[pos..]);
                return pos + bytes.Length;
            }

            case BrokerDataKind.Address:
                if (destination.Length < 17) return -1;
                BinaryPrimitives.WriteUInt64BigEndian(destination[1..], value.AddressHigh);
                BinaryPrimitives.WriteUInt64BigEndian(destination[9..], value.AddressLow);
                return 17;
            case BrokerDataKind.Subnet:
                if (destination.Length < 18) return -1;
                BinaryPrimitives.WriteUInt64BigEndian(destination[1..], value.AddressHigh);
                BinaryPrimitives.WriteUInt64BigEndian(destination[9..], value.AddressLow);
                destination[17] = value.Aux;
                return 18;
            case BrokerDataKind.Port:
                if (destination.Length < 4) return -1;
                BinaryPrimitives.WriteUInt16BigEndian(destination[1..], (ushort)value.RawBits);
                destination[3] = value.Aux;
                return 4;
            case BrokerDataKind.Set:
            case BrokerDataKind.Vector:
            {
                var elements = value.RawElements;
                int pos = 1 + VarByteSize((uint)elements.Length);
                if (destination.Length < pos) return -1;
                WriteVarByte((uint)elements.Length, destination[1..]);
                for (int i = 0; i < elements.Length; i++)
                {
                    int n = WriteCore(elements[i], destination[pos..]);
                    if (n < 0) return -1;
                    pos += n;
                }

                return pos;
            }

            case BrokerDataKind.Table:
            {
                var entries = value.RawEntries;
                int pos = 1 + VarByteSize((uint)entries.Length);
                if (destination.Length < pos) return -1;
                WriteVarByte((uint)entries.Length, destination[1..]);
                for (int i = 0; i < entries.Length; i++)
                {
                    int n = WriteCore(entries[i].Key, destination[pos..]);
                    if (n < 0) return -1;
                    pos += n;
                    n = WriteCore(entries[i].Value, destination[pos..]);
                    if (n < 0) return -1;
                    pos += n;
                }

                return pos;
            }

            default:
                throw new ArgumentException($"Unknown Broker data kind {value.Kind}.", nameof(value));
        }
    }

    /// <summary>Decodes exactly one value that must fill the whole input.</summary>
    /// <param name="source">The bytes.</param>
    /// <param name="limits">Limits; <see cref="BrokerDecodeLimits.Default"/> when null.</param>
    /// <returns>The value.</returns>
    /// <exception cref="BrokerDecodeException">The bytes are not exactly one valid value.</exception>
    public static BrokerData Decode(ReadOnlySpan<byte> source, BrokerDecodeLimits? limits = null)
    {
        var value = Decode(source, out int consumed, limits);
        if (consumed != source.Length)
        {
            throw new BrokerDecodeException($"{source.Length - consumed} trailing byte(s) after the value", consumed);
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
        var reader = new Reader(source, limits ?? BrokerDecodeLimits.Default);
        var value = reader.ReadValue(0);
        consumed = reader.Position;
        return value;
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

    private ref struct Reader
    {
        private readonly ReadOnlySpan<byte> _source;
        private readonly BrokerDecodeLimits _limits;
        private int _pos;

        public Reader(ReadOnlySpan<byte> source, BrokerDecodeLimits limits)
        {
            _source = source;
            _limits = limits;
            _pos = 0;
        }

        public readonly int Position => _pos;

        public BrokerData ReadValue(int depth)
        {
            if (_pos >= _source.Length)
            {
                throw Fail("truncated input: expected a type tag");
            }

            byte tag = _source[_pos++];
            switch ((BrokerDataKind)tag)
            {
                case BrokerDataKind.None:
                    return BrokerData.None;
                case BrokerDataKind.Boolean:
                    // Broker reads any non-zero byte as true (and writes only 0 or 1); so do we.
                    return BrokerData.Boolean(Take(1)[0] != 0);

                case BrokerDataKind.Count:
                case BrokerDataKind.Integer:
                case BrokerDataKind.Timestamp:
                case BrokerDataKind.Timespan:
                    return BrokerData.FromBits((BrokerDataKind)tag, BinaryPrimitives.ReadUInt64BigEndian(Take(8)));
                case BrokerDataKind.Real:
                    return BrokerData.Real(Unpack754(BinaryPrimitives.ReadUInt64BigEndian(Take(8))));
                case BrokerDataKind.String:
                    return BrokerData.FromStringBytes(ReadBytes());
                case BrokerDataKind.EnumValue:
                    return BrokerData.FromEnumBytes(ReadBytes());
                case BrokerDataKind.Address:
                    return BrokerData.AddressFromBytes(Take(16));
                case BrokerDataKind.Subnet:
                {
                    var bytes = Take(17);
                    byte length = bytes[16];

                    // Broker never writes a length beyond 128 (or below 96 for an IPv4 network): such bytes are
                    // not a subnet. Host bits are masked, as Broker's constructor does.
                    if (length > 128 || (length < 96 && IsV4Mapped(bytes)))
                    {
                        throw Fail($"invalid subnet length {length}", _pos - 1);
                    }

                    return BrokerData.SubnetFromRaw(bytes[..16], length);
                }

                case BrokerDataKind.Port:
                {
                    var bytes = Take(3);
                    if (bytes[2] > (byte)PortProtocol.Icmp)
                    {
                        throw Fail($"invalid port protocol {bytes[2]}", _pos - 1);
                    }

                    return BrokerData.Port(BinaryPrimitives.ReadUInt16BigEndian(bytes), (PortProtocol)bytes[2]);
                }

                case BrokerDataKind.Set:
                case BrokerDataKind.Vector:
                {
                    EnterContainer(depth);
                    int count = ReadCount(minBytesPerItem: 1);
                    var elements = count == 0 ? Array.Empty<BrokerData>() : new BrokerData[count];
                    for (int i = 0; i < elements.Length; i++)
                    {
                        elements[i] = ReadValue(depth + 1);
                    }

                    if (tag == (byte)BrokerDataKind.Vector)
                    {
                        return BrokerData.FromVectorArray(elements);
                    }

                    // Broker sends sets sorted; normalise anything else rather than trusting it.
                    return BrokerData.IsStrictlyAscending(elements) ? BrokerData.FromSortedSet(elements) : BrokerData.FromSetArray(elements);
                }

                case BrokerDataKind.Table:
                {
                    EnterContainer(depth);
                    int count = ReadCount(minBytesPerItem: 2);
                    var entries = count == 0 ? Array.Empty<KeyValuePair<BrokerData, BrokerData>>() : new KeyValuePair<BrokerData, BrokerData>[count];
                    bool sorted = true;
                    for (int i = 0; i < count; i++)
                    {
                        var key = ReadValue(depth + 1);
                        var value = ReadValue(depth + 1);
                        entries[i] = new(key, value);
                        if (i > 0 && sorted && entries[i - 1].Key.CompareTo(key) >= 0)
                        {
                            sorted = false;
                        }
                    }

                    return sorted ? BrokerData.FromSortedTable(entries) : BrokerData.FromTableArray(entries);
                }

                default:
                    throw Fail($"unknown type tag {tag}", _pos - 1);
            }
        }

        private readonly void EnterContainer(int depth)
        {
            if (depth >= _limits.MaxDepth)
            {
                throw OverLimit($"nesting deeper than the limit of {_limits.MaxDepth} (DecodeLimits.MaxDepth)", _pos - 1);
            }

            // A generous MaxDepth must still never overflow the stack (which would kill the process). Shallow
            // nesting cannot, so the (non-free) stack probe only runs beyond the default depth.
            if (depth >= 64 && !RuntimeHelpers.TryEnsureSufficientExecutionStack())
            {
                throw OverLimit("nesting too deep for the available stack", _pos - 1);
            }
        }

        private static bool IsV4Mapped(ReadOnlySpan<byte> address16) =>
            BinaryPrimitives.ReadUInt64BigEndian(address16) == 0 &&
            BinaryPrimitives.ReadUInt32BigEndian(address16[8..]) == 0x0000_FFFFu;

        private int ReadCount(int minBytesPerItem)
        {
            if (!TryReadVarByte(_source[_pos..], out uint count, out int used))
            {
                throw Fail("truncated or oversized length");
            }

            _pos += used;

            // Every element needs at least one byte: a count the remaining input cannot hold is a lie (malformed
            // input), checked first so that only a collection that is really there counts as over the limit.
            if ((ulong)count * (ulong)minBytesPerItem > (ulong)(_source.Length - _pos))
            {
                throw Fail($"collection claims {count} elements but only {_source.Length - _pos} bytes remain");
            }

            if (count > (uint)_limits.MaxCollectionCount)
            {
                throw OverLimit($"collection of {count} elements exceeds the limit of {_limits.MaxCollectionCount} (DecodeLimits.MaxCollectionCount)");
            }

            return (int)count;
        }

        private byte[] ReadBytes()
        {
            if (!TryReadVarByte(_source[_pos..], out uint length, out int used))
            {
                throw Fail("truncated or oversized length");
            }

            _pos += used;
            if (length > (uint)(_source.Length - _pos))
            {
                throw Fail($"truncated input: a string of {length} bytes but only {_source.Length - _pos} remain");
            }

            if (length > (uint)_limits.MaxStringBytes)
            {
                throw OverLimit($"string of {length} bytes exceeds the limit of {_limits.MaxStringBytes} (DecodeLimits.MaxStringBytes)");
            }

            return length == 0 ? Array.Empty<byte>() : Take((int)length).ToArray();
        }

        private ReadOnlySpan<byte> Take(int count)
        {
            if (_source.Length - _pos < count)
            {
                throw Fail($"truncated input: needed {count} byte(s), {_source.Length - _pos} remain");
            }

            var span = _source.Slice(_pos, count);
            _pos += count;
            return span;
        }

        private readonly BrokerDecodeException Fail(string message, int? at = null) => new(message, at ?? _pos);

        private readonly BrokerDecodeException OverLimit(string message, int? at = null) => new(message, at ?? _pos, limitExceeded: true);
    }
}
