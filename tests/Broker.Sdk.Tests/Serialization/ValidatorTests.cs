using Broker.Data;
using Broker.Errors;
using Broker.Sdk.Tests.TestSupport;
using Broker.Serialization;
using CsCheck;

namespace Broker.Sdk.Tests.Serialization;

/// <summary>
/// <see cref="BrokerBinary.Validate"/> agrees with <see cref="BrokerBinary.Decode(ReadOnlySpan{byte}, BrokerDecodeLimits?)"/>
/// on every input: the same accept/reject, and for a rejection the same message, offset and LimitExceeded.
/// </summary>
public class ValidatorTests
{
    private const int Iterations = 2_000;

    private static readonly BrokerDecodeLimits[] TightLimits =
    [
        .. Enumerable.Range(0, 4).Select(d => new BrokerDecodeLimits { MaxDepth = d }),
        new BrokerDecodeLimits { MaxCollectionCount = 0 },
        new BrokerDecodeLimits { MaxCollectionCount = 1 },
        new BrokerDecodeLimits { MaxCollectionCount = 2, MaxStringBytes = 1 },
        new BrokerDecodeLimits { MaxStringBytes = 0 },
        new BrokerDecodeLimits { MaxStringBytes = 2, MaxDepth = 2 },
    ];

    /// <summary>Decode's outcome: null when it decoded, else the exception.</summary>
    private static BrokerDecodeException? DecodeOutcome(byte[] input, BrokerDecodeLimits? limits)
    {
        try
        {
            BrokerBinary.Decode(input, limits);
            return null;
        }
        catch (BrokerDecodeException ex)
        {
            return ex;
        }
    }

    /// <summary>Asserts that Validate does exactly what Decode does; returns whether the input was valid.</summary>
    internal static bool AssertAgrees(byte[] input, BrokerDecodeLimits? limits = null)
    {
        var expected = DecodeOutcome(input, limits);
        BrokerDecodeException? actual = null;
        try
        {
            BrokerBinary.Validate(input, limits);
        }
        catch (BrokerDecodeException ex)
        {
            actual = ex;
        }

        string context = $"input {Convert.ToHexString(input)}, limits {limits}";
        if (expected is null)
        {
            Assert.True(actual is null, $"Validate rejected what Decode accepts ({actual?.Message}): {context}");
            return true;
        }

        Assert.True(actual is not null, $"Validate accepted what Decode rejects ({expected.Message}): {context}");
        Assert.True(expected.Message == actual.Message, $"Decode: {expected.Message}; Validate: {actual.Message}; {context}");
        Assert.Equal(expected.Offset, actual.Offset);
        Assert.Equal(expected.LimitExceeded, actual.LimitExceeded);
        return false;
    }

    private static IEnumerable<byte[]> GoldenValues() =>
        GoldenTsv.Read("native", "data_samples.values.tsv").Rows.Select(r => r.Hex("value_hex"));

    [Fact]
    public void Golden_values_their_truncations_and_their_extensions_agree()
    {
        int valid = 0;
        foreach (byte[] bytes in GoldenValues())
        {
            Assert.True(AssertAgrees(bytes));
            valid++;
            for (int n = 0; n < bytes.Length; n++)
            {
                Assert.False(AssertAgrees(bytes[..n]));
            }

            Assert.False(AssertAgrees([.. bytes, 0x00]));
            foreach (var limits in TightLimits)
            {
                AssertAgrees(bytes, limits);
            }
        }

        Assert.Equal(72, valid);
    }

    [Fact]
    public void The_spec_example_event_is_valid()
    {
        // [1, 1, ["my_event", ["hello", count 42]]] (spec §1.1 bytes).
        byte[] bytes = Convert.FromHexString(
            "0E03" + "020000000000000001" + "020000000000000001" + "0E02" + "05086D795F6576656E74" + "0E02" + "050568656C6C6F" + "02000000000000002A");
        Assert.Equal(BrokerData.Vector(1UL, 1UL, BrokerData.Vector("my_event", BrokerData.Vector("hello", 42UL))), BrokerBinary.Decode(bytes));
        BrokerBinary.Validate(bytes);
    }

    [Fact]
    public void Random_values_agree_under_default_and_tight_limits()
    {
        Gen.Select(BrokerDataGen.Any, Gen.Int[0, TightLimits.Length]).Sample((value, limitIndex) =>
        {
            byte[] bytes = BrokerBinary.Encode(value);
            Assert.True(AssertAgrees(bytes));
            AssertAgrees(bytes, limitIndex < TightLimits.Length ? TightLimits[limitIndex] : null);
        }, iter: Iterations, print: v => v.ToString());
    }

    [Fact]
    public void Every_truncation_of_random_values_agrees()
    {
        BrokerDataGen.Any.Sample(value =>
        {
            byte[] bytes = BrokerBinary.Encode(value);
            for (int n = 0; n < bytes.Length; n++)
            {
                Assert.False(AssertAgrees(bytes[..n]));
            }
        }, iter: 500, print: v => v.ToString());
    }

    [Fact]
    public void Mutated_values_agree()
    {
        byte[] interesting = [0x00, 0x01, 0x02, 0x03, 0x05, 0x07, 0x0C, 0x0D, 0x0E, 0x0F, 0x60, 0x7F, 0x80, 0x81, 0xFE, 0xFF];
        var mutation = Gen.Select(Gen.Int[0, 1 << 20], Gen.Int[0, 3], Gen.Byte, Gen.Int[0, interesting.Length - 1]);
        Gen.Select(BrokerDataGen.Any, mutation.Array[1, 4], Gen.Int[0, TightLimits.Length]).Sample((value, mutations, limitIndex) =>
        {
            var bytes = new List<byte>(BrokerBinary.Encode(value));
            foreach (var (where, how, b, i) in mutations)
            {
                int at = where % (bytes.Count + 1);
                switch (how)
                {
                    case 0 when at < bytes.Count:
                        bytes[at] = b;
                        break;
                    case 1 when at < bytes.Count:
                        bytes[at] = interesting[i];
                        break;
                    case 2:
                        bytes.Insert(at, interesting[i]);
                        break;
                    default:
                        if (at < bytes.Count) bytes.RemoveAt(at);
                        break;
                }
            }

            byte[] input = [.. bytes];
            AssertAgrees(input);
            AssertAgrees(input, limitIndex < TightLimits.Length ? TightLimits[limitIndex] : null);
        }, iter: 5_000, print: v => Convert.ToHexString(BrokerBinary.Encode(v.Item1)));
    }

    [Fact]
    public void Random_bytes_agree()
    {
        // Mostly valid tags and small lengths, so that the walk gets somewhere.
        var biased = Gen.Frequency((2, Gen.Byte), (1, Gen.Byte[0, 15]), (1, Gen.OneOfConst<byte>(0x00, 0x01, 0x0C, 0x0D, 0x0E)));
        Gen.Select(biased.Array[0, 48], Gen.Int[0, TightLimits.Length]).Sample((input, limitIndex) =>
        {
            AssertAgrees(input);
            AssertAgrees(input, limitIndex < TightLimits.Length ? TightLimits[limitIndex] : null);
        }, iter: 20_000, print: v => Convert.ToHexString(v.Item1));
    }

    [Theory]
    [InlineData("")]                               // no tag
    [InlineData("0F")]                             // unknown tag
    [InlineData("02000000")]                       // truncated count
    [InlineData("05FFFFFFFF1F")]                   // varbyte over 32 bits
    [InlineData("05FF")]                           // truncated varbyte
    [InlineData("050361")]                         // truncated string
    [InlineData("0700000000000000000000FFFF0A000001" + "5F")] // v4-mapped subnet /-1 (95)
    [InlineData("0700000000000000000000000000000000" + "81")] // subnet length 129
    [InlineData("08005004")]                       // port protocol 4
    [InlineData("0E05000000")]                     // vector of 5 in 3 bytes
    [InlineData("0D020000")]                       // table of 2 entries in 2 bytes (needs 4)
    [InlineData("0E0100" + "00")]                  // trailing byte
    [InlineData("0C03010001000100")]               // unsorted set with repeats: valid
    [InlineData("0D02" + "0101" + "0F" + "0100" + "00")] // a bad tag inside a table
    [InlineData("0D02" + "020000000000000002" + "00" + "020000000000000001" + "00")] // unsorted table: valid
    public void Edge_cases_agree(string hex)
    {
        AssertAgrees(Convert.FromHexString(hex));
    }

    [Fact]
    public void The_decoders_element_budget_is_reproduced()
    {
        // An outer vector claims 8 elements and its first element 6 more: each fits the bytes left at its header,
        // but together they exceed the input (10 bytes). The decoder's counting pass gives up at the input's
        // length and the second header fails to reserve its elements ("claims 6 elements that the input cannot
        // hold"), before the truncation further on.
        byte[] input = Convert.FromHexString("0E080E06000000000000");
        var expected = Assert.Throws<BrokerDecodeException>(() => BrokerBinary.Decode(input));
        Assert.Contains("claims 6 elements that the input cannot hold", expected.Message);
        Assert.False(AssertAgrees(input));
    }

    [Fact]
    public void Depth_limits_and_deep_nesting_agree()
    {
        for (int depth = 0; depth <= 70; depth++)
        {
            byte[] nested = [.. Enumerable.Repeat(new byte[] { 0x0E, 0x01 }, depth).SelectMany(b => b), 0x00];
            Assert.True(AssertAgrees(nested, new BrokerDecodeLimits { MaxDepth = 200 }));
            AssertAgrees(nested);
            AssertAgrees(nested, new BrokerDecodeLimits { MaxDepth = depth });
            AssertAgrees(nested, new BrokerDecodeLimits { MaxDepth = Math.Max(0, depth - 1) });
        }

        // Far beyond the stack: both refuse (the stack probe), neither crashes.
        byte[] deep = [.. Enumerable.Repeat(new byte[] { 0x0E, 0x01 }, 200_000).SelectMany(b => b), 0x00];
        var limits = new BrokerDecodeLimits { MaxDepth = int.MaxValue };
        var ex = Assert.Throws<BrokerDecodeException>(() => BrokerBinary.Validate(deep, limits));
        Assert.True(ex.LimitExceeded);
    }

    [Fact]
    public void Validating_valid_input_allocates_nothing()
    {
        var inputs = GoldenValues()
            .Concat(BrokerDataGen.Any.Array[100].Generate(new PCG(20261129), null, out _).Select(v => BrokerBinary.Encode(v)))
            .ToArray();
        foreach (byte[] input in inputs)
        {
            BrokerBinary.Validate(input); // warm up (JIT, statics)
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int round = 0; round < 10; round++)
        {
            foreach (byte[] input in inputs)
            {
                BrokerBinary.Validate(input);
            }
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
