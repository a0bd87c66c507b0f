using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Broker.Errors;

namespace Broker.Data;

/// <summary>
/// One Broker value of any type (spec §1.1): an immutable, 32-byte struct that is cheap to copy.
/// Scalars live inline; strings, enum names and containers share one immutable backing array, so
/// copying a <see cref="BrokerData"/> never copies its contents.
/// </summary>
/// <remarks>
/// Equality and ordering are Broker's (see <see cref="CompareTo(BrokerData)"/>). Sets and tables are
/// kept sorted and free of duplicates, which is also their wire order. <c>default(BrokerData)</c> is nil.
/// </remarks>
[StructLayout(LayoutKind.Auto)]
public readonly partial struct BrokerData
{
    // byte[] for String and EnumValue; BrokerData[] for Set and Vector; KeyValuePair<BrokerData, BrokerData>[] for Table.
    private readonly object? _obj;

    // Scalar payload. Address/Subnet: _a = high 8 bytes, _b = low 8 bytes of the 16-byte (v4-mapped) form.
    // Set and Vector: the elements are the slice _obj[_a .. _a + _b] (a decoder puts every nested container of one
    // value into one shared array; values built by the factories own their whole array: _a = 0, _b = its length).
    private readonly ulong _a;
    private readonly ulong _b;
    private readonly BrokerDataKind _kind;

    // Subnet: IPv6-relative prefix length (0..128). Port: protocol.
    private readonly byte _aux;

    private BrokerData(BrokerDataKind kind, ulong a = 0, ulong b = 0, byte aux = 0, object? obj = null)
    {
        _kind = kind;
        _a = a;
        _b = b;
        _aux = aux;
        _obj = obj;
    }

    private const ulong V4MappedHigh = 0;
    private const ulong V4MappedLowPrefix = 0x0000_FFFF_0000_0000UL;

    /// <summary>The nil value.</summary>
    public static BrokerData None => default;

    /// <summary>The value's type.</summary>
    public BrokerDataKind Kind => _kind;

    /// <summary>True for nil.</summary>
    public bool IsNone => _kind == BrokerDataKind.None;

    // ----------------------------------------------------------------------------------- factories

    /// <summary>Creates a boolean.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The Broker value.</returns>
    public static BrokerData Boolean(bool value) => new(BrokerDataKind.Boolean, value ? 1UL : 0UL);

    /// <summary>Creates a count (unsigned 64-bit).</summary>
    /// <param name="value">The value.</param>
    /// <returns>The Broker value.</returns>
    public static BrokerData Count(ulong value) => new(BrokerDataKind.Count, value);

    /// <summary>Creates an integer (signed 64-bit).</summary>
    /// <param name="value">The value.</param>
    /// <returns>The Broker value.</returns>
    public static BrokerData Integer(long value) => new(BrokerDataKind.Integer, unchecked((ulong)value));

    /// <summary>Creates a real.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The Broker value.</returns>
    public static BrokerData Real(double value) => new(BrokerDataKind.Real, BitConverter.DoubleToUInt64Bits(value));

    /// <summary>Creates a string from .NET text, stored as UTF-8.</summary>
    /// <param name="value">The text.</param>
    /// <returns>The Broker value.</returns>
    public static BrokerData String(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(BrokerDataKind.String, obj: Encoding.UTF8.GetBytes(value));
    }

    /// <summary>Creates a string from raw bytes (Broker strings need not be UTF-8). The bytes are copied.</summary>
    /// <param name="bytes">The bytes.</param>
    /// <returns>The Broker value.</returns>
    public static BrokerData String(ReadOnlySpan<byte> bytes) => new(BrokerDataKind.String, obj: bytes.ToArray());

    /// <summary>Creates an enum value from its name, e.g. <c>Conn::LOG</c>.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The Broker value.</returns>
    public static BrokerData EnumValue(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return new(BrokerDataKind.EnumValue, obj: Encoding.UTF8.GetBytes(name));
    }

    /// <summary>Creates an address. IPv4 (and IPv4-mapped IPv6) addresses are stored in the v4-mapped form, as Broker does.</summary>
    /// <param name="address">The address.</param>
    /// <returns>The Broker value.</returns>
    public static BrokerData Address(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        Span<byte> bytes = stackalloc byte[16];
        WriteAddress16(address, bytes);
        return FromAddressBytes(bytes);
    }

    /// <summary>Creates an address from its 16-byte (IPv4-mapped for IPv4) network-order form.</summary>
    /// <param name="bytes16">Exactly 16 bytes.</param>
    /// <returns>The Broker value.</returns>
    public static BrokerData AddressFromBytes(ReadOnlySpan<byte> bytes16)
    {
        if (bytes16.Length != 16)
        {
            throw new ArgumentException("An address needs exactly 16 bytes.", nameof(bytes16));
        }

        return FromAddressBytes(bytes16);
    }

    /// <summary>
    /// Creates a subnet. Host bits are masked (<c>10.1.2.3/8</c> becomes <c>10.0.0.0/8</c>). The prefix length
    /// is the user-visible one: 0..32 for IPv4, 0..128 for IPv6.
    /// </summary>
    /// <param name="address">The network address.</param>
    /// <param name="prefixLength">The prefix length.</param>
    /// <returns>The Broker value.</returns>
    public static BrokerData Subnet(IPAddress address, int prefixLength)
    {
        ArgumentNullException.ThrowIfNull(address);
        bool v4 = address.AddressFamily == AddressFamily.InterNetwork || address.IsIPv4MappedToIPv6;
        int max = v4 ? 32 : 128;
        if ((uint)prefixLength > (uint)max)
        {
            throw new ArgumentOutOfRangeException(nameof(prefixLength), prefixLength, $"A subnet prefix length must be 0..{max}.");
        }

        Span<byte> bytes = stackalloc byte[16];
        WriteAddress16(address, bytes);
        return SubnetFromRaw(bytes, (byte)(v4 ? prefixLength + 96 : prefixLength));
    }

    /// <summary>Creates a subnet from an <see cref="IPNetwork"/>.</summary>
    /// <param name="network">The network.</param>
    /// <returns>The Broker value.</returns>
    public static BrokerData Subnet(IPNetwork network) => Subnet(network.BaseAddress, network.PrefixLength);

    /// <summary>
    /// Creates a subnet from its wire form: a 16-byte address and the IPv6-relative length (IPv4 <c>/n</c> is
    /// <c>n+96</c>). As in Broker, an out-of-range length (&gt;128, or &lt;96 for a v4-mapped address) yields the
    /// default subnet <c>::/0</c>.
    /// </summary>
    /// <param name="bytes16">The 16-byte address.</param>
    /// <param name="rawLength">The IPv6-relative prefix length.</param>
    /// <returns>The Broker value.</returns>
    public static BrokerData SubnetFromRaw(ReadOnlySpan<byte> bytes16, byte rawLength)
    {
        if (bytes16.Length != 16)
        {
            throw new ArgumentException("A subnet needs exactly 16 address bytes.", nameof(bytes16));
        }

        ulong hi = BinaryPrimitives.ReadUInt64BigEndian(bytes16);
        ulong lo = BinaryPrimitives.ReadUInt64BigEndian(bytes16[8..]);
        bool v4 = hi == V4MappedHigh && (lo & 0xFFFF_FFFF_0000_0000UL) == V4MappedLowPrefix;
        if (rawLength > 128 || (v4 && rawLength < 96))
        {
            return new(BrokerDataKind.Subnet, 0, 0, 0);
        }

        // Mask host bits.
        ulong maskHi = rawLength >= 64 ? ulong.MaxValue : rawLength == 0 ? 0 : ulong.MaxValue << (64 - rawLength);
        ulong maskLo = rawLength <= 64 ? 0 : rawLength == 128 ? ulong.MaxValue : ulong.MaxValue << (128 - rawLength);
        return new(BrokerDataKind.Subnet, hi & maskHi, lo & maskLo, rawLength);
    }

    /// <summary>Creates a port.</summary>
    /// <param name="port">The port.</param>
    /// <returns>The Broker value.</returns>
    public static BrokerData Port(BrokerPort port) => new(BrokerDataKind.Port, port.Number, 0, (byte)port.Protocol);

    /// <summary>Creates a port.</summary>
    /// <param name="number">The port number.</param>
    /// <param name="protocol">The protocol.</param>
    /// <returns>The Broker value.</returns>
    public static BrokerData Port(ushort number, PortProtocol protocol) => new(BrokerDataKind.Port, number, 0, (byte)protocol);

    /// <summary>Creates a timestamp from nanoseconds since the Unix epoch.</summary>
    /// <param name="nanoseconds">Nanoseconds since 1970-01-01T00:00:00Z.</param>
    /// <returns>The Broker value.</returns>
    public static BrokerData Timestamp(long nanoseconds) => new(BrokerDataKind.Timestamp, unchecked((ulong)nanoseconds));

    /// <summary>Creates a timestamp (100 ns precision, as <see cref="DateTimeOffset"/> has).</summary>
    /// <param name="time">The time.</param>
    /// <returns>The Broker value.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The time is outside Broker's range (years 1677 to 2262).</exception>
    public static BrokerData Timestamp(DateTimeOffset time) =>
        Timestamp(TicksToNanoseconds(time.UtcTicks - DateTime.UnixEpoch.Ticks, nameof(time)));

    /// <summary>Creates a timespan from nanoseconds.</summary>
    /// <param name="nanoseconds">The duration in nanoseconds.</param>
    /// <returns>The Broker value.</returns>
    public static BrokerData Timespan(long nanoseconds) => new(BrokerDataKind.Timespan, unchecked((ulong)nanoseconds));

    /// <summary>Creates a timespan (100 ns precision, as <see cref="TimeSpan"/> has).</summary>
    /// <param name="duration">The duration.</param>
    /// <returns>The Broker value.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The duration is longer than Broker's range (about ±292 years).</exception>
    public static BrokerData Timespan(TimeSpan duration) => Timespan(TicksToNanoseconds(duration.Ticks, nameof(duration)));

    private static long TicksToNanoseconds(long ticks, string paramName)
    {
        const long Limit = long.MaxValue / 100;
        if (ticks > Limit || ticks < -Limit)
        {
            throw new ArgumentOutOfRangeException(paramName, "Broker counts nanoseconds in 64 bits: the value is out of range.");
        }

        return ticks * 100;
    }

    /// <summary>Creates a vector. The elements are copied.</summary>
    /// <param name="elements">The elements.</param>
    /// <returns>The Broker value.</returns>
    public static BrokerData Vector(params ReadOnlySpan<BrokerData> elements) =>
        FromVectorArray(elements.Length == 0 ? Array.Empty<BrokerData>() : elements.ToArray());

    /// <summary>Creates a vector.</summary>
    /// <param name="elements">The elements.</param>
    /// <returns>The Broker value.</returns>
    public static BrokerData Vector(IEnumerable<BrokerData> elements)
    {
        ArgumentNullException.ThrowIfNull(elements);
        return FromVectorArray(elements.ToArray());
    }

    /// <summary>Creates a vector that shares the array of an <see cref="ImmutableArray{T}"/> (no copy).</summary>
    /// <param name="elements">The elements.</param>
    /// <returns>The Broker value.</returns>
    public static BrokerData Vector(ImmutableArray<BrokerData> elements) =>
        FromVectorArray(ImmutableCollectionsMarshal.AsArray(elements) ?? Array.Empty<BrokerData>());

    /// <summary>Creates a set: elements are sorted in Broker order and duplicates collapse.</summary>
    /// <param name="elements">The elements.</param>
    /// <returns>The Broker value.</returns>
    public static BrokerData Set(params ReadOnlySpan<BrokerData> elements) => FromSetArray(elements.ToArray());

    /// <summary>Creates a set: elements are sorted in Broker order and duplicates collapse.</summary>
    /// <param name="elements">The elements.</param>
    /// <returns>The Broker value.</returns>
    public static BrokerData Set(IEnumerable<BrokerData> elements)
    {
        ArgumentNullException.ThrowIfNull(elements);
        return FromSetArray(elements.ToArray());
    }

    /// <summary>Creates a table: entries are sorted by key; for a repeated key the last value wins.</summary>
    /// <param name="entries">The entries.</param>
    /// <returns>The Broker value.</returns>
    public static BrokerData Table(IEnumerable<KeyValuePair<BrokerData, BrokerData>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        return FromTableArray(entries.ToArray());
    }

    /// <summary>Creates a table: entries are sorted by key; for a repeated key the last value wins.</summary>
    /// <param name="entries">The entries.</param>
    /// <returns>The Broker value.</returns>
    public static BrokerData Table(params ReadOnlySpan<(BrokerData Key, BrokerData Value)> entries)
    {
        var array = new KeyValuePair<BrokerData, BrokerData>[entries.Length];
        for (int i = 0; i < entries.Length; i++)
        {
            array[i] = new(entries[i].Key, entries[i].Value);
        }

        return FromTableArray(array);
    }

    // Takes ownership of the array. Sorts into Broker order; of equal elements (e.g. 0.0 and -0.0) the first
    // one given is kept, as inserting into Broker's std::set does, so the result never depends on sort details.
    internal static BrokerData FromSetArray(BrokerData[] elements) => FromSetRange(elements, 0, elements.Length);

    // The set of array[start .. start + count], which the caller no longer writes: a slice of the array when it is
    // already in Broker order, otherwise a new sorted, duplicate-free array (the decoder's unsorted sets use this
    // without copying the range first).
    internal static BrokerData FromSetRange(BrokerData[] array, int start, int count)
    {
        if (IsStrictlyAscending(new ReadOnlySpan<BrokerData>(array, start, count)))
        {
            return FromSlice(BrokerDataKind.Set, array, start, count);
        }

        var order = new int[count];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = start + i;
        }

        Array.Sort(order, (x, y) =>
        {
            int c = array[x].CompareTo(array[y]);
            return c != 0 ? c : x.CompareTo(y);
        });

        var sorted = new BrokerData[count];
        int n = 0;
        for (int i = 0; i < order.Length; i++)
        {
            var element = array[order[i]];
            if (n == 0 || sorted[n - 1].CompareTo(element) != 0)
            {
                sorted[n++] = element;
            }
        }

        if (n != sorted.Length)
        {
            Array.Resize(ref sorted, n);
        }

        return FromSortedSet(sorted);
    }

    // Takes ownership of the array. Sorts by key; for a repeated key the last entry given wins (key and value),
    // as assigning through a map's indexer does.
    internal static BrokerData FromTableArray(KeyValuePair<BrokerData, BrokerData>[] entries)
    {
        bool ascending = true;
        for (int i = 1; i < entries.Length && ascending; i++)
        {
            ascending = entries[i - 1].Key.CompareTo(entries[i].Key) < 0;
        }

        if (!ascending)
        {
            int[] order = StableOrder(entries, static (items, x, y) => items[x].Key.CompareTo(items[y].Key));
            var sorted = new KeyValuePair<BrokerData, BrokerData>[entries.Length];
            int count = 0;
            for (int i = 0; i < order.Length; i++)
            {
                var entry = entries[order[i]];
                if (i + 1 < order.Length && entries[order[i + 1]].Key.CompareTo(entry.Key) == 0)
                {
                    continue;
                }

                sorted[count++] = entry;
            }

            if (count != sorted.Length)
            {
                Array.Resize(ref sorted, count);
            }

            entries = sorted;
        }

        return new(BrokerDataKind.Table, obj: entries);
    }

    internal static bool IsStrictlyAscending(ReadOnlySpan<BrokerData> elements)
    {
        for (int i = 1; i < elements.Length; i++)
        {
            if (elements[i - 1].CompareTo(elements[i]) >= 0)
            {
                return false;
            }
        }

        return true;
    }

    // Indices of items in ascending order, equal items kept in their original order (Array.Sort is not stable).
    private static int[] StableOrder<TItem>(TItem[] items, Func<TItem[], int, int, int> compare)
    {
        var order = new int[items.Length];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        Array.Sort(order, (x, y) =>
        {
            int c = compare(items, x, y);
            return c != 0 ? c : x.CompareTo(y);
        });
        return order;
    }

    // Decoder fast paths: the arrays are already in Broker order (checked by the caller) and owned.
    internal static BrokerData FromSortedSet(BrokerData[] elements) => new(BrokerDataKind.Set, 0, (ulong)elements.Length, obj: elements);

    internal static BrokerData FromSortedTable(KeyValuePair<BrokerData, BrokerData>[] entries) => new(BrokerDataKind.Table, obj: entries);

    internal static BrokerData FromVectorArray(BrokerData[] elements) => new(BrokerDataKind.Vector, 0, (ulong)elements.Length, obj: elements);

    // A vector or (already sorted, duplicate-free) set whose elements are array[offset .. offset + length]; the array
    // is never written again. The decoder uses this to give all containers of one value a single backing array.
    internal static BrokerData FromSlice(BrokerDataKind kind, BrokerData[] array, int offset, int length) =>
        new(kind, (ulong)offset, (ulong)length, obj: array);

    // The backing array (tests check what is shared).
    internal object? BackingObject => _obj;

    // Decoder: fill a slot that is still default(BrokerData) (a fresh array's or a new local) in place, writing only
    // the fields the kind uses. This avoids building a 32-byte struct in a temporary and copying it through the
    // GC's by-ref write barrier helper; scalars store no reference at all.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void InitBits(ref BrokerData slot, BrokerDataKind kind, ulong bits)
    {
        Unsafe.AsRef(in slot._kind) = kind;
        Unsafe.AsRef(in slot._a) = bits;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void InitWide(ref BrokerData slot, BrokerDataKind kind, ulong a, ulong b, byte aux)
    {
        Unsafe.AsRef(in slot._kind) = kind;
        Unsafe.AsRef(in slot._a) = a;
        Unsafe.AsRef(in slot._b) = b;
        Unsafe.AsRef(in slot._aux) = aux;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void InitObject(ref BrokerData slot, BrokerDataKind kind, object obj)
    {
        Unsafe.AsRef(in slot._kind) = kind;
        Unsafe.AsRef(in slot._obj) = obj;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void InitSlice(ref BrokerData slot, BrokerDataKind kind, BrokerData[] array, int offset, int length)
    {
        Unsafe.AsRef(in slot._kind) = kind;
        Unsafe.AsRef(in slot._a) = (ulong)offset;
        Unsafe.AsRef(in slot._b) = (ulong)length;
        Unsafe.AsRef(in slot._obj) = array;
    }

    internal static BrokerData FromStringBytes(byte[] bytes) => new(BrokerDataKind.String, obj: bytes);

    internal static BrokerData FromEnumBytes(byte[] bytes) => new(BrokerDataKind.EnumValue, obj: bytes);

    internal static BrokerData FromBits(BrokerDataKind kind, ulong bits) => new(kind, bits);

    private static BrokerData FromAddressBytes(ReadOnlySpan<byte> bytes16) => new(
        BrokerDataKind.Address,
        BinaryPrimitives.ReadUInt64BigEndian(bytes16),
        BinaryPrimitives.ReadUInt64BigEndian(bytes16[8..]));

    private static void WriteAddress16(IPAddress address, Span<byte> destination)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            destination[..10].Clear();
            destination[10] = 0xFF;
            destination[11] = 0xFF;
            address.TryWriteBytes(destination[12..], out _);
        }
        else
        {
            address.TryWriteBytes(destination, out _);
        }
    }

    // ----------------------------------------------------------------------------------- accessors

    /// <summary>The boolean value.</summary>
    /// <returns>The value.</returns>
    /// <exception cref="BrokerTypeException">The value is not a boolean.</exception>
    public bool AsBoolean() => Expect(BrokerDataKind.Boolean)._a != 0;

    /// <summary>The count value.</summary>
    /// <returns>The value.</returns>
    /// <exception cref="BrokerTypeException">The value is not a count.</exception>
    public ulong AsCount() => Expect(BrokerDataKind.Count)._a;

    /// <summary>The integer value.</summary>
    /// <returns>The value.</returns>
    /// <exception cref="BrokerTypeException">The value is not an integer.</exception>
    public long AsInteger() => unchecked((long)Expect(BrokerDataKind.Integer)._a);

    /// <summary>The real value.</summary>
    /// <returns>The value.</returns>
    /// <exception cref="BrokerTypeException">The value is not a real.</exception>
    public double AsReal() => BitConverter.UInt64BitsToDouble(Expect(BrokerDataKind.Real)._a);

    /// <summary>The string value decoded as UTF-8 (invalid sequences become U+FFFD).</summary>
    /// <returns>The text.</returns>
    /// <exception cref="BrokerTypeException">The value is not a string.</exception>
    public string AsString() => Encoding.UTF8.GetString((byte[])Expect(BrokerDataKind.String)._obj!);

    /// <summary>The raw bytes of a string.</summary>
    /// <returns>The bytes.</returns>
    /// <exception cref="BrokerTypeException">The value is not a string.</exception>
    public ReadOnlyMemory<byte> AsStringBytes() => (byte[])Expect(BrokerDataKind.String)._obj!;

    /// <summary>The name of an enum value.</summary>
    /// <returns>The name.</returns>
    /// <exception cref="BrokerTypeException">The value is not an enum value.</exception>
    public string AsEnumName() => Encoding.UTF8.GetString((byte[])Expect(BrokerDataKind.EnumValue)._obj!);

    /// <summary>The address; v4-mapped addresses come back as IPv4.</summary>
    /// <returns>The address.</returns>
    /// <exception cref="BrokerTypeException">The value is not an address.</exception>
    public IPAddress AsAddress()
    {
        Expect(BrokerDataKind.Address);
        return ToIPAddress(_a, _b);
    }

    /// <summary>The subnet with its user-visible prefix length.</summary>
    /// <returns>The network.</returns>
    /// <exception cref="BrokerTypeException">The value is not a subnet.</exception>
    public IPNetwork AsSubnet()
    {
        Expect(BrokerDataKind.Subnet);
        var address = ToIPAddress(_a, _b);
        int length = address.AddressFamily == AddressFamily.InterNetwork ? _aux - 96 : _aux;
        return new IPNetwork(address, length);
    }

    /// <summary>The port.</summary>
    /// <returns>The port.</returns>
    /// <exception cref="BrokerTypeException">The value is not a port.</exception>
    public BrokerPort AsPort() => new((ushort)Expect(BrokerDataKind.Port)._a, (PortProtocol)_aux);

    /// <summary>The timestamp in nanoseconds since the Unix epoch.</summary>
    /// <returns>The nanoseconds.</returns>
    /// <exception cref="BrokerTypeException">The value is not a timestamp.</exception>
    public long AsTimestampNanoseconds() => unchecked((long)Expect(BrokerDataKind.Timestamp)._a);

    /// <summary>The timestamp, truncated to 100 ns.</summary>
    /// <returns>The time.</returns>
    /// <exception cref="BrokerTypeException">The value is not a timestamp.</exception>
    public DateTimeOffset AsTimestamp() =>
        new(DateTime.UnixEpoch.Ticks + FloorDiv(AsTimestampNanoseconds(), 100), TimeSpan.Zero);

    /// <summary>The timespan in nanoseconds.</summary>
    /// <returns>The nanoseconds.</returns>
    /// <exception cref="BrokerTypeException">The value is not a timespan.</exception>
    public long AsTimespanNanoseconds() => unchecked((long)Expect(BrokerDataKind.Timespan)._a);

    /// <summary>The timespan, truncated to 100 ns.</summary>
    /// <returns>The duration.</returns>
    /// <exception cref="BrokerTypeException">The value is not a timespan.</exception>
    public TimeSpan AsTimespan() => TimeSpan.FromTicks(AsTimespanNanoseconds() / 100);

    /// <summary>The elements of a vector.</summary>
    /// <returns>The elements: shared when the vector owns its whole backing array (every value built by the
    /// factories does), otherwise (a container nested in a decoded value) a copy. <see cref="AsVectorSpan"/> never copies.</returns>
    /// <exception cref="BrokerTypeException">The value is not a vector.</exception>
    public ImmutableArray<BrokerData> AsVector() => Expect(BrokerDataKind.Vector).ElementsAsImmutableArray();

    /// <summary>The elements of a set, in Broker order.</summary>
    /// <returns>The elements: shared when the set owns its whole backing array, otherwise a copy
    /// (see <see cref="AsVector"/>). <see cref="AsSetSpan"/> never copies.</returns>
    /// <exception cref="BrokerTypeException">The value is not a set.</exception>
    public ImmutableArray<BrokerData> AsSet() => Expect(BrokerDataKind.Set).ElementsAsImmutableArray();

    /// <summary>The elements of a vector without copying (the hot-path accessor; see <see cref="AsVector"/>).</summary>
    /// <returns>The elements; read-only because Broker values are immutable.</returns>
    /// <exception cref="BrokerTypeException">The value is not a vector.</exception>
    public ReadOnlySpan<BrokerData> AsVectorSpan()
    {
        ExpectKind(BrokerDataKind.Vector);
        return RawElements;
    }

    /// <summary>The elements of a set, in Broker order, without copying (see <see cref="AsSet"/>).</summary>
    /// <returns>The elements; read-only because Broker values are immutable.</returns>
    /// <exception cref="BrokerTypeException">The value is not a set.</exception>
    public ReadOnlySpan<BrokerData> AsSetSpan()
    {
        ExpectKind(BrokerDataKind.Set);
        return RawElements;
    }

    private ImmutableArray<BrokerData> ElementsAsImmutableArray()
    {
        var array = Unsafe.As<BrokerData[]>(_obj!);
        return _a == 0 && _b == (ulong)array.Length
            ? ImmutableCollectionsMarshal.AsImmutableArray(array)
            : ImmutableArray.Create(RawElements);
    }

    /// <summary>The entries of a table, in key order.</summary>
    /// <returns>The entries (shared, not copied).</returns>
    /// <exception cref="BrokerTypeException">The value is not a table.</exception>
    public ImmutableArray<KeyValuePair<BrokerData, BrokerData>> AsTable() =>
        ImmutableCollectionsMarshal.AsImmutableArray((KeyValuePair<BrokerData, BrokerData>[])Expect(BrokerDataKind.Table)._obj!);

    /// <summary>The number of elements of a set, table or vector, or the byte length of a string or enum name; 0 otherwise.</summary>
    public int Length => _kind switch
    {
        BrokerDataKind.String or BrokerDataKind.EnumValue => Unsafe.As<byte[]>(_obj!).Length,
        BrokerDataKind.Vector or BrokerDataKind.Set => (int)_b,
        BrokerDataKind.Table => Unsafe.As<KeyValuePair<BrokerData, BrokerData>[]>(_obj!).Length,
        _ => 0,
    };

    /// <summary>The i-th element of a vector (Zeek records are vectors).</summary>
    /// <param name="index">The index.</param>
    /// <returns>The element.</returns>
    /// <exception cref="BrokerTypeException">The value is not a vector.</exception>
    public BrokerData this[int index]
    {
        get
        {
            ExpectKind(BrokerDataKind.Vector);
            return RawElements[index];
        }
    }

    /// <summary>True when a set contains <paramref name="element"/> (binary search).</summary>
    /// <param name="element">The element.</param>
    /// <returns>True when present.</returns>
    /// <exception cref="BrokerTypeException">The value is not a set.</exception>
    public bool SetContains(in BrokerData element) =>
        Expect(BrokerDataKind.Set).RawElements.BinarySearch(element, BrokerDataComparer.Instance) >= 0;

    /// <summary>Looks a key up in a table (binary search).</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value when found.</param>
    /// <returns>True when found.</returns>
    /// <exception cref="BrokerTypeException">The value is not a table.</exception>
    public bool TryGetTableValue(in BrokerData key, out BrokerData value)
    {
        var entries = (KeyValuePair<BrokerData, BrokerData>[])Expect(BrokerDataKind.Table)._obj!;
        int lo = 0, hi = entries.Length - 1;
        while (lo <= hi)
        {
            int mid = lo + ((hi - lo) >> 1);
            int c = entries[mid].Key.CompareTo(key);
            if (c == 0)
            {
                value = entries[mid].Value;
                return true;
            }

            if (c < 0) lo = mid + 1;
            else hi = mid - 1;
        }

        value = default;
        return false;
    }

    // Raw access for codecs (no allocation).
    internal ulong RawBits => _a;

    internal ulong AddressHigh => _a;

    internal ulong AddressLow => _b;

    internal byte Aux => _aux;

    // The kind fixes the array type (every factory guarantees it), so the codec skips the cast checks.
    internal byte[] RawBytes => Unsafe.As<byte[]>(_obj!);

    internal ReadOnlySpan<BrokerData> RawElements => MemoryMarshal.CreateReadOnlySpan(
        ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(Unsafe.As<BrokerData[]>(_obj!)), (nint)_a), (int)_b);

    internal KeyValuePair<BrokerData, BrokerData>[] RawEntries => Unsafe.As<KeyValuePair<BrokerData, BrokerData>[]>(_obj!);

    internal bool IsV4Mapped => _a == V4MappedHigh && (_b & 0xFFFF_FFFF_0000_0000UL) == V4MappedLowPrefix;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ExpectKind(BrokerDataKind kind)
    {
        if (_kind != kind)
        {
            ThrowTypeClash(kind, _kind);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowTypeClash(BrokerDataKind expected, BrokerDataKind actual) => throw new BrokerTypeException(expected, actual);

    private BrokerData Expect(BrokerDataKind kind)
    {
        if (_kind != kind)
        {
            throw new BrokerTypeException(kind, _kind);
        }

        return this;
    }

    private static IPAddress ToIPAddress(ulong hi, ulong lo)
    {
        if (hi == V4MappedHigh && (lo & 0xFFFF_FFFF_0000_0000UL) == V4MappedLowPrefix)
        {
            return new IPAddress(BinaryPrimitives.ReverseEndianness((uint)lo));
        }

        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, hi);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], lo);
        return new IPAddress(bytes);
    }

    private static long FloorDiv(long a, long b)
    {
        long q = a / b;
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
    }
}

/// <summary>A <see cref="BrokerData"/> was read as a type it does not have.</summary>
public sealed class BrokerTypeException : BrokerException
{
    /// <summary>Creates an exception.</summary>
    /// <param name="expected">The type that was asked for.</param>
    /// <param name="actual">The type the value has.</param>
    public BrokerTypeException(BrokerDataKind expected, BrokerDataKind actual)
        : base(BrokerErrorCode.TypeClash, $"Expected a Broker {BrokerData.KindName(expected)} but the value is a {BrokerData.KindName(actual)}.")
    {
        Expected = expected;
        Actual = actual;
    }

    /// <summary>The type that was asked for.</summary>
    public BrokerDataKind Expected { get; }

    /// <summary>The type the value has.</summary>
    public BrokerDataKind Actual { get; }
}
