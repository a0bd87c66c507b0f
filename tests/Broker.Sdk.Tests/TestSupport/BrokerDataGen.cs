using System.Buffers.Binary;
using Broker.Data;
using CsCheck;

namespace Broker.Sdk.Tests.TestSupport;

/// <summary>
/// CsCheck generators of <see cref="BrokerData"/>: every type, nested containers, and deliberately small value
/// domains so that equal and nearly-equal values (and duplicate set elements) turn up often.
/// </summary>
public static class BrokerDataGen
{
    /// <summary>Reals that survive the wire exactly: everything but subnormals (CAF's pack754 garbles them).</summary>
    public static readonly Gen<double> WireReal = Gen.Frequency(
        (6, Gen.Double.Where(d => !double.IsSubnormal(d))),
        (3, Gen.OneOfConst(0.0, -0.0, 1.0, -1.0, 2.5, double.NaN, double.PositiveInfinity, double.NegativeInfinity,
            double.MaxValue, double.MinValue, 2.2250738585072014e-308, BitConverter.UInt64BitsToDouble(0xFFF8_0000_0000_0001UL))),
        (2, Gen.Int[-3, 3].Select(i => (double)i)));

    /// <summary>Subnormal doubles that CAF's packing changes (the smallest, and one in the middle of the range).</summary>
    public static readonly Gen<double> ChangedSubnormal = Gen.OneOfConst(double.Epsilon, -double.Epsilon, 1e-310, -1e-310);

    /// <summary>Any double, subnormals included.</summary>
    public static readonly Gen<double> AnyReal = Gen.Frequency(
        (8, WireReal),
        (1, ChangedSubnormal));

    private static readonly Gen<byte[]> SmallBytes = Gen.Frequency(
        (3, Gen.Byte[(byte)'a', (byte)'c'].Array[0, 3]),
        (1, Gen.Byte.Array[0, 8]));

    private static readonly Gen<byte[]> Address16 = Gen.Frequency(
        (2, Gen.UInt.Select(v4 =>
        {
            var bytes = new byte[16];
            bytes[10] = 0xFF;
            bytes[11] = 0xFF;
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(12), v4);
            return bytes;
        })),
        (1, Gen.OneOfConst<ushort>(0, 0, 1, 0xFFFF, 0x2001).Array[8].Select(words =>
        {
            var bytes = new byte[16];
            for (int i = 0; i < 8; i++)
            {
                BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2 * i), words[i]);
            }

            return bytes;
        })),
        (1, Gen.Byte.Array[16]));

    private static Gen<BrokerData> Scalar(Gen<double> reals) => Gen.Frequency(
        (1, Gen.Const(BrokerData.None)),
        (1, Gen.Bool.Select(BrokerData.Boolean)),
        (2, Gen.Frequency((1, Gen.ULong), (2, Gen.ULong[0, 3])).Select(BrokerData.Count)),
        (2, Gen.Frequency((1, Gen.Long), (2, Gen.Long[-2, 2])).Select(BrokerData.Integer)),
        (2, reals.Select(BrokerData.Real)),
        (2, SmallBytes.Select(b => BrokerData.String(b))),
        (1, SmallBytes.Select(b => BrokerData.EnumValue(System.Text.Encoding.UTF8.GetString(b)))),
        (1, Address16.Select(b => BrokerData.AddressFromBytes(b))),
        (1, Gen.Select(Address16, Gen.Byte[0, 129], (b, len) => BrokerData.SubnetFromRaw(b, len))),
        (1, Gen.Select(Gen.Frequency((1, Gen.UShort), (2, Gen.UShort[0, 2])), Gen.Byte[0, 3], (n, p) => BrokerData.Port(n, (PortProtocol)p))),
        (1, Gen.Frequency((1, Gen.Long), (2, Gen.Long[-1, 1])).Select(BrokerData.Timestamp)),
        (1, Gen.Frequency((1, Gen.Long), (2, Gen.Long[-1, 1])).Select(BrokerData.Timespan)));

    private static Gen<BrokerData> Value(Gen<double> reals, int depth)
    {
        var scalar = Scalar(reals);
        if (depth == 0)
        {
            return scalar;
        }

        var inner = Value(reals, depth - 1);
        return Gen.Frequency(
            (6, scalar),
            (1, inner.Array[0, 4].Select(e => BrokerData.Vector(e))),
            (1, inner.Array[0, 4].Select(e => BrokerData.Set(e))),
            (1, Gen.Select(inner, inner).Array[0, 4].Select(kv => BrokerData.Table(kv.Select(p => KeyValuePair.Create(p.Item1, p.Item2))))));
    }

    /// <summary>Values whose encoding round-trips exactly (no subnormal reals), nested up to 3 deep.</summary>
    public static readonly Gen<BrokerData> Wire = Value(WireReal, 3);

    /// <summary>Any value, subnormal reals included, nested up to 3 deep.</summary>
    public static readonly Gen<BrokerData> Any = Value(AnyReal, 3);
}
