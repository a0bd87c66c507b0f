using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Broker.Data;

namespace Broker.Serialization;

/// <content>The encoder: one recursive pass over a <c>ref byte</c> and a position, no spans sliced per element.</content>
public static partial class BrokerBinary
{
    private static int EncodedSize(in BrokerData value)
    {
        switch (value.Kind)
        {
            case BrokerDataKind.None: return 1;
            case BrokerDataKind.Boolean: return 2;
            case BrokerDataKind.Count:
            case BrokerDataKind.Integer:
            case BrokerDataKind.Real:
            case BrokerDataKind.Timestamp:
            case BrokerDataKind.Timespan: return 9;
            case BrokerDataKind.String:
            case BrokerDataKind.EnumValue:
            {
                int n = value.RawBytes.Length;
                return 1 + VarByteSize((uint)n) + n;
            }

            case BrokerDataKind.Address: return 17;
            case BrokerDataKind.Subnet: return 18;
            case BrokerDataKind.Port: return 4;
            case BrokerDataKind.Set:
            case BrokerDataKind.Vector:
            {
                var elements = value.RawElements;
                int size = 1 + VarByteSize((uint)elements.Length);
                foreach (ref readonly var element in elements)
                {
                    size = checked(size + EncodedSize(element));
                }

                return size;
            }

            case BrokerDataKind.Table:
            {
                var entries = value.RawEntries;
                int size = 1 + VarByteSize((uint)entries.Length);
                for (int i = 0; i < entries.Length; i++)
                {
                    size = checked(size + EncodedSize(entries[i].Key) + EncodedSize(entries[i].Value));
                }

                return size;
            }

            default: throw UnknownKind(value.Kind);
        }
    }

    // Writes the value at dst[pos..end). Returns the position after it, or -1 when it does not fit.
    private static int WriteValue(in BrokerData value, ref byte dst, int pos, int end) => value.Kind switch
    {
        BrokerDataKind.Set or BrokerDataKind.Vector => WriteSequence(value, ref dst, pos, end),
        BrokerDataKind.Table => WriteTable(value, ref dst, pos, end),
        _ => WriteScalar(value, ref dst, pos, end),
    };

    // Scalars and strings are written inline in the element loop (no call per element).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int WriteSequence(in BrokerData value, ref byte dst, int pos, int end)
    {
        var elements = value.RawElements;
        pos = WriteContainerHeader(value.Kind, elements.Length, ref dst, pos, end);
        foreach (ref readonly var element in elements)
        {
            if (pos < 0)
            {
                return -1;
            }

            var kind = element.Kind;
            pos = kind switch
            {
                BrokerDataKind.Set or BrokerDataKind.Vector => WriteSequence(element, ref dst, pos, end),
                BrokerDataKind.Table => WriteTable(element, ref dst, pos, end),
                _ => WriteScalar(element, ref dst, pos, end),
            };
        }

        return pos;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int WriteTable(in BrokerData value, ref byte dst, int pos, int end)
    {
        var entries = value.RawEntries;
        pos = WriteContainerHeader(BrokerDataKind.Table, entries.Length, ref dst, pos, end);
        for (int i = 0; i < entries.Length && pos >= 0; i++)
        {
            pos = WriteValue(entries[i].Key, ref dst, pos, end);
            if (pos < 0) return -1;
            pos = WriteValue(entries[i].Value, ref dst, pos, end);
        }

        return pos;
    }

    // Every case checks its whole fixed size once, then writes unchecked.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int WriteScalar(in BrokerData value, ref byte dst, int pos, int end)
    {
        var kind = value.Kind;
        switch (kind)
        {
            case BrokerDataKind.None:
                if (pos >= end) return -1;
                Unsafe.Add(ref dst, pos) = 0;
                return pos + 1;
            case BrokerDataKind.Boolean:
                if (end - pos < 2) return -1;
                Unsafe.Add(ref dst, pos) = (byte)kind;
                Unsafe.Add(ref dst, pos + 1) = (byte)value.RawBits;
                return pos + 2;
            case BrokerDataKind.Count:
            case BrokerDataKind.Integer:
            case BrokerDataKind.Timestamp:
            case BrokerDataKind.Timespan:
                if (end - pos < 9) return -1;
                Unsafe.Add(ref dst, pos) = (byte)kind;
                WriteUInt64BigEndian(ref Unsafe.Add(ref dst, pos + 1), value.RawBits);
                return pos + 9;
            case BrokerDataKind.Real:
                if (end - pos < 9) return -1;
                Unsafe.Add(ref dst, pos) = (byte)kind;
                WriteUInt64BigEndian(ref Unsafe.Add(ref dst, pos + 1), Pack754(BitConverter.UInt64BitsToDouble(value.RawBits)));
                return pos + 9;
            case BrokerDataKind.String:
            case BrokerDataKind.EnumValue:
            {
                var bytes = value.RawBytes;
                int n = bytes.Length;
                if (n > 16)
                {
                    return WriteLongString(kind, bytes, ref dst, pos, end);
                }

                // Short string: one length byte, copied as (overlapping) words instead of calling memmove.
                if (end - pos < n + 2) return -1;
                Unsafe.Add(ref dst, pos) = (byte)kind;
                Unsafe.Add(ref dst, pos + 1) = (byte)n;
                CopyShort(ref MemoryMarshal.GetArrayDataReference(bytes), ref Unsafe.Add(ref dst, pos + 2), n);
                return pos + 2 + n;
            }

            case BrokerDataKind.Address:
                if (end - pos < 17) return -1;
                Unsafe.Add(ref dst, pos) = (byte)kind;
                WriteUInt64BigEndian(ref Unsafe.Add(ref dst, pos + 1), value.AddressHigh);
                WriteUInt64BigEndian(ref Unsafe.Add(ref dst, pos + 9), value.AddressLow);
                return pos + 17;
            case BrokerDataKind.Subnet:
                if (end - pos < 18) return -1;
                Unsafe.Add(ref dst, pos) = (byte)kind;
                WriteUInt64BigEndian(ref Unsafe.Add(ref dst, pos + 1), value.AddressHigh);
                WriteUInt64BigEndian(ref Unsafe.Add(ref dst, pos + 9), value.AddressLow);
                Unsafe.Add(ref dst, pos + 17) = value.Aux;
                return pos + 18;
            case BrokerDataKind.Port:
                if (end - pos < 4) return -1;
                Unsafe.Add(ref dst, pos) = (byte)kind;
                Unsafe.WriteUnaligned(ref Unsafe.Add(ref dst, pos + 1), BitConverter.IsLittleEndian
                    ? BinaryPrimitives.ReverseEndianness((ushort)value.RawBits)
                    : (ushort)value.RawBits);
                Unsafe.Add(ref dst, pos + 3) = value.Aux;
                return pos + 4;
            default:
                throw UnknownKind(kind);
        }
    }

    // Keeps the message formatting (a 48-byte string builder the JIT would zero on every element) out of the loop.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ArgumentException UnknownKind(BrokerDataKind kind) => new($"Unknown Broker data kind {kind}.", "value");

    // 0 to 16 bytes: two (overlapping) loads and stores of the widest word that fits.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyShort(ref byte src, ref byte dst, int n)
    {
        if (n >= 8)
        {
            ulong first = Unsafe.ReadUnaligned<ulong>(ref src);
            ulong last = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref src, n - 8));
            Unsafe.WriteUnaligned(ref dst, first);
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref dst, n - 8), last);
        }
        else if (n >= 4)
        {
            uint first = Unsafe.ReadUnaligned<uint>(ref src);
            uint last = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref src, n - 4));
            Unsafe.WriteUnaligned(ref dst, first);
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref dst, n - 4), last);
        }
        else if (n > 0)
        {
            byte first = src;
            byte middle = Unsafe.Add(ref src, n >> 1);
            byte last = Unsafe.Add(ref src, n - 1);
            dst = first;
            Unsafe.Add(ref dst, n >> 1) = middle;
            Unsafe.Add(ref dst, n - 1) = last;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int WriteLongString(BrokerDataKind kind, byte[] bytes, ref byte dst, int pos, int end)
    {
        int n = bytes.Length;
        int header = 1 + VarByteSize((uint)n);
        if (end - pos < header || end - pos - header < n) return -1;
        Unsafe.Add(ref dst, pos) = (byte)kind;
        WriteVarByte((uint)n, MemoryMarshal.CreateSpan(ref Unsafe.Add(ref dst, pos + 1), header - 1));
        pos += header;
        Unsafe.CopyBlockUnaligned(ref Unsafe.Add(ref dst, pos), ref MemoryMarshal.GetArrayDataReference(bytes), (uint)n);
        return pos + n;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int WriteContainerHeader(BrokerDataKind kind, int count, ref byte dst, int pos, int end)
    {
        if (count < 0x80)
        {
            if (end - pos < 2) return -1;
            Unsafe.Add(ref dst, pos) = (byte)kind;
            Unsafe.Add(ref dst, pos + 1) = (byte)count;
            return pos + 2;
        }

        int header = 1 + VarByteSize((uint)count);
        if (end - pos < header) return -1;
        Unsafe.Add(ref dst, pos) = (byte)kind;
        WriteVarByte((uint)count, MemoryMarshal.CreateSpan(ref Unsafe.Add(ref dst, pos + 1), header - 1));
        return pos + header;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteUInt64BigEndian(ref byte destination, ulong value) =>
        Unsafe.WriteUnaligned(ref destination, BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(value) : value);
}
