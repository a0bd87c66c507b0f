using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Broker.Data;
using Broker.Errors;
using static Broker.Serialization.BrokerBinary.DecodeErrors;

namespace Broker.Serialization;

/// <content>
/// The decoder. One span and an index. A first, linear pass counts the elements of all vectors and sets in the
/// value, so the decode allocates ONE exactly sized array that every container of the value slices, instead of
/// one array per container; short strings come from <see cref="Utf8Interner"/>. Each value is written straight
/// into its slot of that (zeroed) array, field by field.
/// </content>
/// <remarks>
/// Measured against decoding into a reusable per-thread scratch array and copying the used part out (which
/// saves the counting pass): the copy, re-pointing the slices and the thread-static access cost more than the
/// counting pass for typical events, so the scratch was dropped (docs/performance.md, codec section).
/// </remarks>
public static partial class BrokerBinary
{
    private static BrokerData DecodeCore(ReadOnlySpan<byte> source, BrokerDecodeLimits limits, out int consumed)
    {
        // A scalar or string at the root (store keys and values often are) has no elements to count.
        int slots = !source.IsEmpty && source[0] < (byte)BrokerDataKind.Set ? 0 : Reader.CountSlots(source, limits.MaxCollectionCount);
        var reader = new Reader(source, limits, slots == 0 ? [] : new BrokerData[slots]);
        BrokerData value = default;
        reader.ReadRoot(ref value);
        consumed = reader.Position;
        return value;
    }

    private ref struct Reader
    {
        private readonly ReadOnlySpan<byte> _source;
        private readonly int _maxDepth;
        private readonly int _maxCollectionCount;
        private readonly int _maxStringBytes;
        private int _pos;

        // The elements of every vector and set of this value (sized by CountSlots), and how many are taken.
        private readonly BrokerData[] _slots;
        private int _used;

        public Reader(ReadOnlySpan<byte> source, BrokerDecodeLimits limits, BrokerData[] slots)
        {
            _source = source;
            _maxDepth = limits.MaxDepth;
            _maxCollectionCount = limits.MaxCollectionCount;
            _maxStringBytes = limits.MaxStringBytes;
            _pos = 0;
            _slots = slots;
            _used = 0;
        }

        public readonly int Position => _pos;

        /// <summary>
        /// The number of vector and set elements in the value at the start of <paramref name="source"/>: a walk over
        /// the bytes in wire order (no recursion, no validation). It stops early at anything malformed and never
        /// exceeds the input length (every element takes at least one byte), so hostile input cannot make the
        /// decoder allocate more than a small multiple of its size; the decoding pass then reports the error.
        /// </summary>
        public static int CountSlots(ReadOnlySpan<byte> source, int maxCollectionCount)
        {
            ref byte src = ref MemoryMarshal.GetReference(source);
            ref byte sizes = ref MemoryMarshal.GetReference(PayloadSizes);
            int end = source.Length;
            long slots = 0;
            long pending = 1; // values still to walk
            int pos = 0;
            while (pending > 0 && (uint)pos < (uint)end)
            {
                pending--;
                uint tag = Unsafe.Add(ref src, pos++);
                if (tag >= (uint)PayloadSizes.Length)
                {
                    break;
                }

                uint size = Unsafe.Add(ref sizes, tag);
                if (size != Prefixed)
                {
                    pos += (int)size;
                    continue;
                }

                // String, enum name or container: a varbyte length first (one byte below 128).
                if ((uint)pos >= (uint)end) break;
                uint length = Unsafe.Add(ref src, pos);
                if (length < 0x80)
                {
                    pos++;
                }
                else
                {
                    long read = ReadLongVarByte(source, pos);
                    if (read < 0) break;
                    length = (uint)read;
                    pos += (int)(read >> 32);
                }

                if (length > (uint)(end - pos))
                {
                    break; // a lie the decoding pass rejects before reserving anything
                }

                if (tag is (uint)BrokerDataKind.String or (uint)BrokerDataKind.EnumValue)
                {
                    pos += (int)length;
                }
                else if (length > (uint)maxCollectionCount)
                {
                    break;
                }
                else if (tag == (uint)BrokerDataKind.Table)
                {
                    pending += 2L * length;
                }
                else
                {
                    pending += length;
                    slots += length;
                    if (slots > end) return end;
                }
            }

            return (int)slots;
        }

        // A varbyte of two or more bytes at source[pos..]: (bytes used << 32) | value, or -1 when malformed.
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static long ReadLongVarByte(ReadOnlySpan<byte> source, int pos) =>
            TryReadVarByte(source[pos..], out uint value, out int used) ? ((long)used << 32) | value : -1;

        // The root: inlined into DecodeCore, so a scalar costs no further call.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void ReadRoot(ref BrokerData destination) => ReadInto(ref destination, 0);

        // Table keys and values: one call per value.
        [MethodImpl(MethodImplOptions.NoInlining)]
        public void ReadOne(ref BrokerData destination, int depth) => ReadInto(ref destination, depth);

        /// <summary>
        /// Reads one value into <paramref name="destination"/>, which is still default (a fresh slot or local):
        /// only the fields the kind uses are written, in place (no temporary struct, and scalars store no
        /// reference, so no GC write barrier). Inlined into ReadSequence, so elements of containers cost no call.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void ReadInto(ref BrokerData destination, int depth)
        {
            var source = _source;
            int pos = _pos;
            if ((uint)pos >= (uint)source.Length)
            {
                throw ExpectedTag(pos);
            }

            ref byte src = ref MemoryMarshal.GetReference(source);
            byte tag = Unsafe.Add(ref src, pos++);
            int remaining = source.Length - pos;
            switch ((BrokerDataKind)tag)
            {
                case BrokerDataKind.None:
                    _pos = pos;
                    return;
                case BrokerDataKind.Boolean:
                    if (remaining < 1) throw Truncated(1, remaining, pos);
                    _pos = pos + 1;

                    // Broker reads any non-zero byte as true (and writes only 0 or 1); so do we.
                    BrokerData.InitBits(ref destination, BrokerDataKind.Boolean, Unsafe.Add(ref src, pos) != 0 ? 1UL : 0UL);
                    return;
                case BrokerDataKind.Count:
                case BrokerDataKind.Integer:
                case BrokerDataKind.Timestamp:
                case BrokerDataKind.Timespan:
                    if (remaining < 8) throw Truncated(8, remaining, pos);
                    _pos = pos + 8;
                    BrokerData.InitBits(ref destination, (BrokerDataKind)tag, ReadUInt64BigEndian(ref Unsafe.Add(ref src, pos)));
                    return;
                case BrokerDataKind.Real:
                    if (remaining < 8) throw Truncated(8, remaining, pos);
                    _pos = pos + 8;
                    BrokerData.InitBits(ref destination, BrokerDataKind.Real, BitConverter.DoubleToUInt64Bits(Unpack754(ReadUInt64BigEndian(ref Unsafe.Add(ref src, pos)))));
                    return;
                case BrokerDataKind.String:
                case BrokerDataKind.EnumValue:
                    _pos = pos;
                    BrokerData.InitObject(ref destination, (BrokerDataKind)tag, ReadBytes());
                    return;
                case BrokerDataKind.Address:
                    if (remaining < 16) throw Truncated(16, remaining, pos);
                    _pos = pos + 16;
                    BrokerData.InitWide(
                        ref destination,
                        BrokerDataKind.Address,
                        ReadUInt64BigEndian(ref Unsafe.Add(ref src, pos)),
                        ReadUInt64BigEndian(ref Unsafe.Add(ref src, pos + 8)),
                        0);
                    return;
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

                    destination = BrokerData.SubnetFromRaw(bytes[..16], length);
                    return;
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

                    ulong number = (ulong)((Unsafe.Add(ref src, pos) << 8) | Unsafe.Add(ref src, pos + 1));
                    BrokerData.InitWide(ref destination, BrokerDataKind.Port, number, 0, protocol);
                    return;
                }

                case BrokerDataKind.Set:
                case BrokerDataKind.Vector:
                    _pos = pos;
                    ReadSequence((BrokerDataKind)tag, depth, ref destination);
                    return;
                case BrokerDataKind.Table:
                    _pos = pos;
                    destination = ReadTable(depth);
                    return;
                default:
                    throw UnknownTag(tag, pos - 1);
            }
        }

        // Never inlined into ReadInto (and so into itself): one call per container keeps ReadInto inlined in the
        // element loop and this frame small.
        [MethodImpl(MethodImplOptions.NoInlining)]
        private void ReadSequence(BrokerDataKind kind, int depth, ref BrokerData destination)
        {
            EnterContainer(depth);
            int count = ReadCount(minBytesPerItem: 1);
            if (count == 0)
            {
                BrokerData.InitSlice(ref destination, kind, [], 0, 0);
                return;
            }

            int start = Reserve(count);
            ref BrokerData slot = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_slots), start);
            for (int i = 0; i < count; i++)
            {
                ReadInto(ref Unsafe.Add(ref slot, i), depth + 1);
            }

            // Broker sends sets sorted; anything else is normalised in place, not trusted.
            if (kind == BrokerDataKind.Set && !BrokerData.IsStrictlyAscending(MemoryMarshal.CreateReadOnlySpan(ref slot, count)))
            {
                count = SortSet(MemoryMarshal.CreateSpan(ref slot, count));
            }

            BrokerData.InitSlice(ref destination, kind, _slots, start, count);
        }

        // Sorts the elements of an unsorted set into Broker order where they are, dropping repeats (of equal
        // elements, e.g. 0.0 and -0.0, the first one given stays, as inserting into Broker's std::set does), and
        // returns how many remain; the slots after them are cleared.
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static int SortSet(Span<BrokerData> elements)
        {
            var copy = elements.ToArray();
            var order = new int[copy.Length];
            for (int i = 0; i < order.Length; i++)
            {
                order[i] = i;
            }

            Array.Sort(order, (x, y) =>
            {
                int c = copy[x].CompareTo(copy[y]);
                return c != 0 ? c : x.CompareTo(y);
            });

            int n = 0;
            for (int i = 0; i < order.Length; i++)
            {
                var element = copy[order[i]];
                if (n == 0 || elements[n - 1].CompareTo(element) != 0)
                {
                    elements[n++] = element;
                }
            }

            elements[n..].Clear();
            return n;
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
                BrokerData key = default;
                BrokerData value = default;
                ReadOne(ref key, depth + 1);
                ReadOne(ref value, depth + 1);
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
            if (depth >= _maxDepth)
            {
                throw TooDeep(_maxDepth, _pos - 1);
            }

            // A generous MaxDepth must still never overflow the stack (which would kill the process). Shallow
            // nesting cannot, so the (non-free) stack probe only runs beyond the default depth.
            if (depth >= 64 && !RuntimeHelpers.TryEnsureSufficientExecutionStack())
            {
                throw StackTooSmall(_pos - 1);
            }
        }

        private int ReadCount(int minBytesPerItem) => ReadElementCount(_source, ref _pos, minBytesPerItem, _maxCollectionCount);

        private byte[] ReadBytes()
        {
            int length = ReadStringLength(_source, ref _pos, _maxStringBytes);
            var bytes = Utf8Interner.Get(_source.Slice(_pos, length));
            _pos += length;
            return bytes;
        }
    }
}
