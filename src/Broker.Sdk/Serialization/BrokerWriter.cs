using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Broker.Data;

namespace Broker.Serialization;

/// <summary>
/// Writes Broker's binary format (spec §1.1) into a span, value by value: what an <see cref="IBrokerValue"/> uses to
/// encode itself without building a <see cref="BrokerData"/> tree. Running out of room never throws: the writer stops
/// and reports <see cref="Overflowed"/>, and the caller retries with a larger span.
/// </summary>
public ref struct BrokerWriter
{
    private readonly Span<byte> _destination;
    private int _position;
    private bool _overflowed;

    /// <summary>Creates a writer that fills <paramref name="destination"/> from its start.</summary>
    /// <param name="destination">Where the bytes go.</param>
    public BrokerWriter(Span<byte> destination)
    {
        _destination = destination;
    }

    /// <summary>The number of bytes written so far (meaningless once <see cref="Overflowed"/>).</summary>
    public readonly int BytesWritten => _position;

    /// <summary>True when a write did not fit; everything after it was skipped.</summary>
    public readonly bool Overflowed => _overflowed;

    /// <summary>Writes any Broker value.</summary>
    /// <param name="value">The value.</param>
    public void Write(in BrokerData value)
    {
        if (!_overflowed && BrokerBinary.TryWrite(value, _destination[_position..], out int written))
        {
            _position += written;
        }
        else
        {
            _overflowed = true;
        }
    }

    /// <summary>Writes a boolean.</summary>
    /// <param name="value">The value.</param>
    public void WriteBoolean(bool value)
    {
        if (Reserve(2, out var span))
        {
            span[0] = (byte)BrokerDataKind.Boolean;
            span[1] = value ? (byte)1 : (byte)0;
        }
    }

    /// <summary>Writes a count (unsigned 64-bit).</summary>
    /// <param name="value">The value.</param>
    public void WriteCount(ulong value) => WriteFixed(BrokerDataKind.Count, value);

    /// <summary>Writes an integer (signed 64-bit).</summary>
    /// <param name="value">The value.</param>
    public void WriteInteger(long value) => WriteFixed(BrokerDataKind.Integer, unchecked((ulong)value));

    /// <summary>Writes a real (in CAF's IEEE 754 packing, as Broker does).</summary>
    /// <param name="value">The value.</param>
    public void WriteReal(double value) => WriteFixed(BrokerDataKind.Real, BrokerBinary.Pack754(value));

    /// <summary>Writes a string, transcoding .NET text to UTF-8 straight into the destination.</summary>
    /// <param name="value">The text (not null: a missing value is nil, written with <see cref="Write"/>).</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public void WriteString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        WriteText(BrokerDataKind.String, value);
    }

    /// <summary>Writes a string given as raw bytes (Broker strings need not be UTF-8).</summary>
    /// <param name="bytes">The bytes.</param>
    public void WriteString(ReadOnlySpan<byte> bytes) => WriteBytes(BrokerDataKind.String, bytes);

    /// <summary>Writes an enum value given as its UTF-8 name (e.g. a log stream id, encoded once by its writer).</summary>
    /// <param name="utf8Name">The name in UTF-8.</param>
    public void WriteEnumValue(ReadOnlySpan<byte> utf8Name) => WriteBytes(BrokerDataKind.EnumValue, utf8Name);

    /// <summary>
    /// Writes the header of a vector of <paramref name="count"/> elements; the caller then writes exactly that many
    /// values.
    /// </summary>
    /// <param name="count">The number of elements.</param>
    public void WriteVectorHeader(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        WriteHeader(BrokerDataKind.Vector, (uint)count);
    }

    /// <summary>
    /// Writes the start of a Zeek event without metadata, <c>[1, 1, [name, [</c> (spec §3.2); the caller then writes
    /// exactly <paramref name="argumentCount"/> argument values.
    /// </summary>
    /// <param name="name">The event name.</param>
    /// <param name="argumentCount">The number of arguments that follow.</param>
    public void WriteZeekEventHeader(string name, int argumentCount) => WriteZeekEventHeader(name, argumentCount, hasMetadata: false);

    /// <summary>
    /// Writes the start of a Zeek event, <c>[1, 1, [name, [</c>; the caller then writes the
    /// <paramref name="argumentCount"/> arguments and, when <paramref name="hasMetadata"/>, one more value: the
    /// metadata vector of <c>[key, value]</c> pairs.
    /// </summary>
    /// <param name="name">The event name.</param>
    /// <param name="argumentCount">The number of arguments that follow.</param>
    /// <param name="hasMetadata">Whether a metadata vector follows the arguments.</param>
    public void WriteZeekEventHeader(string name, int argumentCount, bool hasMetadata)
    {
        ArgumentNullException.ThrowIfNull(name);
        WriteZeekEventHeader(Zeek.ZeekEvent.NameBytes(name), argumentCount, hasMetadata);
    }

    /// <summary>
    /// Writes the start of a Zeek event whose name is given as UTF-8 (what generated events use: no lookup per event);
    /// otherwise like <see cref="WriteZeekEventHeader(string, int, bool)"/>.
    /// </summary>
    /// <param name="utf8Name">The event name in UTF-8.</param>
    /// <param name="argumentCount">The number of arguments that follow.</param>
    /// <param name="hasMetadata">Whether a metadata vector follows the arguments.</param>
    public void WriteZeekEventHeader(ReadOnlySpan<byte> utf8Name, int argumentCount, bool hasMetadata = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(argumentCount);

        // [1, 1, [name, [args...] (, metadata)]]
        WriteHeader(BrokerDataKind.Vector, 3);
        WriteCount(Zeek.ZeekEvent.FormatVersion);
        WriteCount(Zeek.ZeekEvent.EventMessageType);
        WriteHeader(BrokerDataKind.Vector, hasMetadata ? 3u : 2u);
        WriteBytes(BrokerDataKind.String, utf8Name);
        WriteHeader(BrokerDataKind.Vector, (uint)argumentCount);
    }

    private void WriteText(BrokerDataKind kind, string text)
    {
        if (_overflowed)
        {
            return;
        }

        var free = _destination[_position..];

        // Short text (the usual case) in one pass: at most 3 UTF-8 bytes per UTF-16 unit fit a one-byte length.
        if (text.Length <= 42)
        {
            if (free.Length >= 2 && Encoding.UTF8.TryGetBytes(text, free[2..], out int written))
            {
                free[0] = (byte)kind;
                free[1] = (byte)written;
                _position += 2 + written;
            }
            else
            {
                _overflowed = true;
            }

            return;
        }

        int length = Encoding.UTF8.GetByteCount(text);
        int header = 1 + BrokerBinary.VarByteSize((uint)length);
        if (!Reserve(header + length, out var span))
        {
            return;
        }

        span[0] = (byte)kind;
        BrokerBinary.WriteVarByte((uint)length, span[1..header]);
        Encoding.UTF8.GetBytes(text, span[header..]);
    }

    private void WriteBytes(BrokerDataKind kind, ReadOnlySpan<byte> bytes)
    {
        int header = 1 + BrokerBinary.VarByteSize((uint)bytes.Length);
        if (!Reserve(header + bytes.Length, out var span))
        {
            return;
        }

        span[0] = (byte)kind;
        BrokerBinary.WriteVarByte((uint)bytes.Length, span[1..header]);
        bytes.CopyTo(span[header..]);
    }

    private void WriteHeader(BrokerDataKind kind, uint count)
    {
        int header = 1 + BrokerBinary.VarByteSize(count);
        if (!Reserve(header, out var span))
        {
            return;
        }

        span[0] = (byte)kind;
        BrokerBinary.WriteVarByte(count, span[1..]);
    }

    // A tag and 8 big-endian bytes.
    private void WriteFixed(BrokerDataKind kind, ulong bits)
    {
        if (Reserve(9, out var span))
        {
            span[0] = (byte)kind;
            BinaryPrimitives.WriteUInt64BigEndian(span[1..], bits);
        }
    }

    // Claims the next `length` bytes, or marks the writer overflowed.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Reserve(int length, out Span<byte> span)
    {
        if (!_overflowed && _destination.Length - _position >= length)
        {
            span = MemoryMarshal.CreateSpan(ref Unsafe.Add(ref MemoryMarshal.GetReference(_destination), _position), length);
            _position += length;
            return true;
        }

        _overflowed = true;
        span = default;
        return false;
    }
}
