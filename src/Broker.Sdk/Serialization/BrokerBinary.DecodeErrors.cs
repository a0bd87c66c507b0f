using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Broker.Errors;

namespace Broker.Serialization;

/// <content>
/// What the decoder (<see cref="Reader"/>) and the validator (<see cref="Validator"/>) share: their errors, worded and
/// positioned in one place so that <see cref="Validate"/> throws exactly what <see cref="Decode(ReadOnlySpan{byte}, BrokerDecodeLimits?)"/>
/// throws, and the small readers and tables they (and <see cref="BrokerReader"/>) use.
/// </content>
public static partial class BrokerBinary
{
    internal const byte Prefixed = 0xFF;

    // Payload bytes after each tag (0..14); Prefixed: a varbyte length follows (strings, enum names, containers).
    internal static ReadOnlySpan<byte> PayloadSizes => [0, 1, 8, 8, 8, Prefixed, 16, 17, 3, 8, 8, Prefixed, Prefixed, Prefixed, Prefixed];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong ReadUInt64BigEndian(ref byte source)
    {
        ulong raw = Unsafe.ReadUnaligned<ulong>(ref source);
        return BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(raw) : raw;
    }

    private static bool IsV4Mapped(ReadOnlySpan<byte> address16) =>
        BinaryPrimitives.ReadUInt64BigEndian(address16) == 0 &&
        BinaryPrimitives.ReadUInt32BigEndian(address16[8..]) == 0x0000_FFFFu;

    /// <summary>
    /// Reads a container's element count at <paramref name="pos"/> (advancing it) and checks it as the decoder does:
    /// every element needs at least <paramref name="minBytesPerItem"/> bytes, so a count the rest of the input cannot
    /// hold is a lie (malformed input), checked first so that only a collection that is really there counts as over
    /// <paramref name="maxCount"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ReadElementCount(ReadOnlySpan<byte> source, ref int pos, int minBytesPerItem, int maxCount)
    {
        uint count = ReadLength(source, ref pos);
        if ((ulong)count * (ulong)minBytesPerItem > (ulong)(source.Length - pos))
        {
            throw DecodeErrors.TooFewBytes(count, source.Length - pos, pos);
        }

        if (count > (uint)maxCount)
        {
            throw DecodeErrors.TooManyElements(count, maxCount, pos);
        }

        return (int)count;
    }

    /// <summary>
    /// Reads a string's (or enum name's) length at <paramref name="pos"/>, leaving <paramref name="pos"/> at its first
    /// byte; truncated (malformed) is checked before over <paramref name="maxBytes"/>, as for collections.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ReadStringLength(ReadOnlySpan<byte> source, ref int pos, int maxBytes)
    {
        uint length = ReadLength(source, ref pos);
        int remaining = source.Length - pos;
        if ((uint)remaining < length)
        {
            throw DecodeErrors.StringTruncated(length, remaining, pos);
        }

        if (length > (uint)maxBytes)
        {
            throw DecodeErrors.StringTooLong(length, maxBytes, pos);
        }

        return (int)length;
    }

    /// <summary>A varbyte length at <paramref name="pos"/> (advancing it); one byte (below 128) is the common case.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint ReadLength(ReadOnlySpan<byte> source, ref int pos)
    {
        int at = pos;
        if ((uint)at < (uint)source.Length)
        {
            byte first = Unsafe.Add(ref MemoryMarshal.GetReference(source), at);
            if (first < 0x80)
            {
                pos = at + 1;
                return first;
            }
        }

        return ReadLongLength(source, ref pos);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static uint ReadLongLength(ReadOnlySpan<byte> source, ref int pos)
    {
        if (!TryReadVarByte(source[pos..], out uint length, out int used))
        {
            throw DecodeErrors.BadLength(pos);
        }

        pos += used;
        return length;
    }

    /// <summary>
    /// The decoding errors. Never inlined: the throw helpers keep message formatting (and its stack-zeroed locals)
    /// out of the hot methods' frames.
    /// </summary>
    internal static class DecodeErrors
    {
        [MethodImpl(MethodImplOptions.NoInlining)]
        internal static BrokerDecodeException Truncated(int needed, int remaining, int at) =>
            new($"truncated input: needed {needed} byte(s), {remaining} remain", at);

        [MethodImpl(MethodImplOptions.NoInlining)]
        internal static BrokerDecodeException StringTruncated(uint length, int remaining, int at) =>
            new($"truncated input: a string of {length} bytes but only {remaining} remain", at);

        [MethodImpl(MethodImplOptions.NoInlining)]
        internal static BrokerDecodeException Lie(int count, int at) =>
            new($"collection claims {count} elements that the input cannot hold", at);

        [MethodImpl(MethodImplOptions.NoInlining)]
        internal static BrokerDecodeException TooDeep(int limit, int at) => new($"nesting deeper than the limit of {limit} (DecodeLimits.MaxDepth)", at, limitExceeded: true);

        [MethodImpl(MethodImplOptions.NoInlining)]
        internal static BrokerDecodeException TooManyElements(uint count, int limit, int at) =>
            new($"collection of {count} elements exceeds the limit of {limit} (DecodeLimits.MaxCollectionCount)", at, limitExceeded: true);

        [MethodImpl(MethodImplOptions.NoInlining)]
        internal static BrokerDecodeException TooFewBytes(uint count, int remaining, int at) =>
            new($"collection claims {count} elements but only {remaining} bytes remain", at);

        [MethodImpl(MethodImplOptions.NoInlining)]
        internal static BrokerDecodeException StringTooLong(uint length, int limit, int at) =>
            new($"string of {length} bytes exceeds the limit of {limit} (DecodeLimits.MaxStringBytes)", at, limitExceeded: true);

        [MethodImpl(MethodImplOptions.NoInlining)]
        internal static BrokerDecodeException InvalidSubnetLength(byte length, int at) => new($"invalid subnet length {length}", at);

        [MethodImpl(MethodImplOptions.NoInlining)]
        internal static BrokerDecodeException InvalidPortProtocol(byte protocol, int at) => new($"invalid port protocol {protocol}", at);

        [MethodImpl(MethodImplOptions.NoInlining)]
        internal static BrokerDecodeException UnknownTag(byte tag, int at) => new($"unknown type tag {tag}", at);

        [MethodImpl(MethodImplOptions.NoInlining)]
        internal static BrokerDecodeException ExpectedTag(int at) => new("truncated input: expected a type tag", at);

        [MethodImpl(MethodImplOptions.NoInlining)]
        internal static BrokerDecodeException BadLength(int at) => new("truncated or oversized length", at);

        [MethodImpl(MethodImplOptions.NoInlining)]
        internal static BrokerDecodeException StackTooSmall(int at) => new("nesting too deep for the available stack", at, limitExceeded: true);

        [MethodImpl(MethodImplOptions.NoInlining)]
        internal static BrokerDecodeException Trailing(int trailing, int at) => new($"{trailing} trailing byte(s) after the value", at);
    }
}
