using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Broker.Data;
using Broker.Errors;

namespace Broker.Serialization;

/// <content>
/// The decoder. One span and an index. A first, linear pass counts the elements of all vectors and sets in the
/// value, so the decode allocates ONE exactly sized array that every container of the value slices, instead of
/// one array per container; short strings come from <see cref="Utf8Interner"/>.
/// </content>
public static partial class BrokerBinary
{
    private ref struct Reader
    {
        private readonly ReadOnlySpan<byte> _source;
        private readonly BrokerDecodeLimits _limits;
        private int _pos;

        // The elements of every vector and set of this value (sized by CountSlots), and how many are taken.
        private BrokerData[] _slots;
        private int _used;

        public Reader(ReadOnlySpan<byte> source, BrokerDecodeLimits limits)
        {
            _source = source;
            _limits = limits;
            _pos = 0;
            int slots = CountSlots(source, limits.MaxCollectionCount);
            _slots = slots == 0 ? [] : new BrokerData[slots];
            _used = 0;
        }

        public readonly int Position => _pos;

        private const byte Prefixed = 0xFF;

        // Payload bytes after each tag (0..14); Prefixed: a varbyte length follows (strings, enum names, containers).
        private static ReadOnlySpan<byte> PayloadSizes => [0, 1, 8, 8, 8, Prefixed, 16, 17, 3, 8, 8, Prefixed, Prefixed, Prefixed, Prefixed];

        /// <summary>
        /// The number of vector and set elements in the value at the start of <paramref name="source"/>: a walk over
        /// the bytes in wire order (no recursion, no validation). It stops early at anything malformed and never
        /// exceeds the input length (every element takes at least one byte), so hostile input cannot make the
        /// decoder allocate more than a small multiple of its size; the decoding pass then reports the error.
        /// </summary>
        private static int CountSlots(ReadOnlySpan<byte> source, int maxCollectionCount)
        {
            long slots = 0;
            long pending = 1; // values still to walk
            int pos = 0;
            while (pending > 0 && (uint)pos < (uint)source.Length)
            {
                pending--;
                byte tag = source[pos++];
                if (tag >= PayloadSizes.Length)
                {
                    return (int)slots;
                }

                int size = PayloadSizes[tag];
                if (size != Prefixed)
                {
                    pos += size;
                    continue;
                }

                // String, enum name or container: a varbyte length first.
                if ((uint)pos >= (uint)source.Length) return (int)slots;
                uint length = source[pos];
                if (length < 0x80)
                {
                    pos++;
                }
                else if (TryReadVarByte(source[pos..], out length, out int used))
                {
                    pos += used;
                }
                else
                {
                    return (int)slots;
                }

                if (length > (uint)(source.Length - pos))
                {
                    return (int)slots; // a lie the decoding pass rejects before reserving anything
                }

                if (tag is (byte)BrokerDataKind.String or (byte)BrokerDataKind.EnumValue)
                {
                    pos += (int)length;
                }
                else if (length > (uint)maxCollectionCount)
                {
                    return (int)slots;
                }
                else if (tag == (byte)BrokerDataKind.Table)
                {
                    pending += 2L * length;
                }
                else
                {
                    pending += length;
                    slots += length;
                    if (slots > source.Length) return source.Length;
                }
            }

            return (int)slots;
        }

        // Inlined into ReadSequence: scalars and strings inside containers cost no call.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public BrokerData ReadValue(int depth)
        {
            var source = _source;
            int pos = _pos;
            if ((uint)pos >= (uint)source.Length)
            {
                throw Fail("truncated input: expected a type tag", pos);
            }

            ref byte src = ref MemoryMarshal.GetReference(source);
            byte tag = Unsafe.Add(ref src, pos++);
            int remaining = source.Length - pos;
            switch ((BrokerDataKind)tag)
            {
                case BrokerDataKind.None:
                    _pos = pos;
                    return BrokerData.None;
                case BrokerDataKind.Boolean:
                    if (remaining < 1) throw Truncated(1, remaining, pos);
                    _pos = pos + 1;

                    // Broker reads any non-zero byte as true (and writes only 0 or 1); so do we.
                    return BrokerData.Boolean(Unsafe.Add(ref src, pos) != 0);
                case BrokerDataKind.Count:
                case BrokerDataKind.Integer:
                case BrokerDataKind.Timestamp:
                case BrokerDataKind.Timespan:
                    if (remaining < 8) throw Truncated(8, remaining, pos);
                    _pos = pos + 8;
                    return BrokerData.FromBits((BrokerDataKind)tag, ReadUInt64BigEndian(ref Unsafe.Add(ref src, pos)));
                case BrokerDataKind.Real:
                    if (remaining < 8) throw Truncated(8, remaining, pos);
                    _pos = pos + 8;
                    return BrokerData.Real(Unpack754(ReadUInt64BigEndian(ref Unsafe.Add(ref src, pos))));
                case BrokerDataKind.String:
                    _pos = pos;
                    return BrokerData.FromStringBytes(ReadBytes());
                case BrokerDataKind.EnumValue:
                    _pos = pos;
                    return BrokerData.FromEnumBytes(ReadBytes());
                case BrokerDataKind.Address:
                    if (remaining < 16) throw Truncated(16, remaining, pos);
                    _pos = pos + 16;
                    return BrokerData.AddressFromBytes(source.Slice(pos, 16));
                case BrokerDataKind.Subnet:
                {
                    if (remaining < 17) throw Truncated(17, remaining, pos);
                    _pos = pos + 17;
                    var bytes = source.Slice(pos, 17);
                    byte length = bytes[16];

                    // Broker never writes a length beyond 128 (or below 96 for an IPv4 network): such bytes are
                    // not a subnet. Host bits are masked, as Broker's constructor does.
                    if (length > 128 || (length < 96 && IsV4Mapped(bytes)))
                    {
                        throw InvalidSubnetLength(length, _pos - 1);
                    }

                    return BrokerData.SubnetFromRaw(bytes[..16], length);
                }

                case BrokerDataKind.Port:
                {
                    if (remaining < 3) throw Truncated(3, remaining, pos);
                    _pos = pos + 3;
                    byte protocol = Unsafe.Add(ref src, pos + 2);
                    if (protocol > (byte)PortProtocol.Icmp)
                    {
                        throw InvalidPortProtocol(protocol, _pos - 1);
                    }

                    ushort number = (ushort)((Unsafe.Add(ref src, pos) << 8) | Unsafe.Add(ref src, pos + 1));
                    return BrokerData.Port(number, (PortProtocol)protocol);
                }

                case BrokerDataKind.Set:
                case BrokerDataKind.Vector:
                    _pos = pos;
                    return ReadSequence((BrokerDataKind)tag, depth);
                case BrokerDataKind.Table:
                    _pos = pos;
                    return ReadTable(depth);
                default:
                    throw UnknownTag(tag, pos - 1);
            }
        }

        private BrokerData ReadSequence(BrokerDataKind kind, int depth)
        {
            EnterContainer(depth);
            int count = ReadCount(minBytesPerItem: 1);
            if (count == 0)
            {
                return kind == BrokerDataKind.Vector ? BrokerData.FromVectorArray([]) : BrokerData.FromSortedSet([]);
            }

            int start = Reserve(count);
            for (int i = 0; i < count; i++)
            {
                var element = ReadValue(depth + 1);
                _slots[start + i] = element;
            }

            // Broker sends sets sorted (then they stay slices); anything else is normalised, not trusted.
            return kind == BrokerDataKind.Vector
                ? BrokerData.FromSlice(kind, _slots, start, count)
                : BrokerData.FromSetRange(_slots, start, count);
        }

        private BrokerData ReadTable(int depth)
        {
            EnterContainer(depth);
            int count = ReadCount(minBytesPerItem: 2);
            if (count == 0)
            {
                return BrokerData.FromSortedTable([]);
            }

            var entries = new KeyValuePair<BrokerData, BrokerData>[count];
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

        // Reserves count consecutive slots. CountSlots counted exactly these for any input that decodes, so running
        // out means the input is malformed further on (and the error would come later).
        private int Reserve(int count)
        {
            int start = _used;
            if (_slots.Length - start < count)
            {
                throw Lie(count, _pos);
            }

            _used = start + count;
            return start;
        }

        private readonly void EnterContainer(int depth)
        {
            if (depth >= _limits.MaxDepth)
            {
                throw TooDeep(_limits.MaxDepth, _pos - 1);
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
            uint count = ReadLength();

            // Every element needs at least one byte: a count the remaining input cannot hold is a lie (malformed
            // input), checked first so that only a collection that is really there counts as over the limit.
            if ((ulong)count * (ulong)minBytesPerItem > (ulong)(_source.Length - _pos))
            {
                throw TooFewBytes(count, _source.Length - _pos, _pos);
            }

            if (count > (uint)_limits.MaxCollectionCount)
            {
                throw TooManyElements(count, _limits.MaxCollectionCount, _pos);
            }

            return (int)count;
        }

        private byte[] ReadBytes()
        {
            uint length = ReadLength();

            // Truncated (malformed) before over the limit, as for collections.
            int remaining = _source.Length - _pos;
            if ((uint)remaining < length)
            {
                throw StringTruncated(length, remaining, _pos);
            }

            if (length > (uint)_limits.MaxStringBytes)
            {
                throw StringTooLong(length, _limits.MaxStringBytes, _pos);
            }

            var bytes = Utf8Interner.Get(_source.Slice(_pos, (int)length));
            _pos += (int)length;
            return bytes;
        }

        // A varbyte length; one byte (below 128) is the common case.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private uint ReadLength()
        {
            int pos = _pos;
            if ((uint)pos < (uint)_source.Length)
            {
                byte first = Unsafe.Add(ref MemoryMarshal.GetReference(_source), pos);
                if (first < 0x80)
                {
                    _pos = pos + 1;
                    return first;
                }
            }

            return ReadLongLength();
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private uint ReadLongLength()
        {
            if (!TryReadVarByte(_source[_pos..], out uint length, out int used))
            {
                throw Fail("truncated or oversized length", _pos);
            }

            _pos += used;
            return length;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static ulong ReadUInt64BigEndian(ref byte source)
        {
            ulong raw = Unsafe.ReadUnaligned<ulong>(ref source);
            return BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(raw) : raw;
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static BrokerDecodeException Truncated(int needed, int remaining, int at) =>
            new($"truncated input: needed {needed} byte(s), {remaining} remain", at);

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static BrokerDecodeException StringTruncated(uint length, int remaining, int at) =>
            new($"truncated input: a string of {length} bytes but only {remaining} remain", at);

        // The throw helpers keep message formatting (and its stack-zeroed locals) out of the hot methods' frames.
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static BrokerDecodeException Lie(int count, int at) =>
            new($"collection claims {count} elements that the input cannot hold", at);

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static BrokerDecodeException TooDeep(int limit, int at) => new($"nesting deeper than the limit of {limit} (DecodeLimits.MaxDepth)", at, limitExceeded: true);

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static BrokerDecodeException TooManyElements(uint count, int limit, int at) =>
            new($"collection of {count} elements exceeds the limit of {limit} (DecodeLimits.MaxCollectionCount)", at, limitExceeded: true);

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static BrokerDecodeException TooFewBytes(uint count, int remaining, int at) =>
            new($"collection claims {count} elements but only {remaining} bytes remain", at);

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static BrokerDecodeException StringTooLong(uint length, int limit, int at) =>
            new($"string of {length} bytes exceeds the limit of {limit} (DecodeLimits.MaxStringBytes)", at, limitExceeded: true);

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static BrokerDecodeException InvalidSubnetLength(byte length, int at) => new($"invalid subnet length {length}", at);

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static BrokerDecodeException InvalidPortProtocol(byte protocol, int at) => new($"invalid port protocol {protocol}", at);

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static BrokerDecodeException UnknownTag(byte tag, int at) => new($"unknown type tag {tag}", at);

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static BrokerDecodeException Fail(string message, int at) => new(message, at);

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static BrokerDecodeException OverLimit(string message, int at) => new(message, at, limitExceeded: true);
    }
}
