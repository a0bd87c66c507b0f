using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Broker.Data;
using Broker.Errors;

namespace Broker.Serialization;

/// <summary>
/// Reads Broker's binary format (spec §1.1) from a span, value by value, without building a <see cref="BrokerData"/>
/// tree: the mirror of <see cref="BrokerWriter"/>, what a typed receiver uses to take an event's arguments straight
/// from the bytes. Meant for bytes that <see cref="BrokerBinary.Validate"/> accepted; on any other input it stays
/// memory-safe and never throws (except <see cref="ReadData"/>): a read that does not match returns false.
/// </summary>
/// <remarks>
/// Every <c>Try*</c> method returns false <em>and consumes nothing</em> when the next value is not of its kind or is
/// truncated, so a caller can try one kind after another. Values read exactly as <see cref="BrokerBinary.Decode(ReadOnlySpan{byte}, BrokerDecodeLimits?)"/>
/// reads them. Only <see cref="TryReadString"/> allocates (the string; repeated short strings come from a small
/// shared cache) and <see cref="ReadData"/> (the tree).
/// </remarks>
public ref struct BrokerReader
{
    private readonly ReadOnlySpan<byte> _source;
    private int _position;

    /// <summary>Creates a reader that reads <paramref name="source"/> from its start.</summary>
    /// <param name="source">The bytes.</param>
    public BrokerReader(ReadOnlySpan<byte> source)
    {
        _source = source;
    }

    /// <summary>The number of bytes consumed so far.</summary>
    public readonly int Position => _position;

    /// <summary>The number of bytes not yet consumed.</summary>
    public readonly int Remaining => _source.Length - _position;

    /// <summary>The kind of the next value, from its tag alone.</summary>
    /// <param name="kind">The kind, or <see cref="BrokerDataKind.None"/> when false is returned.</param>
    /// <returns>False at the end of the input or on an unknown tag.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly bool TryPeekKind(out BrokerDataKind kind)
    {
        if ((uint)_position < (uint)_source.Length && _source[_position] < (byte)BrokerBinary.PayloadSizes.Length)
        {
            kind = (BrokerDataKind)_source[_position];
            return true;
        }

        kind = BrokerDataKind.None;
        return false;
    }

    /// <summary>Reads a nil (<see cref="BrokerDataKind.None"/>).</summary>
    /// <returns>True when the next value is nil.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryReadNone()
    {
        if ((uint)_position < (uint)_source.Length && _source[_position] == (byte)BrokerDataKind.None)
        {
            _position++;
            return true;
        }

        return false;
    }

    /// <summary>Reads a boolean; any non-zero byte is true, as in the decoder (and Broker).</summary>
    /// <param name="value">The value, or false when false is returned.</param>
    /// <returns>True when the next value is a boolean.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryReadBoolean(out bool value)
    {
        int pos = _position;
        if ((uint)pos < (uint)_source.Length && _source[pos] == (byte)BrokerDataKind.Boolean && _source.Length - pos >= 2)
        {
            value = _source[pos + 1] != 0;
            _position = pos + 2;
            return true;
        }

        value = false;
        return false;
    }

    /// <summary>Reads a count (unsigned 64-bit).</summary>
    /// <param name="value">The value, or 0 when false is returned.</param>
    /// <returns>True when the next value is a count.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryReadCount(out ulong value) => TryReadFixed(BrokerDataKind.Count, out value);

    /// <summary>Reads an integer (signed 64-bit).</summary>
    /// <param name="value">The value, or 0 when false is returned.</param>
    /// <returns>True when the next value is an integer.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryReadInteger(out long value)
    {
        bool read = TryReadFixed(BrokerDataKind.Integer, out ulong bits);
        value = unchecked((long)bits);
        return read;
    }

    /// <summary>Reads a real, exactly as the decoder does (<see cref="BrokerBinary.Unpack754"/>: CAF's packing, its
    /// NaN pattern included).</summary>
    /// <param name="value">The value, or 0 when false is returned.</param>
    /// <returns>True when the next value is a real.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryReadReal(out double value)
    {
        bool read = TryReadFixed(BrokerDataKind.Real, out ulong bits);
        value = read ? BrokerBinary.Unpack754(bits) : 0;
        return read;
    }

    /// <summary>Reads a timestamp (nanoseconds since the Unix epoch).</summary>
    /// <param name="nanoseconds">The value, or 0 when false is returned.</param>
    /// <returns>True when the next value is a timestamp.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryReadTimestamp(out long nanoseconds)
    {
        bool read = TryReadFixed(BrokerDataKind.Timestamp, out ulong bits);
        nanoseconds = unchecked((long)bits);
        return read;
    }

    /// <summary>Reads a timespan (nanoseconds).</summary>
    /// <param name="nanoseconds">The value, or 0 when false is returned.</param>
    /// <returns>True when the next value is a timespan.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryReadTimespan(out long nanoseconds)
    {
        bool read = TryReadFixed(BrokerDataKind.Timespan, out ulong bits);
        nanoseconds = unchecked((long)bits);
        return read;
    }

    /// <summary>
    /// Reads a string as .NET text: exactly what <see cref="BrokerData.AsString"/> returns for it (UTF-8; invalid
    /// sequences become U+FFFD). Repeated short strings come from a small shared cache instead of allocating.
    /// </summary>
    /// <param name="value">The text, or the empty string when false is returned.</param>
    /// <returns>True when the next value is a string.</returns>
    public bool TryReadString(out string value) => TryReadText(BrokerDataKind.String, out value);

    /// <summary>Reads a string's raw bytes (Broker strings need not be UTF-8), without copying.</summary>
    /// <param name="value">The bytes (a slice of the input), or empty when false is returned.</param>
    /// <returns>True when the next value is a string.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryReadStringBytes(out ReadOnlySpan<byte> value) => TryReadBytes(BrokerDataKind.String, out value);

    /// <summary>Reads an enum value's name, like <see cref="BrokerData.AsEnumName"/>.</summary>
    /// <param name="name">The name, or the empty string when false is returned.</param>
    /// <returns>True when the next value is an enum value.</returns>
    public bool TryReadEnumValue(out string name) => TryReadText(BrokerDataKind.EnumValue, out name);

    /// <summary>Reads an enum value's name as raw UTF-8 bytes, without copying (to compare with a known name).</summary>
    /// <param name="name">The bytes (a slice of the input), or empty when false is returned.</param>
    /// <returns>True when the next value is an enum value.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryReadEnumValueBytes(out ReadOnlySpan<byte> name) => TryReadBytes(BrokerDataKind.EnumValue, out name);

    /// <summary>
    /// Reads the header of a vector; the caller then reads (or skips) exactly <paramref name="count"/> values.
    /// </summary>
    /// <param name="count">The number of elements, or 0 when false is returned.</param>
    /// <returns>True when the next value is a vector (whose count the remaining input can hold).</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryReadVectorHeader(out int count)
    {
        int pos = _position;
        if (TryHeader(_source, BrokerDataKind.Vector, ref pos, out uint n))
        {
            _position = pos;
            count = (int)n;
            return true;
        }

        count = 0;
        return false;
    }

    /// <summary>
    /// Reads the start of a Zeek event, <c>[1, 1, [name, [</c> (spec §3.2), up to its first argument: the shapes
    /// <see cref="Zeek.ZeekEvent.TryDecode"/> accepts in that format (an outer vector of 3; format version and message
    /// type counts of 1; a content vector of 2 or 3; a string name; a vector of arguments). The caller then reads the
    /// <paramref name="argumentCount"/> arguments and, when <paramref name="hasMetadata"/>, calls
    /// <see cref="TrySkipZeekEventMetadata"/>. The legacy <c>[name, args...]</c> form and anything else return false.
    /// </summary>
    /// <param name="name">The event name's UTF-8 bytes (a slice of the input).</param>
    /// <param name="argumentCount">The number of arguments.</param>
    /// <param name="hasMetadata">Whether a metadata vector follows the arguments.</param>
    /// <returns>True when the next value starts a Zeek event in the current format.</returns>
    public bool TryReadZeekEventHeader(out ReadOnlySpan<byte> name, out int argumentCount, out bool hasMetadata)
    {
        var source = _source;
        int pos = _position;
        if (TryHeader(source, BrokerDataKind.Vector, ref pos, out uint outer) && outer == 3 &&
            TryFixed(source, BrokerDataKind.Count, ref pos, out ulong version) && version == Zeek.ZeekEvent.FormatVersion &&
            TryFixed(source, BrokerDataKind.Count, ref pos, out ulong type) && type == Zeek.ZeekEvent.EventMessageType &&
            TryHeader(source, BrokerDataKind.Vector, ref pos, out uint content) && content is 2 or 3 &&
            TryHeader(source, BrokerDataKind.String, ref pos, out uint nameLength))
        {
            var nameBytes = source.Slice(pos, (int)nameLength);
            pos += (int)nameLength;
            if (TryHeader(source, BrokerDataKind.Vector, ref pos, out uint arguments))
            {
                _position = pos;
                name = nameBytes;
                argumentCount = (int)arguments;
                hasMetadata = content == 3;
                return true;
            }
        }

        name = default;
        argumentCount = 0;
        hasMetadata = false;
        return false;
    }

    /// <summary>
    /// Skips a Zeek event's metadata (the value after the arguments when the header reported it): a vector of
    /// <c>[count, value]</c> pairs, exactly as <see cref="Zeek.ZeekEvent.TryDecode"/> requires.
    /// </summary>
    /// <returns>True when the next value is such a vector (it is skipped); false otherwise (nothing is consumed).</returns>
    public bool TrySkipZeekEventMetadata()
    {
        var source = _source;
        int pos = _position;
        if (!TryHeader(source, BrokerDataKind.Vector, ref pos, out uint entries))
        {
            return false;
        }

        for (uint i = 0; i < entries; i++)
        {
            if (!TryHeader(source, BrokerDataKind.Vector, ref pos, out uint pair) || pair != 2 ||
                !TryFixed(source, BrokerDataKind.Count, ref pos, out _) ||
                (pos = SkipValue(source, pos)) < 0)
            {
                return false;
            }
        }

        _position = pos;
        return true;
    }

    /// <summary>Skips one value of any kind (its structure only: every length is bounds-checked, nothing else).</summary>
    /// <returns>True when a whole value was skipped; false (nothing consumed) at the end, on an unknown tag or on
    /// truncated input.</returns>
    public bool TrySkip()
    {
        int end = SkipValue(_source, _position);
        if (end < 0)
        {
            return false;
        }

        _position = end;
        return true;
    }

    /// <summary>
    /// Reads one value of any kind with the real decoder (<see cref="BrokerBinary.Decode(ReadOnlySpan{byte}, out int, BrokerDecodeLimits?)"/>):
    /// for arguments of kinds without a reader of their own, or to fall back to the tree.
    /// </summary>
    /// <param name="limits">Limits; <see cref="BrokerDecodeLimits.Default"/> when null.</param>
    /// <returns>The value.</returns>
    /// <exception cref="BrokerDecodeException">The next bytes are not a valid value (nothing is consumed).</exception>
    public BrokerData ReadData(BrokerDecodeLimits? limits = null)
    {
        var value = BrokerBinary.Decode(_source[_position..], out int consumed, limits);
        _position += consumed;
        return value;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryReadFixed(BrokerDataKind kind, out ulong bits)
    {
        int pos = _position;
        if (TryFixed(_source, kind, ref pos, out bits))
        {
            _position = pos;
            return true;
        }

        return false;
    }

    // A string or enum name as .NET text, repeated short ones from the shared cache.
    private bool TryReadText(BrokerDataKind kind, out string text)
    {
        if (TryReadBytes(kind, out var bytes))
        {
            text = Utf8StringCache.Get(bytes);
            return true;
        }

        text = string.Empty;
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryReadBytes(BrokerDataKind kind, out ReadOnlySpan<byte> bytes)
    {
        int pos = _position;
        if (TryHeader(_source, kind, ref pos, out uint length))
        {
            bytes = _source.Slice(pos, (int)length);
            _position = pos + (int)length;
            return true;
        }

        bytes = default;
        return false;
    }

    // A tag and 8 big-endian bytes at source[pos..].
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryFixed(ReadOnlySpan<byte> source, BrokerDataKind kind, ref int pos, out ulong bits)
    {
        int at = pos;
        if ((uint)at < (uint)source.Length && source[at] == (byte)kind && source.Length - at >= 9)
        {
            bits = BrokerBinary.ReadUInt64BigEndian(ref Unsafe.Add(ref MemoryMarshal.GetReference(source), at + 1));
            pos = at + 9;
            return true;
        }

        bits = 0;
        return false;
    }

    // A tag and a varbyte length or count at source[pos..], which the rest of the input can hold (a string's bytes,
    // or at least one byte per element: true of every valid value, and what keeps counts safe to act on).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryHeader(ReadOnlySpan<byte> source, BrokerDataKind kind, ref int pos, out uint length)
    {
        int at = pos;
        if ((uint)(at + 1) < (uint)source.Length && source[at] == (byte)kind)
        {
            length = source[at + 1];
            at += 2;
            if (length >= 0x80 && !TryLongLength(source, ref at, out length))
            {
                return false;
            }

            if (length <= (uint)(source.Length - at))
            {
                pos = at;
                return true;
            }
        }

        length = 0;
        return false;
    }

    // A varbyte of two or more bytes; `at` is just past its first byte.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool TryLongLength(ReadOnlySpan<byte> source, ref int at, out uint length)
    {
        if (BrokerBinary.TryReadVarByte(source[(at - 1)..], out length, out int used))
        {
            at += used - 1;
            return true;
        }

        return false;
    }

    // The end of the value at source[pos..], or -1 when the bytes are not one whole value: a walk in wire order with
    // a count of values still to come (no recursion, so no depth limit is needed; every value takes a byte).
    private static int SkipValue(ReadOnlySpan<byte> source, int pos)
    {
        var sizes = BrokerBinary.PayloadSizes;
        long pending = 1;
        while (pending > 0)
        {
            if ((uint)pos >= (uint)source.Length)
            {
                return -1;
            }

            uint tag = source[pos++];
            if (tag >= (uint)sizes.Length)
            {
                return -1;
            }

            pending--;
            uint size = sizes[(int)tag];
            if (size != BrokerBinary.Prefixed)
            {
                if (size > (uint)(source.Length - pos))
                {
                    return -1;
                }

                pos += (int)size;
                continue;
            }

            pos--; // back to the tag, which TryHeader reads again
            if (!TryHeader(source, (BrokerDataKind)tag, ref pos, out uint length))
            {
                return -1;
            }

            if (tag is (uint)BrokerDataKind.String or (uint)BrokerDataKind.EnumValue)
            {
                pos += (int)length;
            }
            else
            {
                pending += tag == (uint)BrokerDataKind.Table ? 2L * length : length;
                if (pending > source.Length - pos)
                {
                    return -1; // more values than bytes left
                }
            }
        }

        return pos;
    }
}
