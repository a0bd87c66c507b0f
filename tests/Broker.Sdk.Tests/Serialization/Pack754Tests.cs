using Broker.Data;
using Broker.Serialization;

namespace Broker.Sdk.Tests.Serialization;

/// <summary>
/// Our Pack754/Unpack754 take shortcuts (IEEE bits for normal numbers, one rounding for exponent-0 patterns).
/// They are checked here against a literal transcription of CAF's loops (caf/detail/ieee_754.hpp, CAF 0.18),
/// which is what real Broker nodes run, over every class of bit pattern.
/// </summary>
public class Pack754Tests
{
    [Theory]
    [InlineData(0x0000_0000_0000_0000UL, 0x0000_0000_0000_0000UL)]
    [InlineData(0x8000_0000_0000_0000UL, 0x8000_0000_0000_0000UL)] // -0.0 keeps its sign
    [InlineData(0x7FF0_0000_0000_0000UL, 0xFFF0_0000_0000_0000UL)] // +inf goes out sign-swapped
    [InlineData(0xFFF0_0000_0000_0000UL, 0x7FF0_0000_0000_0000UL)] // -inf too
    [InlineData(0x7FF8_0000_0000_0000UL, 0xFFFF_FFFF_FFFF_FFFFUL)] // every NaN is all ones
    [InlineData(0xFFF8_0000_0000_0000UL, 0xFFFF_FFFF_FFFF_FFFFUL)]
    [InlineData(0x7FF0_0000_0000_0001UL, 0xFFFF_FFFF_FFFF_FFFFUL)] // signalling NaN
    [InlineData(0x0000_0000_0000_0001UL, 0xFCD0_0000_0000_0000UL)] // 4.9e-324, as captured
    [InlineData(0x0000_1268_8B70_E62BUL, 0xFF92_688B_70E6_2B00UL)] // 1e-310, as captured
    [InlineData(0x8000_1268_8B70_E62BUL, 0xFF92_688B_70E6_2B00UL)] // -1e-310 loses its sign, as captured
    [InlineData(0x3FF0_0000_0000_0000UL, 0x3FF0_0000_0000_0000UL)]
    [InlineData(0x7FEF_FFFF_FFFF_FFFFUL, 0x7FEF_FFFF_FFFF_FFFFUL)]
    [InlineData(0x0010_0000_0000_0000UL, 0x0010_0000_0000_0000UL)] // smallest normal
    public void Pack754_matches_the_captured_patterns(ulong ieeeBits, ulong wireBits)
    {
        Assert.Equal(wireBits, BrokerBinary.Pack754(BitConverter.UInt64BitsToDouble(ieeeBits)));
        Assert.Equal(wireBits, CafPack754(BitConverter.UInt64BitsToDouble(ieeeBits)));
    }

    [Fact]
    public void Pack754_equals_CAF_for_random_doubles_of_every_class()
    {
        var random = new Random(754);
        for (int i = 0; i < 25_000; i++)
        {
            ulong bits = RandomPattern(random, i);
            double value = BitConverter.UInt64BitsToDouble(bits);
            ulong expected = CafPack754(value);
            ulong actual = BrokerBinary.Pack754(value);
            Assert.True(expected == actual, $"pack754({bits:X16}) = {actual:X16}, CAF gives {expected:X16}");
        }
    }

    [Fact]
    public void Unpack754_equals_CAF_for_random_patterns_of_every_class()
    {
        var random = new Random(457);
        for (int i = 0; i < 25_000; i++)
        {
            ulong bits = RandomPattern(random, i);
            ulong expected = BitConverter.DoubleToUInt64Bits(CafUnpack754(bits));
            ulong actual = BitConverter.DoubleToUInt64Bits(BrokerBinary.Unpack754(bits));
            Assert.True(expected == actual, $"unpack754({bits:X16}) = {actual:X16}, CAF gives {expected:X16}");
        }
    }

    [Theory]
    [InlineData(0x7FF8_0000_0000_0000UL, double.PositiveInfinity)] // an IEEE NaN from a non-CAF writer reads as +inf
    [InlineData(0x7FF0_0000_0000_0000UL, double.NegativeInfinity)]
    [InlineData(0xFFF0_0000_0000_0000UL, double.PositiveInfinity)]
    [InlineData(0xFFF8_0000_0000_0000UL, double.NegativeInfinity)]
    [InlineData(0x8000_0000_0000_0000UL, -0.0)]
    public void Unpack754_reads_never_produced_patterns_as_CAF_does(ulong bits, double expected)
    {
        Assert.Equal(BitConverter.DoubleToUInt64Bits(expected), BitConverter.DoubleToUInt64Bits(BrokerBinary.Unpack754(bits)));
    }

    [Fact]
    public void Unpack754_reads_an_exponent_zero_pattern_with_an_implicit_one()
    {
        // IEEE would read 0x0000000000000001 as 4.9e-324; CAF reads (1 + 2^-52) * 2^-1023, i.e. 2^-1023.
        double value = BrokerBinary.Unpack754(0x0000_0000_0000_0001UL);
        Assert.Equal(Math.ScaleB(1.0, -1023), value);
    }

    [Fact]
    public void The_wire_NaN_decodes_to_the_C_plus_plus_quiet_NaN()
    {
        double value = BrokerBinary.Decode(Convert.FromHexString("04FFFFFFFFFFFFFFFF")).AsReal();
        Assert.Equal(0x7FF8_0000_0000_0000UL, BitConverter.DoubleToUInt64Bits(value));
    }

    [Fact]
    public void Normal_doubles_round_trip_bit_exactly()
    {
        var random = new Random(11);
        for (int i = 0; i < 25_000; i++)
        {
            double value = BitConverter.UInt64BitsToDouble((ulong)random.NextInt64() | ((ulong)random.Next(2) << 63));
            if (!double.IsNormal(value))
            {
                continue;
            }

            var decoded = BrokerBinary.Decode(BrokerBinary.Encode(BrokerData.Real(value))).AsReal();
            Assert.Equal(BitConverter.DoubleToUInt64Bits(value), BitConverter.DoubleToUInt64Bits(decoded));
        }
    }

    // Patterns spread over the classes that matter: zeros, subnormals, normals, the all-ones exponent, and the
    // five special CAF patterns.
    private static ulong RandomPattern(Random random, int i)
    {
        ulong sign = (ulong)random.Next(2) << 63;
        ulong fraction = (ulong)random.NextInt64() & 0x000F_FFFF_FFFF_FFFFUL;
        return (i % 8) switch
        {
            0 => sign | fraction, // exponent 0: subnormal (or zero)
            1 => sign | 0x7FF0_0000_0000_0000UL | fraction, // exponent all ones
            2 => sign | ((ulong)random.Next(1, 2047) << 52) | fraction, // normal
            3 => sign | ((ulong)random.Next(1, 4) << 52) | fraction, // near the subnormal boundary
            4 => sign | ((ulong)random.Next(2043, 2047) << 52) | fraction, // near overflow
            5 => (ulong)random.Next(5) switch
            {
                0 => 0UL,
                1 => 0x8000_0000_0000_0000UL,
                2 => 0xFFF0_0000_0000_0000UL,
                3 => 0x7FF0_0000_0000_0000UL,
                _ => 0xFFFF_FFFF_FFFF_FFFFUL,
            },
            6 => sign | (fraction & 0xFUL), // tiny subnormals
            _ => (ulong)random.NextInt64() | sign,
        };
    }

    // ---- Literal transcription of CAF's algorithm (the reference; deliberately slow and unoptimised). ----

    private static ulong CafPack754(double f)
    {
        if (double.IsNaN(f)) return 0xFFFF_FFFF_FFFF_FFFFUL;
        if (double.IsInfinity(f)) return double.IsNegative(f) ? 0x7FF0_0000_0000_0000UL : 0xFFF0_0000_0000_0000UL;
        if (Math.Abs(f) <= 0.0) return double.IsNegative(f) ? 0x8000_0000_0000_0000UL : 0UL;
        const int significandBits = 52;
        ulong sign;
        double fnorm;
        if (f < 0)
        {
            sign = 1;
            fnorm = -f;
        }
        else
        {
            sign = 0;
            fnorm = f;
        }

        ulong shift = 0; // CAF uses the unsigned packed type, so it wraps
        while (fnorm >= 2.0)
        {
            fnorm /= 2.0;
            unchecked { ++shift; }
        }

        while (fnorm < 1.0)
        {
            fnorm *= 2.0;
            unchecked { --shift; }
        }

        fnorm -= 1.0;
        double pownum = (double)(1UL << significandBits);
        ulong significand = (ulong)(fnorm * (pownum + 0.5));
        ulong exp = unchecked(shift + 1023UL);
        return (sign << 63) | (exp << significandBits) | significand;
    }

    private static double CafUnpack754(ulong i)
    {
        switch (i)
        {
            case 0UL: return 0.0;
            case 0x8000_0000_0000_0000UL: return -0.0;
            case 0xFFF0_0000_0000_0000UL: return double.PositiveInfinity;
            case 0x7FF0_0000_0000_0000UL: return double.NegativeInfinity;
            case 0xFFFF_FFFF_FFFF_FFFFUL: return BitConverter.UInt64BitsToDouble(0x7FF8_0000_0000_0000UL);
        }

        const int significandBits = 52;
        double result = i & ((1UL << significandBits) - 1);
        result /= 1UL << significandBits;
        result += 1.0;
        long si = unchecked((long)i);
        long bias = (1 << 10) - 1;
        long pownum = 1L << 11;
        long shift = ((si >> significandBits) & (pownum - 1)) - bias;
        while (shift > 0)
        {
            result *= 2.0;
            --shift;
        }

        while (shift < 0)
        {
            result /= 2.0;
            ++shift;
        }

        result *= ((i >> 63) & 1) != 0 ? -1 : 1;
        return result;
    }
}
