using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Broker.Data;
using Broker.Errors;

namespace Broker.Serialization.Json;

/// <summary>Converts parsed JSON nodes to Broker data, accepting input exactly as Broker's server did (spec §6.3).</summary>
internal static class BrokerJsonReader
{
    internal const string InvalidData = "contained invalid data";
    internal const string ExpectedObject = "expected a JSON object";
    internal const string DuplicateElement = "caused an internal error -> deserialization_failed(\"failed to parse data\")";

    private static BrokerDecodeException Invalid() => new(InvalidData);

    /// <summary>Reads a value object <c>{"@data-type":…,"data":…}</c>.</summary>
    public static BrokerData ToData(JsonNode node)
    {
        if (node.Kind != JsonNodeKind.Object)
        {
            throw Invalid();
        }

        var type = node.Get("@data-type"u8);
        if (type is null || type.Kind != JsonNodeKind.String)
        {
            throw Invalid();
        }

        ReadOnlySpan<byte> name = type.Bytes;
        var data = node.Get("data"u8);
        if (name.SequenceEqual("none"u8))
        {
            return BrokerData.None; // only the type name is checked, as in Broker
        }

        if (data is null)
        {
            throw Invalid();
        }

        switch (name.Length)
        {
            case 3 when name.SequenceEqual("set"u8):
                return ReadSet(data);
            case 4 when name.SequenceEqual("port"u8):
                return ReadPort(data);
            case 5 when name.SequenceEqual("count"u8):
                if (data.Kind != JsonNodeKind.Integer || data.Negative) throw Invalid();
                return BrokerData.Count(data.Bits);
            case 5 when name.SequenceEqual("table"u8):
                return ReadTable(data);
            case 6 when name.SequenceEqual("string"u8):
                if (data.Kind != JsonNodeKind.String) throw Invalid();
                return BrokerData.FromStringBytes(data.Bytes!);
            case 6 when name.SequenceEqual("vector"u8):
                return BrokerData.FromVectorArray(ReadElements(data));
            case 6 when name.SequenceEqual("subnet"u8):
                return ReadSubnet(data);
            case 4 when name.SequenceEqual("real"u8):
                return ReadReal(data);
            case 7 when name.SequenceEqual("boolean"u8):
                return data.Kind switch
                {
                    JsonNodeKind.True => BrokerData.Boolean(true),
                    JsonNodeKind.False => BrokerData.Boolean(false),
                    _ => throw Invalid(),
                };
            case 7 when name.SequenceEqual("integer"u8):
                if (data.Kind != JsonNodeKind.Integer || (!data.Negative && data.Bits > long.MaxValue)) throw Invalid();
                return BrokerData.Integer(unchecked((long)data.Bits));
            case 7 when name.SequenceEqual("address"u8):
                return ReadAddress(data);
            case 8 when name.SequenceEqual("timespan"u8):
                if (data.Kind != JsonNodeKind.String || !TryParseTimespan(data.Bytes!, out long span)) throw Invalid();
                return BrokerData.Timespan(span);
            case 9 when name.SequenceEqual("timestamp"u8):
                if (data.Kind != JsonNodeKind.String || !TryParseTimestamp(data.Bytes!, out long ts)) throw Invalid();
                return BrokerData.Timestamp(ts);
            case 10 when name.SequenceEqual("enum-value"u8):
                if (data.Kind != JsonNodeKind.String) throw Invalid();
                return BrokerData.FromEnumBytes(data.Bytes!);
            default:
                throw Invalid();
        }
    }

    private static BrokerData ReadReal(JsonNode data)
    {
        switch (data.Kind)
        {
            case JsonNodeKind.Double:
            case JsonNodeKind.NonFinite:
                return BrokerData.Real(data.Double);
            case JsonNodeKind.String:
                // Our own valid-JSON spelling of non-finite reals; any other string is invalid, as in Broker.
                ReadOnlySpan<byte> s = data.Bytes;
                if (s.SequenceEqual("nan"u8)) return BrokerData.Real(double.NaN);
                if (s.SequenceEqual("inf"u8)) return BrokerData.Real(double.PositiveInfinity);
                if (s.SequenceEqual("-inf"u8)) return BrokerData.Real(double.NegativeInfinity);
                throw Invalid();
            default:
                // An integer literal is not a real: CAF stores it as an integer and Broker wants a double.
                throw Invalid();
        }
    }

    private static BrokerData[] ReadElements(JsonNode data)
    {
        if (data.Kind != JsonNodeKind.Array)
        {
            throw Invalid();
        }

        var items = data.Items!;
        var result = items.Length == 0 ? Array.Empty<BrokerData>() : new BrokerData[items.Length];
        for (int i = 0; i < items.Length; i++)
        {
            result[i] = ToData(items[i]);
        }

        return result;
    }

    private static BrokerData ReadSet(JsonNode data)
    {
        var elements = ReadElements(data);
        int count = elements.Length;
        var set = BrokerData.FromSetArray(elements);
        if (set.Length != count)
        {
            // Broker rejects duplicates (its set insert fails) with this exact context.
            throw new BrokerDecodeException(DuplicateElement);
        }

        return set;
    }

    private static BrokerData ReadTable(JsonNode data)
    {
        if (data.Kind != JsonNodeKind.Array)
        {
            throw Invalid();
        }

        var items = data.Items!;
        var entries = new KeyValuePair<BrokerData, BrokerData>[items.Length];
        for (int i = 0; i < items.Length; i++)
        {
            var item = items[i];
            if (item.Kind != JsonNodeKind.Object)
            {
                throw Invalid();
            }

            var key = item.Get("key"u8);
            var value = item.Get("value"u8);
            if (key is null || value is null)
            {
                throw Invalid();
            }

            entries[i] = new(ToData(key), ToData(value));
        }

        var table = BrokerData.FromTableArray(entries);
        if (table.Length != items.Length)
        {
            throw new BrokerDecodeException(DuplicateElement);
        }

        return table;
    }

    private static BrokerData ReadAddress(JsonNode data)
    {
        if (data.Kind != JsonNodeKind.String || !TryParseAddress(data.Bytes!, out var address))
        {
            throw Invalid();
        }

        return BrokerData.Address(address);
    }

    private static BrokerData ReadSubnet(JsonNode data)
    {
        if (data.Kind != JsonNodeKind.String)
        {
            throw Invalid();
        }

        ReadOnlySpan<byte> text = data.Bytes;
        int slash = text.LastIndexOf((byte)'/');
        if (slash < 0 || !TryParseAddress(text[..slash], out var address) || !TryParseSmallNumber(text[(slash + 1)..], 255, out int length))
        {
            throw Invalid();
        }

        // Broker parses 0..255 and turns an out-of-range length into the default subnet ::/0.
        Span<byte> bytes = stackalloc byte[16];
        bool v4 = address.AddressFamily == AddressFamily.InterNetwork;
        if (v4)
        {
            bytes[10] = 0xFF;
            bytes[11] = 0xFF;
            address.TryWriteBytes(bytes[12..], out _);
        }
        else
        {
            address.TryWriteBytes(bytes, out _);
        }

        int max = v4 ? 32 : 128;
        if (length > max)
        {
            return BrokerData.SubnetFromRaw(stackalloc byte[16], 0);
        }

        return BrokerData.SubnetFromRaw(bytes, (byte)(v4 ? length + 96 : length));
    }

    private static BrokerData ReadPort(JsonNode data)
    {
        if (data.Kind != JsonNodeKind.String)
        {
            throw Invalid();
        }

        ReadOnlySpan<byte> text = data.Bytes;
        int slash = text.IndexOf((byte)'/');
        var numberText = slash < 0 ? text : text[..slash];
        if (!TryParseSmallNumber(numberText, uint.MaxValue, out long number))
        {
            throw Invalid();
        }

        var protocol = PortProtocol.Tcp; // a bare number means tcp
        if (slash >= 0)
        {
            var p = text[(slash + 1)..];
            if (p.SequenceEqual("tcp"u8)) protocol = PortProtocol.Tcp;
            else if (p.SequenceEqual("udp"u8)) protocol = PortProtocol.Udp;
            else if (p.SequenceEqual("icmp"u8)) protocol = PortProtocol.Icmp;
            else if (p.SequenceEqual("?"u8)) protocol = PortProtocol.Unknown;
            else throw Invalid();
        }

        // Broker stores the number in a uint16 without a range check: 70000/tcp becomes 4464/tcp.
        return BrokerData.Port(unchecked((ushort)number), protocol);
    }

    private static bool TryParseSmallNumber(ReadOnlySpan<byte> text, long max, out long value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > 10)
        {
            return false;
        }

        foreach (byte c in text)
        {
            if ((uint)(c - '0') > 9) return false;
            value = value * 10 + (c - '0');
        }

        return value <= max;
    }

    private static bool TryParseSmallNumber(ReadOnlySpan<byte> text, int max, out int value)
    {
        bool ok = TryParseSmallNumber(text, (long)max, out long v);
        value = (int)v;
        return ok;
    }

    /// <summary>Parses an address strictly like <c>inet_pton</c>: dotted quad, or IPv6 text (v4-mapped becomes v4).</summary>
    internal static bool TryParseAddress(ReadOnlySpan<byte> text, out IPAddress address)
    {
        address = IPAddress.None;
        if (text.IsEmpty || text.Length > 45)
        {
            return false;
        }

        if (text.IndexOf((byte)':') < 0)
        {
            // .NET's IPv4 parser accepts "1", hex and octal forms; inet_pton accepts only a dotted decimal quad.
            Span<byte> quad = stackalloc byte[4];
            int part = 0, digits = 0, acc = 0;
            foreach (byte c in text)
            {
                if (c == (byte)'.')
                {
                    if (digits == 0 || part == 3) return false;
                    quad[part++] = (byte)acc;
                    acc = 0;
                    digits = 0;
                }
                else if ((uint)(c - '0') <= 9)
                {
                    if (digits > 0 && acc == 0) return false; // leading zero
                    acc = acc * 10 + (c - '0');
                    if (acc > 255) return false;
                    digits++;
                }
                else
                {
                    return false;
                }
            }

            if (digits == 0 || part != 3) return false;
            quad[3] = (byte)acc;
            address = new IPAddress(quad);
            return true;
        }

        foreach (byte c in text)
        {
            // No zone ids, brackets or spaces.
            if (!(char.IsAsciiHexDigit((char)c) || c == (byte)':' || c == (byte)'.')) return false;
        }

        Span<char> chars = stackalloc char[text.Length];
        for (int i = 0; i < text.Length; i++) chars[i] = (char)text[i];
        if (!IPAddress.TryParse(chars, out var parsed) || parsed.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return false;
        }

        address = parsed.IsIPv4MappedToIPv6 ? parsed.MapToIPv4() : parsed;
        return true;
    }

    /// <summary>Parses <c>[-]digits[.digits]unit</c> with unit ns, us, ms, s, min or h (not d, as in Broker).</summary>
    internal static bool TryParseTimespan(ReadOnlySpan<byte> text, out long ns)
    {
        ns = 0;
        int i = 0;
        if (i < text.Length && text[i] == (byte)'-') i++;
        int digitsStart = i;
        while (i < text.Length && ((uint)(text[i] - '0') <= 9 || text[i] == (byte)'.')) i++;
        if (i == digitsStart || i - digitsStart > 40) return false;
        var numberText = text[..i];
        var unit = text[i..];
        long factor;
        if (unit.SequenceEqual("ns"u8)) factor = 1;
        else if (unit.SequenceEqual("us"u8)) factor = 1_000;
        else if (unit.SequenceEqual("ms"u8)) factor = 1_000_000;
        else if (unit.SequenceEqual("s"u8)) factor = 1_000_000_000;
        else if (unit.SequenceEqual("min"u8)) factor = 60_000_000_000;
        else if (unit.SequenceEqual("h"u8)) factor = 3_600_000_000_000;
        else return false;

        if (numberText[^1] == (byte)'.' || numberText[digitsStart] == (byte)'.')
        {
            return false;
        }

        if (!decimal.TryParse(numberText, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal value))
        {
            return false;
        }

        try
        {
            ns = (long)decimal.Truncate(value * factor);
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    /// <summary>Parses ISO 8601 <c>YYYY-MM-DDThh:mm:ss[.fraction][Z|±hh:mm]</c>; no zone means UTC.</summary>
    internal static bool TryParseTimestamp(ReadOnlySpan<byte> text, out long ns)
    {
        ns = 0;
        if (text.Length < 19 || text[4] != (byte)'-' || text[7] != (byte)'-' || text[10] != (byte)'T' || text[13] != (byte)':' || text[16] != (byte)':')
        {
            return false;
        }

        if (!Digits(text, 0, 4, out int year) || !Digits(text, 5, 2, out int month) || !Digits(text, 8, 2, out int day) ||
            !Digits(text, 11, 2, out int hour) || !Digits(text, 14, 2, out int minute) || !Digits(text, 17, 2, out int second))
        {
            return false;
        }

        int i = 19;
        long fractionNs = 0;
        if (i < text.Length && text[i] == (byte)'.')
        {
            i++;
            int start = i;
            long scale = 100_000_000;
            while (i < text.Length && (uint)(text[i] - '0') <= 9)
            {
                fractionNs += (text[i] - '0') * scale; // digits beyond nanoseconds are dropped
                scale /= 10;
                i++;
            }

            if (i == start) return false;
        }

        long offsetSeconds = 0;
        if (i < text.Length)
        {
            byte z = text[i];
            if (z == (byte)'Z' && i + 1 == text.Length)
            {
                i++;
            }
            else if ((z == (byte)'+' || z == (byte)'-') && text.Length - i == 6 && text[i + 3] == (byte)':' &&
                     Digits(text, i + 1, 2, out int oh) && Digits(text, i + 4, 2, out int om) && oh < 24 && om < 60)
            {
                offsetSeconds = (oh * 3600 + om * 60) * (z == (byte)'-' ? -1 : 1);
                i += 6;
            }
            else
            {
                return false;
            }
        }

        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(Math.Max(1, year), month) || hour > 23 || minute > 59 || second > 60 || year < 1)
        {
            return false;
        }

        try
        {
            var local = new DateTime(year, month, day, hour, minute, 0, DateTimeKind.Utc);
            long seconds = (local.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerSecond + second - offsetSeconds;
            ns = checked(seconds * 1_000_000_000 + fractionNs);
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    private static bool Digits(ReadOnlySpan<byte> text, int start, int count, out int value)
    {
        value = 0;
        for (int i = start; i < start + count; i++)
        {
            if ((uint)(text[i] - '0') > 9) return false;
            value = value * 10 + (text[i] - '0');
        }

        return true;
    }

    /// <summary>The text of a JSON string node, or null.</summary>
    internal static string? Text(JsonNode? node) =>
        node is { Kind: JsonNodeKind.String } ? Encoding.UTF8.GetString(node.Bytes!) : null;
}
