namespace Broker.Data;

/// <content>Broker's total order, equality and hashing (spec §1.2).</content>
public readonly partial struct BrokerData : IEquatable<BrokerData>, IComparable<BrokerData>, IComparable
{
    /// <summary>
    /// Broker's total order: first by type tag (so every count sorts before every integer), then by value.
    /// Strings and enum names compare byte-wise; addresses by their 16-byte form (so <c>::1 &lt; 10.0.0.1</c>);
    /// subnets by address then IPv6-relative length; ports by number then protocol; sets, tables and vectors
    /// lexicographically.
    /// </summary>
    /// <remarks>
    /// Reals: Broker uses IEEE comparison, under which NaN is unordered and silently corrupts sets. Here every
    /// NaN equals every other NaN and sorts <em>before</em> all other reals (as <see cref="double.CompareTo(double)"/>
    /// does), and <c>-0.0</c> equals <c>0.0</c>. The order is therefore total, and a set holds at most one NaN.
    /// </remarks>
    /// <param name="other">The other value.</param>
    /// <returns>Negative, zero or positive.</returns>
    public int CompareTo(BrokerData other)
    {
        if (_kind != other._kind)
        {
            return _kind < other._kind ? -1 : 1;
        }

        switch (_kind)
        {
            case BrokerDataKind.None:
                return 0;
            case BrokerDataKind.Boolean:
            case BrokerDataKind.Count:
                return _a.CompareTo(other._a);
            case BrokerDataKind.Integer:
            case BrokerDataKind.Timestamp:
            case BrokerDataKind.Timespan:
                return unchecked((long)_a).CompareTo(unchecked((long)other._a));
            case BrokerDataKind.Real:
                return CompareReal(BitConverter.UInt64BitsToDouble(_a), BitConverter.UInt64BitsToDouble(other._a));
            case BrokerDataKind.String:
            case BrokerDataKind.EnumValue:
                return ((byte[])_obj!).AsSpan().SequenceCompareTo((byte[])other._obj!);
            case BrokerDataKind.Address:
            case BrokerDataKind.Subnet:
            {
                int c = _a.CompareTo(other._a);
                if (c == 0) c = _b.CompareTo(other._b);
                return c != 0 ? c : _aux.CompareTo(other._aux);
            }

            case BrokerDataKind.Port:
            {
                int c = _a.CompareTo(other._a);
                return c != 0 ? c : _aux.CompareTo(other._aux);
            }

            case BrokerDataKind.Set:
            case BrokerDataKind.Vector:
                return CompareSequences(RawElements, other.RawElements);
            case BrokerDataKind.Table:
            {
                var x = (KeyValuePair<BrokerData, BrokerData>[])_obj!;
                var y = (KeyValuePair<BrokerData, BrokerData>[])other._obj!;
                int n = Math.Min(x.Length, y.Length);
                for (int i = 0; i < n; i++)
                {
                    int c = x[i].Key.CompareTo(y[i].Key);
                    if (c == 0) c = x[i].Value.CompareTo(y[i].Value);
                    if (c != 0) return c;
                }

                return x.Length.CompareTo(y.Length);
            }

            default:
                return 0;
        }
    }

    /// <inheritdoc />
    int IComparable.CompareTo(object? obj) => obj is BrokerData other ? CompareTo(other) : 1;

    /// <summary>Broker equality: same type and same value; <c>count(1) != integer(1)</c>.</summary>
    /// <param name="other">The other value.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(BrokerData other)
    {
        if (_kind != other._kind)
        {
            return false;
        }

        return _kind switch
        {
            BrokerDataKind.String or BrokerDataKind.EnumValue =>
                ReferenceEquals(_obj, other._obj) || ((byte[])_obj!).AsSpan().SequenceEqual((byte[])other._obj!),
            BrokerDataKind.Real => CompareTo(other) == 0,
            BrokerDataKind.Set or BrokerDataKind.Vector =>
                (ReferenceEquals(_obj, other._obj) && _a == other._a && _b == other._b) || CompareTo(other) == 0,
            BrokerDataKind.Table => ReferenceEquals(_obj, other._obj) || CompareTo(other) == 0,
            _ => _a == other._a && _b == other._b && _aux == other._aux,
        };
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is BrokerData other && Equals(other);

    /// <summary>A hash code consistent with <see cref="Equals(BrokerData)"/> (all NaNs, and ±0, hash alike).</summary>
    /// <returns>The hash code.</returns>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add((byte)_kind);
        switch (_kind)
        {
            case BrokerDataKind.Real:
            {
                double d = BitConverter.UInt64BitsToDouble(_a);
                hash.Add(double.IsNaN(d) ? double.NaN : d == 0 ? 0.0 : d);
                break;
            }

            case BrokerDataKind.String:
            case BrokerDataKind.EnumValue:
                hash.AddBytes((byte[])_obj!);
                break;
            case BrokerDataKind.Set:
            case BrokerDataKind.Vector:
                foreach (var element in RawElements)
                {
                    hash.Add(element.GetHashCode());
                }

                break;
            case BrokerDataKind.Table:
                foreach (var entry in (KeyValuePair<BrokerData, BrokerData>[])_obj!)
                {
                    hash.Add(entry.Key.GetHashCode());
                    hash.Add(entry.Value.GetHashCode());
                }

                break;
            default:
                hash.Add(_a);
                hash.Add(_b);
                hash.Add(_aux);
                break;
        }

        return hash.ToHashCode();
    }

    /// <summary>Broker equality.</summary>
    /// <param name="left">The left value.</param>
    /// <param name="right">The right value.</param>
    /// <returns>True when equal.</returns>
    public static bool operator ==(BrokerData left, BrokerData right) => left.Equals(right);

    /// <summary>Broker inequality.</summary>
    /// <param name="left">The left value.</param>
    /// <param name="right">The right value.</param>
    /// <returns>True when not equal.</returns>
    public static bool operator !=(BrokerData left, BrokerData right) => !left.Equals(right);

    /// <summary>Broker order.</summary>
    /// <param name="left">The left value.</param>
    /// <param name="right">The right value.</param>
    /// <returns>True when left sorts before right.</returns>
    public static bool operator <(BrokerData left, BrokerData right) => left.CompareTo(right) < 0;

    /// <summary>Broker order.</summary>
    /// <param name="left">The left value.</param>
    /// <param name="right">The right value.</param>
    /// <returns>True when left sorts after right.</returns>
    public static bool operator >(BrokerData left, BrokerData right) => left.CompareTo(right) > 0;

    /// <summary>Broker order.</summary>
    /// <param name="left">The left value.</param>
    /// <param name="right">The right value.</param>
    /// <returns>True when left does not sort after right.</returns>
    public static bool operator <=(BrokerData left, BrokerData right) => left.CompareTo(right) <= 0;

    /// <summary>Broker order.</summary>
    /// <param name="left">The left value.</param>
    /// <param name="right">The right value.</param>
    /// <returns>True when left does not sort before right.</returns>
    public static bool operator >=(BrokerData left, BrokerData right) => left.CompareTo(right) >= 0;

    private static int CompareReal(double x, double y)
    {
        // double.CompareTo: NaN == NaN, NaN below everything; -0.0 vs 0.0 must be equal, which CompareTo gives.
        return x == y ? 0 : x.CompareTo(y);
    }

    private static int CompareSequences(ReadOnlySpan<BrokerData> x, ReadOnlySpan<BrokerData> y)
    {
        int n = Math.Min(x.Length, y.Length);
        for (int i = 0; i < n; i++)
        {
            int c = x[i].CompareTo(y[i]);
            if (c != 0) return c;
        }

        return x.Length.CompareTo(y.Length);
    }
}

/// <summary>Broker's total order as an <see cref="IComparer{T}"/>, for sorted collections.</summary>
public sealed class BrokerDataComparer : IComparer<BrokerData>, IEqualityComparer<BrokerData>
{
    /// <summary>The single instance.</summary>
    public static readonly BrokerDataComparer Instance = new();

    private BrokerDataComparer()
    {
    }

    /// <inheritdoc />
    public int Compare(BrokerData x, BrokerData y) => x.CompareTo(y);

    /// <inheritdoc />
    public bool Equals(BrokerData x, BrokerData y) => x.Equals(y);

    /// <inheritdoc />
    public int GetHashCode(BrokerData obj) => obj.GetHashCode();
}
