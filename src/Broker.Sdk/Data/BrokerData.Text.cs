using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Text;

namespace Broker.Data;

/// <content>Broker's text form and conversions from and to natural .NET types.</content>
public readonly partial struct BrokerData
{
    /// <summary>
    /// Broker's <c>to_string</c> form: <c>nil</c>, <c>T</c>/<c>F</c>, reals with six decimals, raw string text,
    /// <c>80/tcp</c>, timestamps and timespans as <c>&lt;n&gt;ns</c>, sets <c>{a, b}</c>, tables
    /// <c>{k -&gt; v}</c> and vectors <c>(a, b)</c>.
    /// </summary>
    /// <returns>The text form.</returns>
    public override string ToString()
    {
        var builder = new StringBuilder();
        AppendTo(builder);
        return builder.ToString();
    }

    /// <summary>Appends Broker's text form to a builder.</summary>
    /// <param name="builder">The builder.</param>
    public void AppendTo(StringBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        switch (_kind)
        {
            case BrokerDataKind.None:
                builder.Append("nil");
                break;
            case BrokerDataKind.Boolean:
                builder.Append(_a != 0 ? 'T' : 'F');
                break;
            case BrokerDataKind.Count:
                builder.Append(_a.ToString(CultureInfo.InvariantCulture));
                break;
            case BrokerDataKind.Integer:
                builder.Append(unchecked((long)_a).ToString(CultureInfo.InvariantCulture));
                break;
            case BrokerDataKind.Real:
                builder.Append(FormatReal(BitConverter.UInt64BitsToDouble(_a)));
                break;
            case BrokerDataKind.String:
            case BrokerDataKind.EnumValue:
                builder.Append(Encoding.UTF8.GetString((byte[])_obj!));
                break;
            case BrokerDataKind.Address:
                AppendAddress(builder, _a, _b);
                break;
            case BrokerDataKind.Subnet:
                AppendAddress(builder, _a, _b);
                builder.Append('/').Append(IsV4Mapped ? _aux - 96 : _aux);
                break;
            case BrokerDataKind.Port:
                builder.Append(AsPort().ToString());
                break;
            case BrokerDataKind.Timestamp:
            case BrokerDataKind.Timespan:
                builder.Append(unchecked((long)_a).ToString(CultureInfo.InvariantCulture)).Append("ns");
                break;
            case BrokerDataKind.Set:
                AppendSequence(builder, RawElements, '{', '}');
                break;
            case BrokerDataKind.Vector:
                AppendSequence(builder, RawElements, '(', ')');
                break;
            case BrokerDataKind.Table:
            {
                builder.Append('{');
                var entries = (KeyValuePair<BrokerData, BrokerData>[])_obj!;
                for (int i = 0; i < entries.Length; i++)
                {
                    if (i > 0) builder.Append(", ");
                    entries[i].Key.AppendTo(builder);
                    builder.Append(" -> ");
                    entries[i].Value.AppendTo(builder);
                }

                builder.Append('}');
                break;
            }
        }
    }

    /// <summary>Formats a real as C's <c>%f</c> does (six decimals; <c>nan</c>, <c>inf</c>, <c>-inf</c>).</summary>
    /// <param name="value">The value.</param>
    /// <returns>The text.</returns>
    public static string FormatReal(double value)
    {
        if (double.IsNaN(value)) return "nan";
        if (double.IsPositiveInfinity(value)) return "inf";
        if (double.IsNegativeInfinity(value)) return "-inf";

        // "F6" rounds exactly like %f for the shortest round-trippable digits; large magnitudes need the exact
        // decimal expansion, which decimal formatting of the double gives via "F6" on .NET Core 3.0+.
        string text = value.ToString("F6", CultureInfo.InvariantCulture);
        if (value == 0 && double.IsNegative(value) && text[0] != '-')
        {
            text = "-" + text;
        }

        return text;
    }

    /// <summary>The name Broker uses for a type, e.g. <c>enum_value</c>.</summary>
    /// <param name="kind">The type.</param>
    /// <returns>The name.</returns>
    public static string KindName(BrokerDataKind kind) => kind switch
    {
        BrokerDataKind.None => "none",
        BrokerDataKind.Boolean => "boolean",
        BrokerDataKind.Count => "count",
        BrokerDataKind.Integer => "integer",
        BrokerDataKind.Real => "real",
        BrokerDataKind.String => "string",
        BrokerDataKind.Address => "address",
        BrokerDataKind.Subnet => "subnet",
        BrokerDataKind.Port => "port",
        BrokerDataKind.Timestamp => "timestamp",
        BrokerDataKind.Timespan => "timespan",
        BrokerDataKind.EnumValue => "enum_value",
        BrokerDataKind.Set => "set",
        BrokerDataKind.Table => "table",
        BrokerDataKind.Vector => "vector",
        _ => "unknown",
    };

    // Broker prints addresses with inet_ntop: dotted quad for v4-mapped addresses, and for IPv6 glibc's rules
    // (RFC 5952 compression, but an embedded dotted quad only for ::a.b.c.d), which differ from IPAddress.ToString.
    private static void AppendAddress(StringBuilder builder, ulong hi, ulong lo)
    {
        if (hi == V4MappedHigh && (lo & 0xFFFF_FFFF_0000_0000UL) == V4MappedLowPrefix)
        {
            AppendDottedQuad(builder, (uint)lo);
            return;
        }

        Span<ushort> words = stackalloc ushort[8];
        for (int i = 0; i < 4; i++)
        {
            words[i] = (ushort)(hi >> (48 - (16 * i)));
            words[i + 4] = (ushort)(lo >> (48 - (16 * i)));
        }

        // The longest run of zero words (the first of equal runs), compressed only when at least two long.
        int bestBase = -1, bestLength = 0;
        for (int i = 0; i < 8;)
        {
            if (words[i] != 0)
            {
                i++;
                continue;
            }

            int start = i;
            while (i < 8 && words[i] == 0) i++;
            if (i - start > bestLength)
            {
                bestBase = start;
                bestLength = i - start;
            }
        }

        if (bestLength < 2)
        {
            bestBase = -1;
        }

        for (int i = 0; i < 8; i++)
        {
            if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLength)
            {
                if (i == bestBase) builder.Append(':');
                continue;
            }

            if (i != 0) builder.Append(':');
            if (i == 6 && bestBase == 0 && bestLength == 6)
            {
                AppendDottedQuad(builder, (uint)lo);
                return;
            }

            builder.Append(words[i].ToString("x", CultureInfo.InvariantCulture));
        }

        if (bestBase >= 0 && bestBase + bestLength == 8)
        {
            builder.Append(':');
        }
    }

    private static void AppendDottedQuad(StringBuilder builder, uint v4)
    {
        builder.Append(v4 >> 24).Append('.').Append((v4 >> 16) & 0xFF).Append('.').Append((v4 >> 8) & 0xFF).Append('.').Append(v4 & 0xFF);
    }

    private static void AppendSequence(StringBuilder builder, ReadOnlySpan<BrokerData> elements, char open, char close)
    {
        builder.Append(open);
        for (int i = 0; i < elements.Length; i++)
        {
            if (i > 0) builder.Append(", ");
            elements[i].AppendTo(builder);
        }

        builder.Append(close);
    }

    // ----------------------------------------------------------------------------------- conversions

    /// <summary>A boolean.</summary>
    /// <param name="value">The value.</param>
    public static implicit operator BrokerData(bool value) => Boolean(value);

    /// <summary>A count.</summary>
    /// <param name="value">The value.</param>
    public static implicit operator BrokerData(ulong value) => Count(value);

    /// <summary>A count (unsigned types map to Broker's count).</summary>
    /// <param name="value">The value.</param>
    public static implicit operator BrokerData(uint value) => Count(value);

    /// <summary>An integer (signed types map to Broker's integer).</summary>
    /// <param name="value">The value.</param>
    public static implicit operator BrokerData(int value) => Integer(value);

    /// <summary>An integer.</summary>
    /// <param name="value">The value.</param>
    public static implicit operator BrokerData(long value) => Integer(value);

    /// <summary>A real.</summary>
    /// <param name="value">The value.</param>
    public static implicit operator BrokerData(double value) => Real(value);

    /// <summary>A string (UTF-8), or nil for null.</summary>
    /// <param name="value">The value.</param>
    public static implicit operator BrokerData(string? value) => value is null ? None : String(value);

    /// <summary>An address, or nil for null.</summary>
    /// <param name="value">The value.</param>
    public static implicit operator BrokerData(IPAddress? value) => value is null ? None : Address(value);

    /// <summary>A subnet.</summary>
    /// <param name="value">The value.</param>
    public static implicit operator BrokerData(IPNetwork value) => Subnet(value);

    /// <summary>A port.</summary>
    /// <param name="value">The value.</param>
    public static implicit operator BrokerData(BrokerPort value) => Port(value);

    /// <summary>A timestamp.</summary>
    /// <param name="value">The value.</param>
    public static implicit operator BrokerData(DateTimeOffset value) => Timestamp(value);

    /// <summary>A timespan.</summary>
    /// <param name="value">The value.</param>
    public static implicit operator BrokerData(TimeSpan value) => Timespan(value);

    /// <summary>A vector sharing the array.</summary>
    /// <param name="value">The value.</param>
    public static implicit operator BrokerData(ImmutableArray<BrokerData> value) => Vector(value);

    /// <summary>The count value.</summary>
    /// <param name="value">The Broker value.</param>
    public static explicit operator ulong(BrokerData value) => value.AsCount();

    /// <summary>The integer value.</summary>
    /// <param name="value">The Broker value.</param>
    public static explicit operator long(BrokerData value) => value.AsInteger();

    /// <summary>The real value.</summary>
    /// <param name="value">The Broker value.</param>
    public static explicit operator double(BrokerData value) => value.AsReal();

    /// <summary>The boolean value.</summary>
    /// <param name="value">The Broker value.</param>
    public static explicit operator bool(BrokerData value) => value.AsBoolean();

    /// <summary>The string value.</summary>
    /// <param name="value">The Broker value.</param>
    public static explicit operator string(BrokerData value) => value.AsString();

    /// <summary>The address value.</summary>
    /// <param name="value">The Broker value.</param>
    public static explicit operator IPAddress(BrokerData value) => value.AsAddress();

    /// <summary>The subnet value.</summary>
    /// <param name="value">The Broker value.</param>
    public static explicit operator IPNetwork(BrokerData value) => value.AsSubnet();

    /// <summary>The port value.</summary>
    /// <param name="value">The Broker value.</param>
    public static explicit operator BrokerPort(BrokerData value) => value.AsPort();

    /// <summary>The timestamp value.</summary>
    /// <param name="value">The Broker value.</param>
    public static explicit operator DateTimeOffset(BrokerData value) => value.AsTimestamp();

    /// <summary>The timespan value.</summary>
    /// <param name="value">The Broker value.</param>
    public static explicit operator TimeSpan(BrokerData value) => value.AsTimespan();

    /// <summary>Converts a .NET value to Broker data by its runtime type (for dynamic callers; generated code avoids this).</summary>
    /// <param name="value">A bool, integer type (unsigned → count, signed → integer), double/float, string, byte[],
    /// IPAddress, IPNetwork, BrokerPort, DateTimeOffset, DateTime, TimeSpan, Enum (as enum_value), BrokerData,
    /// ISet (set), IDictionary (table), or IEnumerable (vector).</param>
    /// <returns>The Broker value.</returns>
    /// <exception cref="ArgumentException">The type has no Broker mapping.</exception>
    public static BrokerData FromObject(object? value)
    {
        switch (value)
        {
            case null: return None;
            case BrokerData d: return d;
            case bool b: return Boolean(b);
            case byte u8: return Count(u8);
            case ushort u16: return Count(u16);
            case uint u32: return Count(u32);
            case ulong u64: return Count(u64);
            case sbyte i8: return Integer(i8);
            case short i16: return Integer(i16);
            case int i32: return Integer(i32);
            case long i64: return Integer(i64);
            case float f: return Real(f);
            case double r: return Real(r);
            case string s: return String(s);
            case byte[] bytes: return String(bytes);
            case IPAddress a: return Address(a);
            case IPNetwork n: return Subnet(n);
            case BrokerPort p: return Port(p);
            case DateTimeOffset t: return Timestamp(t);
            case DateTime t: return Timestamp(new DateTimeOffset(t.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(t, DateTimeKind.Utc) : t));
            case TimeSpan ts: return Timespan(ts);
            case Enum e: return EnumValue(e.ToString());
            case System.Collections.IDictionary dict:
            {
                var entries = new List<KeyValuePair<BrokerData, BrokerData>>(dict.Count);
                foreach (System.Collections.DictionaryEntry entry in dict)
                {
                    entries.Add(new(FromObject(entry.Key), FromObject(entry.Value)));
                }

                return FromTableArray(entries.ToArray());
            }

            case System.Collections.IEnumerable sequence:
            {
                var elements = new List<BrokerData>();
                foreach (object? item in sequence)
                {
                    elements.Add(FromObject(item));
                }

                bool isSet = false;
                foreach (var itf in value.GetType().GetInterfaces())
                {
                    if (itf.IsGenericType && (itf.GetGenericTypeDefinition() == typeof(ISet<>) || itf.GetGenericTypeDefinition() == typeof(IReadOnlySet<>)))
                    {
                        isSet = true;
                        break;
                    }
                }

                return isSet ? FromSetArray(elements.ToArray()) : FromVectorArray(elements.ToArray());
            }

            default:
                throw new ArgumentException($"The .NET type {value.GetType()} has no Broker data mapping.", nameof(value));
        }
    }
}
