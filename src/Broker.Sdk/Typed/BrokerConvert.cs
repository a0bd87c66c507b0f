using System.Collections.Immutable;
using System.Net;
using System.Runtime.InteropServices;
using Broker.Data;
using Broker.Zeek;

namespace Broker.Typed;

/// <summary>
/// Conversions between .NET values and <see cref="BrokerData"/> for every type the typed layer maps
/// (see <c>docs/typed-events.md</c>). Generated code calls these; they are strict — a count is never read as an
/// integer — and never use reflection. Decoders throw <see cref="BrokerTypeException"/> or
/// <see cref="BrokerConversionException"/>; <see cref="Member{T}"/> and <see cref="Arguments"/> add the event or
/// record context to the message.
/// </summary>
public static partial class BrokerConvert
{
    // ------------------------------------------------------------------ .NET -> Broker

    /// <summary>Encodes a boolean.</summary>
    /// <param name="value">The value.</param>
    /// <returns>A Broker boolean.</returns>
    public static BrokerData Encode(bool value) => BrokerData.Boolean(value);

    /// <summary>Encodes an unsigned integer as a count.</summary>
    /// <param name="value">The value.</param>
    /// <returns>A Broker count.</returns>
    public static BrokerData Encode(ulong value) => BrokerData.Count(value);

    /// <summary>Encodes an unsigned 32-bit integer as a count.</summary>
    /// <param name="value">The value.</param>
    /// <returns>A Broker count.</returns>
    public static BrokerData Encode(uint value) => BrokerData.Count(value);

    /// <summary>Encodes an unsigned 16-bit integer as a count.</summary>
    /// <param name="value">The value.</param>
    /// <returns>A Broker count.</returns>
    public static BrokerData Encode(ushort value) => BrokerData.Count(value);

    /// <summary>Encodes a byte as a count.</summary>
    /// <param name="value">The value.</param>
    /// <returns>A Broker count.</returns>
    public static BrokerData Encode(byte value) => BrokerData.Count(value);

    /// <summary>Encodes a signed 16-bit integer as an integer.</summary>
    /// <param name="value">The value.</param>
    /// <returns>A Broker integer.</returns>
    public static BrokerData Encode(short value) => BrokerData.Integer(value);

    /// <summary>Encodes a signed byte as an integer.</summary>
    /// <param name="value">The value.</param>
    /// <returns>A Broker integer.</returns>
    public static BrokerData Encode(sbyte value) => BrokerData.Integer(value);

    /// <summary>Encodes a float as a real (exactly: every float is a double).</summary>
    /// <param name="value">The value.</param>
    /// <returns>A Broker real.</returns>
    public static BrokerData Encode(float value) => BrokerData.Real(value);

    /// <summary>Encodes a signed integer as an integer.</summary>
    /// <param name="value">The value.</param>
    /// <returns>A Broker integer.</returns>
    public static BrokerData Encode(long value) => BrokerData.Integer(value);

    /// <summary>Encodes a signed 32-bit integer as an integer.</summary>
    /// <param name="value">The value.</param>
    /// <returns>A Broker integer.</returns>
    public static BrokerData Encode(int value) => BrokerData.Integer(value);

    /// <summary>Encodes a double as a real.</summary>
    /// <param name="value">The value.</param>
    /// <returns>A Broker real.</returns>
    public static BrokerData Encode(double value) => BrokerData.Real(value);

    /// <summary>Encodes a string.</summary>
    /// <param name="value">The value (not null; nullable members are encoded as nil by the caller).</param>
    /// <returns>A Broker string.</returns>
    public static BrokerData Encode(string value) => BrokerData.String(NotNull(value));

    /// <summary>Encodes an IP address.</summary>
    /// <param name="value">The value.</param>
    /// <returns>A Broker address.</returns>
    public static BrokerData Encode(IPAddress value) => BrokerData.Address(NotNull(value));

    /// <summary>Encodes an IP network as a subnet.</summary>
    /// <param name="value">The value.</param>
    /// <returns>A Broker subnet.</returns>
    public static BrokerData Encode(IPNetwork value) => BrokerData.Subnet(value);

    /// <summary>Encodes a port.</summary>
    /// <param name="value">The value.</param>
    /// <returns>A Broker port.</returns>
    public static BrokerData Encode(BrokerPort value) => BrokerData.Port(value);

    /// <summary>Encodes a point in time as a timestamp.</summary>
    /// <param name="value">The value.</param>
    /// <returns>A Broker timestamp.</returns>
    public static BrokerData Encode(DateTimeOffset value) => BrokerData.Timestamp(value);

    /// <summary>Encodes a duration as a timespan.</summary>
    /// <param name="value">The value.</param>
    /// <returns>A Broker timespan.</returns>
    public static BrokerData Encode(TimeSpan value) => BrokerData.Timespan(value);

    /// <summary>Passes a Broker value through unchanged.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The same value.</returns>
    public static BrokerData Encode(in BrokerData value) => value;

    /// <summary>Encodes a sequence as a vector, element by element.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="items">The elements (not null).</param>
    /// <param name="encode">Encodes one element.</param>
    /// <returns>A Broker vector.</returns>
    public static BrokerData EncodeVector<T>(IEnumerable<T> items, Func<T, BrokerData> encode) =>
        BrokerData.FromVectorArray(EncodeAll(NotNull(items), encode));

    /// <summary>Encodes an immutable array as a vector without boxing it.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="items">The elements.</param>
    /// <param name="encode">Encodes one element.</param>
    /// <returns>A Broker vector.</returns>
    public static BrokerData EncodeVector<T>(ImmutableArray<T> items, Func<T, BrokerData> encode)
    {
        if (items.IsDefaultOrEmpty)
        {
            return BrokerData.FromVectorArray([]);
        }

        var result = new BrokerData[items.Length];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = encode(items[i]);
        }

        return BrokerData.FromVectorArray(result);
    }

    /// <summary>Encodes a collection as a set (sorted in Broker order, duplicates collapse).</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="items">The elements (not null).</param>
    /// <param name="encode">Encodes one element.</param>
    /// <returns>A Broker set.</returns>
    public static BrokerData EncodeSet<T>(IEnumerable<T> items, Func<T, BrokerData> encode) =>
        BrokerData.FromSetArray(EncodeAll(NotNull(items), encode));

    /// <summary>Encodes a dictionary as a table (sorted by key).</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="entries">The entries (not null).</param>
    /// <param name="encodeKey">Encodes one key.</param>
    /// <param name="encodeValue">Encodes one value.</param>
    /// <returns>A Broker table.</returns>
    public static BrokerData EncodeTable<TKey, TValue>(IEnumerable<KeyValuePair<TKey, TValue>> entries, Func<TKey, BrokerData> encodeKey, Func<TValue, BrokerData> encodeValue)
    {
        NotNull(entries);
        var result = entries is IReadOnlyCollection<KeyValuePair<TKey, TValue>> c
            ? new List<KeyValuePair<BrokerData, BrokerData>>(c.Count)
            : new List<KeyValuePair<BrokerData, BrokerData>>();
        foreach (var entry in entries)
        {
            result.Add(new(encodeKey(entry.Key), encodeValue(entry.Value)));
        }

        return BrokerData.FromTableArray(result.ToArray());
    }

    /// <summary>Encodes an enum member as an enum_value.</summary>
    /// <param name="name">The member's Zeek name.</param>
    /// <returns>A Broker enum_value.</returns>
    public static BrokerData EncodeEnum(string name) => BrokerData.EnumValue(name);

    // ------------------------------------------------------------------ Broker -> .NET

    /// <summary>Decodes a boolean.</summary>
    /// <param name="data">A Broker boolean.</param>
    /// <returns>The value.</returns>
    public static bool DecodeBoolean(BrokerData data) => data.AsBoolean();

    /// <summary>Decodes a count.</summary>
    /// <param name="data">A Broker count.</param>
    /// <returns>The value.</returns>
    public static ulong DecodeCount(BrokerData data) => data.AsCount();

    /// <summary>Decodes a count that must fit in 32 bits.</summary>
    /// <param name="data">A Broker count.</param>
    /// <returns>The value.</returns>
    public static uint DecodeUInt32(BrokerData data)
    {
        ulong value = data.AsCount();
        return value <= uint.MaxValue ? (uint)value : throw OutOfRange("uint", data);
    }

    /// <summary>Decodes a count that must fit in 16 bits.</summary>
    /// <param name="data">A Broker count.</param>
    /// <returns>The value.</returns>
    public static ushort DecodeUInt16(BrokerData data)
    {
        ulong value = data.AsCount();
        return value <= ushort.MaxValue ? (ushort)value : throw OutOfRange("ushort", data);
    }

    /// <summary>Decodes a count that must fit in a byte.</summary>
    /// <param name="data">A Broker count.</param>
    /// <returns>The value.</returns>
    public static byte DecodeByte(BrokerData data)
    {
        ulong value = data.AsCount();
        return value <= byte.MaxValue ? (byte)value : throw OutOfRange("byte", data);
    }

    /// <summary>Decodes an integer that must fit in 16 bits.</summary>
    /// <param name="data">A Broker integer.</param>
    /// <returns>The value.</returns>
    public static short DecodeInt16(BrokerData data)
    {
        long value = data.AsInteger();
        return value is >= short.MinValue and <= short.MaxValue ? (short)value : throw OutOfRange("short", data);
    }

    /// <summary>Decodes an integer that must fit in a signed byte.</summary>
    /// <param name="data">A Broker integer.</param>
    /// <returns>The value.</returns>
    public static sbyte DecodeSByte(BrokerData data)
    {
        long value = data.AsInteger();
        return value is >= sbyte.MinValue and <= sbyte.MaxValue ? (sbyte)value : throw OutOfRange("sbyte", data);
    }

    /// <summary>Decodes a real into a float (rounded to the nearest float).</summary>
    /// <param name="data">A Broker real.</param>
    /// <returns>The value.</returns>
    public static float DecodeSingle(BrokerData data) => (float)data.AsReal();

    /// <summary>Decodes an integer.</summary>
    /// <param name="data">A Broker integer.</param>
    /// <returns>The value.</returns>
    public static long DecodeInteger(BrokerData data) => data.AsInteger();

    /// <summary>Decodes an integer that must fit in 32 bits.</summary>
    /// <param name="data">A Broker integer.</param>
    /// <returns>The value.</returns>
    public static int DecodeInt32(BrokerData data)
    {
        long value = data.AsInteger();
        return value is >= int.MinValue and <= int.MaxValue ? (int)value : throw OutOfRange("int", data);
    }

    /// <summary>Decodes a real.</summary>
    /// <param name="data">A Broker real.</param>
    /// <returns>The value.</returns>
    public static double DecodeReal(BrokerData data) => data.AsReal();

    /// <summary>Decodes a string.</summary>
    /// <param name="data">A Broker string.</param>
    /// <returns>The value.</returns>
    public static string DecodeString(BrokerData data) => data.AsString();

    /// <summary>Decodes an address.</summary>
    /// <param name="data">A Broker address.</param>
    /// <returns>The value.</returns>
    public static IPAddress DecodeAddress(BrokerData data) => data.AsAddress();

    /// <summary>Decodes a subnet.</summary>
    /// <param name="data">A Broker subnet.</param>
    /// <returns>The value.</returns>
    public static IPNetwork DecodeSubnet(BrokerData data) => data.AsSubnet();

    /// <summary>Decodes a port.</summary>
    /// <param name="data">A Broker port.</param>
    /// <returns>The value.</returns>
    public static BrokerPort DecodePort(BrokerData data) => data.AsPort();

    /// <summary>Decodes a timestamp (truncated to 100 ns).</summary>
    /// <param name="data">A Broker timestamp.</param>
    /// <returns>The value.</returns>
    public static DateTimeOffset DecodeTimestamp(BrokerData data) => data.AsTimestamp();

    /// <summary>Decodes a timespan (truncated to 100 ns).</summary>
    /// <param name="data">A Broker timespan.</param>
    /// <returns>The value.</returns>
    public static TimeSpan DecodeTimespan(BrokerData data) => data.AsTimespan();

    /// <summary>Decodes the name of an enum_value.</summary>
    /// <param name="data">A Broker enum_value.</param>
    /// <returns>The member name.</returns>
    public static string DecodeEnumName(BrokerData data) => data.AsEnumName();

    /// <summary>The error for an enum name that the declared .NET enum does not have.</summary>
    /// <param name="name">The received name.</param>
    /// <param name="enumType">The .NET enum type (C# spelling).</param>
    /// <returns>The exception to throw.</returns>
    public static BrokerConversionException UnknownEnumName(string name, string enumType) =>
        new($"The enum_value '{name}' is not a member of {enumType}.", enumType, null, enumType, BrokerDataKind.EnumValue);

    /// <summary>Decodes a vector into a list.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="data">A Broker vector.</param>
    /// <param name="decode">Decodes one element.</param>
    /// <returns>A new list.</returns>
    public static List<T> DecodeList<T>(BrokerData data, Func<BrokerData, T> decode)
    {
        var items = data.AsVectorSpan();
        var result = new List<T>(items.Length);
        foreach (var item in items)
        {
            result.Add(decode(item));
        }

        return result;
    }

    /// <summary>Decodes a vector into an array.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="data">A Broker vector.</param>
    /// <param name="decode">Decodes one element.</param>
    /// <returns>A new array.</returns>
    public static T[] DecodeArray<T>(BrokerData data, Func<BrokerData, T> decode)
    {
        var items = data.AsVectorSpan();
        var result = new T[items.Length];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = decode(items[i]);
        }

        return result;
    }

    /// <summary>Decodes a vector into an immutable array.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="data">A Broker vector.</param>
    /// <param name="decode">Decodes one element.</param>
    /// <returns>The elements.</returns>
    public static ImmutableArray<T> DecodeImmutableArray<T>(BrokerData data, Func<BrokerData, T> decode) =>
        ImmutableCollectionsMarshal.AsImmutableArray(DecodeArray(data, decode));

    /// <summary>Decodes a set into a hash set.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="data">A Broker set.</param>
    /// <param name="decode">Decodes one element.</param>
    /// <returns>A new hash set.</returns>
    public static HashSet<T> DecodeHashSet<T>(BrokerData data, Func<BrokerData, T> decode)
    {
        var items = data.AsSetSpan();
        var result = new HashSet<T>(items.Length);
        foreach (var item in items)
        {
            result.Add(decode(item));
        }

        return result;
    }

    /// <summary>Decodes a table into a dictionary.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="data">A Broker table.</param>
    /// <param name="decodeKey">Decodes one key.</param>
    /// <param name="decodeValue">Decodes one value.</param>
    /// <returns>A new dictionary.</returns>
    public static Dictionary<TKey, TValue> DecodeDictionary<TKey, TValue>(BrokerData data, Func<BrokerData, TKey> decodeKey, Func<BrokerData, TValue> decodeValue)
        where TKey : notnull
    {
        var entries = data.AsTable();
        var result = new Dictionary<TKey, TValue>(entries.Length);
        foreach (var entry in entries)
        {
            result[decodeKey(entry.Key)] = decodeValue(entry.Value);
        }

        return result;
    }

    // ------------------------------------------------------------------ context for error messages

    /// <summary>
    /// Checks that a record arrived as a vector with exactly <paramref name="fieldCount"/> fields and returns them.
    /// </summary>
    /// <param name="data">The received value.</param>
    /// <param name="fieldCount">The number of declared fields.</param>
    /// <param name="recordType">The record's .NET type (for the message).</param>
    /// <returns>The fields (not copied).</returns>
    /// <exception cref="BrokerConversionException">The value is not a vector of that length.</exception>
    public static ReadOnlySpan<BrokerData> RecordFields(in BrokerData data, int fieldCount, string recordType)
    {
        if (data.Kind != BrokerDataKind.Vector)
        {
            throw new BrokerConversionException(
                $"Record {recordType} must arrive as a Broker vector of {fieldCount} fields, but the value is a {BrokerData.KindName(data.Kind)}.",
                recordType, null, recordType, data.Kind);
        }

        var fields = data.AsVectorSpan();
        if (fields.Length != fieldCount)
        {
            throw new BrokerConversionException(
                $"Record {recordType} has {fieldCount} fields, but the vector received has {fields.Length}.",
                recordType, null, recordType, data.Kind);
        }

        return fields;
    }

    /// <summary>
    /// Checks an event's arity and returns its arguments.
    /// </summary>
    /// <param name="zeekEvent">The received event.</param>
    /// <param name="count">The declared number of arguments.</param>
    /// <param name="signature">The declared signature (for the message), e.g. <c>my_event(string msg, ulong c)</c>.</param>
    /// <returns>The arguments.</returns>
    /// <exception cref="BrokerConversionException">The argument count differs.</exception>
    public static ImmutableArray<BrokerData> Arguments(ZeekEvent zeekEvent, int count, string signature)
    {
        ArgumentNullException.ThrowIfNull(zeekEvent);
        var args = zeekEvent.Arguments.IsDefault ? ImmutableArray<BrokerData>.Empty : zeekEvent.Arguments;
        if (args.Length != count)
        {
            throw new BrokerConversionException(
                $"Event '{zeekEvent.Name}' expects {count} argument{(count == 1 ? "" : "s")} ({signature}) but {args.Length} arrived.",
                zeekEvent.Name, null, signature, null);
        }

        return args;
    }

    /// <summary>
    /// Reads one member from the bytes and converts it as <see cref="Member{T}"/> would, but declines instead of
    /// throwing: false where <see cref="Member{T}"/> would throw (or the bytes are beyond the default decode limits),
    /// so a generated record reader falls back to the tree path, which reports the error. Called by generated code.
    /// </summary>
    /// <typeparam name="T">The member type.</typeparam>
    /// <param name="reader">The source, positioned at the member.</param>
    /// <param name="decode">The member's decoder.</param>
    /// <param name="value">The value when true is returned.</param>
    /// <returns>True when the member was read and converted.</returns>
    public static bool TryReadMember<T>(ref Serialization.BrokerReader reader, Func<BrokerData, T> decode, out T value)
    {
        try
        {
            value = decode(reader.ReadData());
            return true;
        }
        catch (Exception ex) when (ex is Errors.BrokerException or OverflowException or ArgumentException or FormatException)
        {
            value = default!;
            return false;
        }
    }

    /// <summary>
    /// Decodes one event argument or record field, turning any failure into a <see cref="BrokerConversionException"/>
    /// that names the owner, the member and both types.
    /// </summary>
    /// <typeparam name="T">The declared type.</typeparam>
    /// <param name="value">The received value.</param>
    /// <param name="decode">The decoder for the declared type.</param>
    /// <param name="owner">The event name or record type.</param>
    /// <param name="member">The argument or field name.</param>
    /// <param name="expectedType">The declared type (C# spelling).</param>
    /// <returns>The decoded value.</returns>
    public static T Member<T>(BrokerData value, Func<BrokerData, T> decode, string owner, string member, string expectedType)
    {
        try
        {
            return decode(value);
        }
        catch (Exception ex) when (ex is Errors.BrokerException or OverflowException or ArgumentException or FormatException)
        {
            string detail = ex is BrokerConversionException ? $" ({ex.Message})" : "";
            throw new BrokerConversionException(
                $"{owner}: '{member}' is declared as {expectedType} but the value received is a Broker {BrokerData.KindName(value.Kind)} ({Preview(value)}){detail}.",
                owner, member, expectedType, value.Kind, ex);
        }
    }

    private static string Preview(in BrokerData value)
    {
        string text = value.ToString();
        return text.Length <= 64 ? text : string.Concat(text.AsSpan(0, 61), "...");
    }

    private static BrokerConversionException OutOfRange(string type, in BrokerData data) =>
        new($"The Broker {BrokerData.KindName(data.Kind)} {data} does not fit in {type}.", type, null, type, data.Kind);

    private static BrokerData[] EncodeAll<T>(IEnumerable<T> items, Func<T, BrokerData> encode)
    {
        switch (items)
        {
            case T[] array:
            {
                var result = new BrokerData[array.Length];
                for (int i = 0; i < result.Length; i++)
                {
                    result[i] = encode(array[i]);
                }

                return result;
            }

            case IReadOnlyList<T> list:
            {
                var result = new BrokerData[list.Count];
                for (int i = 0; i < result.Length; i++)
                {
                    result[i] = encode(list[i]);
                }

                return result;
            }

            default:
            {
                var result = items is IReadOnlyCollection<T> c ? new List<BrokerData>(c.Count) : new List<BrokerData>();
                foreach (var item in items)
                {
                    result.Add(encode(item));
                }

                return result.ToArray();
            }
        }
    }

    private static T NotNull<T>(T value)
        where T : class =>
        value ?? throw new ArgumentNullException(nameof(value), "A non-nullable member was null; declare it nullable (T?) to send nil.");
}
