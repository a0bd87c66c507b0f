using System.Diagnostics;
using Broker.Data;
using Broker.Errors;
using Broker.Sdk.Tests.TestSupport;
using Broker.Serialization;
using CsCheck;
using Xunit.Abstractions;

namespace Broker.Sdk.Tests.Serialization;

/// <summary>
/// Bounded-time fuzzing of the decoder with random and mutated buffers (2.5 s; 60 s with BROKER_LONG_TESTS=1).
/// Every input must either decode or throw <see cref="BrokerDecodeException"/>, finish quickly, and allocate at
/// most a constant multiple of its own size; <see cref="BrokerBinary.Validate"/> must agree with the decoder. A
/// failure prints the seed and the offending bytes.
/// </summary>
public class DecoderFuzzTests(ITestOutputHelper output)
{
    // Worst case: an unsorted set of 1-byte elements costs 32 bytes per element for the decoded array, 4 for the
    // sort order and 32 for the sorted copy (+32 if duplicates shrink it); exceptions cost a constant.
    private const int BytesPerInputByte = 128;
    private const int ConstantBytes = 64 * 1024;

    private static readonly bool LongRun = Environment.GetEnvironmentVariable("BROKER_LONG_TESTS") == "1";

    private static readonly byte[] Interesting = [0x00, 0x01, 0x02, 0x05, 0x07, 0x0C, 0x0D, 0x0E, 0x0F, 0x7F, 0x80, 0x81, 0xFE, 0xFF];

    [Fact]
    public void Random_and_mutated_buffers_decode_or_throw_only_BrokerDecodeException()
    {
        var budget = LongRun ? TimeSpan.FromSeconds(60) : TimeSpan.FromSeconds(2.5);
        int seed = Environment.GetEnvironmentVariable("BROKER_FUZZ_SEED") is { } s ? int.Parse(s) : Random.Shared.Next();
        output.WriteLine($"seed {seed} (set BROKER_FUZZ_SEED to replay)");
        var random = new Random(seed);
        var corpus = Corpus();
        var limits = new BrokerDecodeLimits { MaxDepth = 16, MaxCollectionCount = 4096, MaxStringBytes = 4096 };

        // Warm up so JIT and type loading do not count against the first inputs' allocation budget.
        foreach (byte[] input in corpus)
        {
            Check(input, BrokerDecodeLimits.Default, seed);
        }

        var clock = Stopwatch.StartNew();
        int runs = 0, decoded = 0;
        while (clock.Elapsed < budget)
        {
            byte[] input = (runs % 4) switch
            {
                0 => RandomBuffer(random),
                _ => Mutate(random, corpus[random.Next(corpus.Count)], corpus),
            };

            if (Check(input, runs % 2 == 0 ? BrokerDecodeLimits.Default : limits, seed))
            {
                decoded++;
            }

            runs++;
        }

        output.WriteLine($"{runs} inputs in {clock.Elapsed.TotalSeconds:F1} s, {decoded} decoded, worst {_worstBytesPerInputByte:F1} bytes allocated per input byte (inputs of 64+ bytes)");
        Assert.True(runs > 1_000, $"only {runs} inputs ran");
        Assert.True(decoded > 0 && decoded < runs, "the fuzzer should hit both valid and invalid inputs");
    }

    private double _worstBytesPerInputByte;

    private bool Check(byte[] input, BrokerDecodeLimits limits, int seed)
    {
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        long started = Stopwatch.GetTimestamp();
        bool ok;
        try
        {
            var value = BrokerBinary.Decode(input, limits);

            // Whatever decodes is a well-formed value: it encodes, prints and compares without surprises.
            Assert.Equal(BrokerBinary.GetEncodedSize(value), BrokerBinary.Encode(value).Length);
            _ = value.ToString();
            Assert.Equal(0, value.CompareTo(value));
            ok = true;
        }
        catch (BrokerDecodeException)
        {
            ok = false;
        }
        catch (Exception ex)
        {
            Assert.Fail($"seed {seed}: input {Convert.ToHexString(input)} threw {ex}");
            throw;
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        Assert.True(elapsed < TimeSpan.FromSeconds(1), $"seed {seed}: input {Convert.ToHexString(input)} took {elapsed}");
        Assert.True(
            allocated <= ((long)BytesPerInputByte * input.Length) + ConstantBytes,
            $"seed {seed}: input of {input.Length} bytes allocated {allocated} bytes: {Convert.ToHexString(input)}");
        // The validator (the typed receive path) must agree with the decoder on every input.
        ValidatorTests.AssertAgrees(input, limits);

        if (input.Length >= 64)
        {
            _worstBytesPerInputByte = Math.Max(_worstBytesPerInputByte, (double)allocated / input.Length);
        }

        return ok;
    }

    private static List<byte[]> Corpus()
    {
        var corpus = GoldenTsv.Read("native", "data_samples.values.tsv").Rows.Select(r => r.Hex("value_hex")).ToList();
        corpus.AddRange(BrokerDataGen.Wire.Array[200].Generate(new PCG(20261128), null, out _).Select(v => BrokerBinary.Encode(v)));

        // Shapes that stress the allocation bound: long runs of tiny elements, unsorted sets, deep nesting.
        corpus.Add(BrokerBinary.Encode(BrokerData.Vector(Enumerable.Repeat(BrokerData.None, 500).ToArray())));
        byte[] unsortedSet = BrokerBinary.Encode(BrokerData.Vector(Enumerable.Range(0, 300).Select(i => BrokerData.Boolean(i % 2 == 0)).ToArray()));
        unsortedSet[0] = (byte)BrokerDataKind.Set;
        corpus.Add(unsortedSet);
        corpus.Add([.. Enumerable.Repeat(new byte[] { 0x0E, 0x01 }, 40).SelectMany(b => b), 0x00]);
        return corpus;
    }

    private static byte[] RandomBuffer(Random random)
    {
        var bytes = new byte[random.Next(0, 64)];
        random.NextBytes(bytes);
        for (int i = 0; i < bytes.Length; i++)
        {
            if (random.Next(3) == 0)
            {
                bytes[i] = (byte)random.Next(0, 16); // mostly valid tags and small lengths
            }
        }

        return bytes;
    }

    private static byte[] Mutate(Random random, byte[] original, List<byte[]> corpus)
    {
        var bytes = new List<byte>(original);
        int mutations = 1 + random.Next(4);
        for (int m = 0; m < mutations; m++)
        {
            int at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
            switch (random.Next(8))
            {
                case 0 when bytes.Count > 0: // flip a bit
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when bytes.Count > 0: // an interesting byte
                    bytes[at] = Interesting[random.Next(Interesting.Length)];
                    break;
                case 2: // insert random bytes
                    for (int i = random.Next(1, 4); i > 0; i--)
                    {
                        bytes.Insert(at, (byte)random.Next(256));
                    }

                    break;
                case 3 when bytes.Count > 0: // delete a range
                    bytes.RemoveRange(at, Math.Min(bytes.Count - at, random.Next(1, 8)));
                    break;
                case 4: // truncate
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 5: // a huge varbyte length
                    bytes.InsertRange(at, random.Next(2) == 0 ? [0xFF, 0xFF, 0xFF, 0xFF, 0x0F] : [0xFF, 0xFF, 0x7F]);
                    break;
                case 6: // splice in part of another input
                {
                    byte[] other = corpus[random.Next(corpus.Count)];
                    int start = random.Next(other.Length);
                    bytes.InsertRange(at, other.AsSpan(start, random.Next(other.Length - start + 1)).ToArray());
                    break;
                }

                default: // duplicate a slice (repeats elements, makes sets unsorted)
                    if (bytes.Count > 0)
                    {
                        int length = random.Next(1, Math.Min(32, bytes.Count - at) + 1);
                        bytes.InsertRange(at, bytes.GetRange(at, length));
                    }

                    break;
            }
        }

        return bytes.ToArray();
    }
}
