using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Unicode;
using Broker.Data;

namespace Broker.Serialization.Json;

/// <summary>
/// Writes Broker's JSON byte for byte (compact, fixed key order, <c>%f</c> reals, millisecond timestamps). Hand-written
/// because <c>Utf8JsonWriter</c> escapes differently (it escapes non-ASCII and <c>&lt;</c>, never writes <c>%f</c>).
/// </summary>
internal static class BrokerJsonWriter
{
    public static void WriteValue(IBufferWriter<byte> w, in BrokerData value, BrokerJsonOptions options)
    {
        Raw(w, "{\"@data-type\":"u8);
        WriteTypeAndData(w, value, options);
        Raw(w, "}"u8);
    }

    /// <summary>Writes <c>"type-name","data":payload</c> (everything after <c>"@data-type":</c>).</summary>
    public static void WriteTypeAndData(IBufferWriter<byte> w, in BrokerData value, BrokerJsonOptions options)
    {
        switch (value.Kind)
        {
            case BrokerDataKind.None:
                Raw(w, "\"none\",\"data\":{}"u8);
                break;
            case BrokerDataKind.Boolean:
                Raw(w, value.RawBits != 0 ? "\"boolean\",\"data\":true"u8 : "\"boolean\",\"data\":false"u8);
                break;
            case BrokerDataKind.Count:
                Raw(w, "\"count\",\"data\":"u8);
                Format(w, value.RawBits);
                break;
            case BrokerDataKind.Integer:
                Raw(w, "\"integer\",\"data\":"u8);
                Format(w, unchecked((long)value.RawBits));
                break;
            case BrokerDataKind.Real:
                Raw(w, "\"real\",\"data\":"u8);
                WriteReal(w, BitConverter.UInt64BitsToDouble(value.RawBits), options);
                break;
            case BrokerDataKind.String:
                Raw(w, "\"string\",\"data\":"u8);
                WriteString(w, value.RawBytes, options.BrokerInvalidJson);
                break;
            case BrokerDataKind.EnumValue:
                Raw(w, "\"enum-value\",\"data\":"u8);
                WriteString(w, value.RawBytes, options.BrokerInvalidJson);
                break;
            case BrokerDataKind.Address:
                Raw(w, "\"address\",\"data\":\""u8);
                WriteAddress(w, value.AddressHigh, value.AddressLow);
                Raw(w, "\""u8);
                break;
            case BrokerDataKind.Subnet:
            {
                Raw(w, "\"subnet\",\"data\":\""u8);
                bool v4 = WriteAddress(w, value.AddressHigh, value.AddressLow);
                Raw(w, "/"u8);
                Format(w, (ulong)(v4 ? value.Aux - 96 : value.Aux));
                Raw(w, "\""u8);
                break;
            }

            case BrokerDataKind.Port:
            {
                Raw(w, "\"port\",\"data\":\""u8);
                Format(w, value.RawBits);
                Raw(w, (PortProtocol)value.Aux switch
                {
                    PortProtocol.Tcp => "/tcp\""u8,
                    PortProtocol.Udp => "/udp\""u8,
                    PortProtocol.Icmp => "/icmp\""u8,
                    _ => "/?\""u8,
                });
                break;
            }

            case BrokerDataKind.Timestamp:
                Raw(w, "\"timestamp\",\"data\":\""u8);
                WriteTimestamp(w, unchecked((long)value.RawBits), options.FullPrecision);
                Raw(w, "\""u8);
                break;
            case BrokerDataKind.Timespan:
                Raw(w, "\"timespan\",\"data\":\""u8);
                WriteTimespan(w, unchecked((long)value.RawBits));
                Raw(w, "\""u8);
                break;
            case BrokerDataKind.Set:
                Raw(w, "\"set\",\"data\":"u8);
                WriteArray(w, value.RawElements, options);
                break;
            case BrokerDataKind.Vector:
                Raw(w, "\"vector\",\"data\":"u8);
                WriteArray(w, value.RawElements, options);
                break;
            case BrokerDataKind.Table:
            {
                Raw(w, "\"table\",\"data\":["u8);
                var entries = value.RawEntries;
                for (int i = 0; i < entries.Length; i++)
                {
                    Raw(w, i == 0 ? "{\"key\":"u8 : ",{\"key\":"u8);
                    WriteValue(w, entries[i].Key, options);
                    Raw(w, ",\"value\":"u8);
                    WriteValue(w, entries[i].Value, options);
                    Raw(w, "}"u8);
                }

                Raw(w, "]"u8);
                break;
            }

            default:
                throw new ArgumentException($"Unknown Broker data kind {value.Kind}.", nameof(value));
        }
    }

    private static void WriteArray(IBufferWriter<byte> w, ReadOnlySpan<BrokerData> elements, BrokerJsonOptions options)
    {
        Raw(w, "["u8);
        for (int i = 0; i < elements.Length; i++)
        {
            if (i > 0)
            {
                Raw(w, ","u8);
            }

            WriteValue(w, elements[i], options);
        }

        Raw(w, "]"u8);
    }

    public static void Raw(IBufferWriter<byte> w, ReadOnlySpan<byte> bytes)
    {
        var span = w.GetSpan(bytes.Length);
        bytes.CopyTo(span);
        w.Advance(bytes.Length);
    }

    private static void Format(IBufferWriter<byte> w, ulong value)
    {
        var span = w.GetSpan(20);
        value.TryFormat(span, out int n, default, CultureInfo.InvariantCulture);
        w.Advance(n);
    }

    private static void Format(IBufferWriter<byte> w, long value)
    {
        var span = w.GetSpan(20);
        value.TryFormat(span, out int n, default, CultureInfo.InvariantCulture);
        w.Advance(n);
    }

    internal static void WriteReal(IBufferWriter<byte> w, double value, BrokerJsonOptions options)
    {
        if (!double.IsFinite(value))
        {
            ReadOnlySpan<byte> text = double.IsNaN(value) ? "nan"u8 : value > 0 ? "inf"u8 : "-inf"u8;
            if (options.BrokerInvalidJson)
            {
                Raw(w, text);
            }
            else
            {
                // JSON has no NaN/infinity; a string keeps the value readable (our reader accepts it back).
                Raw(w, "\""u8);
                Raw(w, text);
                Raw(w, "\""u8);
            }

            return;
        }

        if (options.FullPrecision)
        {
            var span = w.GetSpan(32);
            value.TryFormat(span, out int n, "R", CultureInfo.InvariantCulture);
            // Broker reads a literal without fraction or exponent as an integer, so keep it recognisably real.
            if (span[..n].IndexOfAny((byte)'.', (byte)'E') < 0)
            {
                ".0"u8.CopyTo(span[n..]);
                n += 2;
            }

            w.Advance(n);
            return;
        }

        // C's %f: six decimals, exact decimal expansion for large magnitudes, "-0.000000" for negative values that round to 0.
        var dest = w.GetSpan(330);
        value.TryFormat(dest, out int written, "F6", CultureInfo.InvariantCulture);
        if (double.IsNegative(value) && dest[0] != (byte)'-')
        {
            dest[..written].CopyTo(dest[1..]);
            dest[0] = (byte)'-';
            written++;
        }

        w.Advance(written);
    }

    /// <summary>Writes a JSON string the way Broker does: only <c>\\ \" \b \f \n \r \t</c> (and, for Broker, <c>\v</c>) escaped.</summary>
    internal static void WriteString(IBufferWriter<byte> w, ReadOnlySpan<byte> bytes, bool brokerInvalidJson)
    {
        Raw(w, "\""u8);
        bool validUtf8 = brokerInvalidJson || Utf8.IsValid(bytes);
        int runStart = 0;
        for (int i = 0; i < bytes.Length; i++)
        {
            byte c = bytes[i];
            ReadOnlySpan<byte> escape;
            if (c >= 0x20 && c != (byte)'"' && c != (byte)'\\')
            {
                if (c < 0x80 || validUtf8)
                {
                    continue;
                }

                // Invalid UTF-8 would make the text frame invalid: replace each bad sequence with U+FFFD.
                var status = Rune.DecodeFromUtf8(bytes[i..], out _, out int consumed);
                if (status == OperationStatus.Done)
                {
                    i += consumed - 1;
                    continue;
                }

                Raw(w, bytes[runStart..i]);
                Raw(w, "\xEF\xBF\xBD"u8);
                i += consumed - 1;
                runStart = i + 1;
                continue;
            }

            switch (c)
            {
                case (byte)'"': escape = "\\\""u8; break;
                case (byte)'\\': escape = "\\\\"u8; break;
                case 0x08: escape = "\\b"u8; break;
                case 0x0C: escape = "\\f"u8; break;
                case (byte)'\n': escape = "\\n"u8; break;
                case (byte)'\r': escape = "\\r"u8; break;
                case (byte)'\t': escape = "\\t"u8; break;
                case 0x0B when brokerInvalidJson: escape = "\\v"u8; break;
                default:
                    if (brokerInvalidJson)
                    {
                        continue; // Broker passes other control characters through raw
                    }

                    Raw(w, bytes[runStart..i]);
                    var span = w.GetSpan(6);
                    "\\u00"u8.CopyTo(span);
                    span[4] = Hex(c >> 4);
                    span[5] = Hex(c & 0xF);
                    w.Advance(6);
                    runStart = i + 1;
                    continue;
            }

            Raw(w, bytes[runStart..i]);
            Raw(w, escape);
            runStart = i + 1;
        }

        Raw(w, bytes[runStart..]);
        Raw(w, "\""u8);
    }

    internal static void WriteString(IBufferWriter<byte> w, string text)
    {
        byte[]? rented = null;
        int max = Encoding.UTF8.GetMaxByteCount(text.Length);
        Span<byte> buffer = max <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(max));
        int n = Encoding.UTF8.GetBytes(text, buffer);
        WriteString(w, buffer[..n], brokerInvalidJson: false);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static byte Hex(int nibble) => (byte)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);

    /// <summary>Writes an address (dotted quad for v4-mapped); returns true when it was IPv4.</summary>
    private static bool WriteAddress(IBufferWriter<byte> w, ulong hi, ulong lo)
    {
        if (hi == 0 && (lo & 0xFFFF_FFFF_0000_0000UL) == 0x0000_FFFF_0000_0000UL)
        {
            var span = w.GetSpan(15);
            int n = 0;
            for (int shift = 24; shift >= 0; shift -= 8)
            {
                if (shift != 24)
                {
                    span[n++] = (byte)'.';
                }

                ((byte)(lo >> shift)).TryFormat(span[n..], out int k, default, CultureInfo.InvariantCulture);
                n += k;
            }

            w.Advance(n);
            return true;
        }

        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, hi);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], lo);
        var text = new IPAddress(bytes).ToString();
        var dest = w.GetSpan(text.Length);
        int written = Encoding.ASCII.GetBytes(text, dest);
        w.Advance(written);
        return false;
    }

    private const long NanosPerSecond = 1_000_000_000;

    internal static void WriteTimestamp(IBufferWriter<byte> w, long ns, bool fullPrecision)
    {
        long seconds, fraction;
        if (fullPrecision)
        {
            seconds = Math.DivRem(ns, NanosPerSecond, out fraction);
            if (fraction < 0)
            {
                seconds--;
                fraction += NanosPerSecond;
            }
        }
        else
        {
            // Broker truncates toward zero and prints a negative millisecond part as 000
            // (-1.5 s prints as 23:59:59.000, see golden broker_to_ws_extras); reproduced byte for byte.
            seconds = ns / NanosPerSecond;
            fraction = Math.Max(0, ns % NanosPerSecond) / 1_000_000;
        }

        var time = DateTime.UnixEpoch.AddSeconds(seconds);
        var span = w.GetSpan(32);
        time.TryFormat(span, out int n, "yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture);
        span[n++] = (byte)'.';
        fraction.TryFormat(span[n..], out int k, fullPrecision ? "D9" : "D3", CultureInfo.InvariantCulture);
        w.Advance(n + k);
    }

    internal static void WriteTimespan(IBufferWriter<byte> w, long ns)
    {
        ReadOnlySpan<byte> unit;
        long amount;
        if (ns == 0)
        {
            Raw(w, "0s"u8);
            return;
        }

        if (ns % NanosPerSecond == 0)
        {
            amount = ns / NanosPerSecond;
            unit = "s"u8;
        }
        else if (ns % 1_000_000 == 0)
        {
            amount = ns / 1_000_000;
            unit = "ms"u8;
        }
        else if (ns % 1_000 == 0)
        {
            amount = ns / 1_000;
            unit = "us"u8;
        }
        else
        {
            amount = ns;
            unit = "ns"u8;
        }

        Format(w, amount);
        Raw(w, unit);
    }
}
