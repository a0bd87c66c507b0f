using System.Collections.Immutable;
using System.Text;
using Broker.Data;
using Broker.Errors;
using Broker.Sdk.Tests.TestSupport;
using Broker.Serialization;
using Broker.Zeek;
using CsCheck;

namespace Broker.Sdk.Tests.Serialization;

/// <summary>
/// <see cref="BrokerReader"/> reads what the tree decoder reads, consumes nothing when a read does not match, and
/// never throws on any input (except <see cref="BrokerReader.ReadData"/>, which throws only BrokerDecodeException).
/// </summary>
public class BrokerReaderTests
{
    private enum Read
    {
        None, Boolean, Count, Integer, Real, Timestamp, Timespan, String, StringBytes, EnumValue, VectorHeader,
    }

    private static readonly Read[] AllReads = Enum.GetValues<Read>();

    // The kind each read accepts.
    private static BrokerDataKind KindOf(Read read) => read switch
    {
        Read.None => BrokerDataKind.None,
        Read.Boolean => BrokerDataKind.Boolean,
        Read.Count => BrokerDataKind.Count,
        Read.Integer => BrokerDataKind.Integer,
        Read.Real => BrokerDataKind.Real,
        Read.Timestamp => BrokerDataKind.Timestamp,
        Read.Timespan => BrokerDataKind.Timespan,
        Read.String or Read.StringBytes => BrokerDataKind.String,
        Read.EnumValue => BrokerDataKind.EnumValue,
        _ => BrokerDataKind.Vector,
    };

    // Runs one read; returns whether it succeeded and what it read, in the decoder's terms.
    private static bool Run(ref BrokerReader reader, Read read, out object? value)
    {
        bool ok;
        switch (read)
        {
            case Read.None:
                ok = reader.TryReadNone();
                value = null;
                break;
            case Read.Boolean:
                ok = reader.TryReadBoolean(out bool b);
                value = b;
                break;
            case Read.Count:
                ok = reader.TryReadCount(out ulong c);
                value = c;
                break;
            case Read.Integer:
                ok = reader.TryReadInteger(out long i);
                value = i;
                break;
            case Read.Real:
                ok = reader.TryReadReal(out double r);
                value = BitConverter.DoubleToUInt64Bits(r);
                break;
            case Read.Timestamp:
                ok = reader.TryReadTimestamp(out long ts);
                value = ts;
                break;
            case Read.Timespan:
                ok = reader.TryReadTimespan(out long span);
                value = span;
                break;
            case Read.String:
                ok = reader.TryReadString(out string s);
                value = s;
                break;
            case Read.StringBytes:
                ok = reader.TryReadStringBytes(out var bytes);
                value = Convert.ToHexString(bytes);
                break;
            case Read.EnumValue:
                ok = reader.TryReadEnumValue(out string e);
                value = e;
                break;
            default:
                ok = reader.TryReadVectorHeader(out int n);
                value = n;
                break;
        }

        return ok;
    }

    // What the read should return for a decoded value of its kind.
    private static object? Expected(Read read, BrokerData data) => read switch
    {
        Read.None => null,
        Read.Boolean => data.AsBoolean(),
        Read.Count => data.AsCount(),
        Read.Integer => data.AsInteger(),
        Read.Real => BitConverter.DoubleToUInt64Bits(data.AsReal()),
        Read.Timestamp => data.AsTimestampNanoseconds(),
        Read.Timespan => data.AsTimespanNanoseconds(),
        Read.String => data.AsString(),
        Read.StringBytes => Convert.ToHexString(data.AsStringBytes().Span),
        Read.EnumValue => data.AsEnumName(),
        _ => data.Length,
    };

    [Fact]
    public void Each_read_reads_its_kind_like_the_decoder_and_nothing_else()
    {
        BrokerDataGen.Any.Sample(value =>
        {
            byte[] bytes = BrokerBinary.Encode(value);
            var decoded = BrokerBinary.Decode(bytes);
            foreach (var read in AllReads)
            {
                var reader = new BrokerReader(bytes);
                bool ok = Run(ref reader, read, out object? actual);
                Assert.Equal(KindOf(read) == decoded.Kind, ok);
                if (ok)
                {
                    Assert.Equal(Expected(read, decoded), actual);
                    // A vector header is its tag and its varbyte count. (Not "the bytes minus the re-encoded elements":
                    // reals CAF's packing cannot carry, e.g. subnormals, decode to ±0, which a set then collapses.)
                    int expectedPosition = read == Read.VectorHeader ? 1 + BrokerBinary.VarByteSize((uint)decoded.Length) : bytes.Length;
                    Assert.Equal(expectedPosition, reader.Position);
                    Assert.Equal(bytes.Length - expectedPosition, reader.Remaining);
                }
                else
                {
                    Assert.Equal(0, reader.Position);
                }
            }

            var peeker = new BrokerReader(bytes);
            Assert.True(peeker.TryPeekKind(out var kind));
            Assert.Equal(decoded.Kind, kind);
        }, iter: 3_000, print: v => v.ToString());
    }

    [Fact]
    public void Every_truncation_fails_every_scalar_read_and_the_skip_without_consuming()
    {
        BrokerDataGen.Any.Sample(value =>
        {
            byte[] bytes = BrokerBinary.Encode(value);
            for (int n = 0; n < bytes.Length; n++)
            {
                var truncated = bytes.AsSpan(0, n);
                foreach (var read in AllReads)
                {
                    if (read == Read.VectorHeader || (read == Read.None && n > 0))
                    {
                        continue; // a vector's header can be whole while its elements are cut; nil is one byte
                    }

                    var reader = new BrokerReader(truncated);
                    Assert.False(Run(ref reader, read, out _), $"{read} on {Convert.ToHexString(truncated)}");
                    Assert.Equal(0, reader.Position);
                }

                var skipper = new BrokerReader(truncated);
                Assert.False(skipper.TrySkip());
                Assert.Equal(0, skipper.Position);
            }
        }, iter: 500, print: v => v.ToString());
    }

    [Fact]
    public void TrySkip_consumes_exactly_what_the_decoder_consumes()
    {
        Gen.Select(BrokerDataGen.Any, Gen.Byte.Array[0, 4]).Sample((value, trailing) =>
        {
            byte[] bytes = [.. BrokerBinary.Encode(value), .. trailing];
            BrokerBinary.Decode(bytes, out int consumed);
            var reader = new BrokerReader(bytes);
            Assert.True(reader.TrySkip());
            Assert.Equal(consumed, reader.Position);

            var again = new BrokerReader(bytes);
            Assert.Equal(BrokerBinary.Decode(bytes.AsSpan(0, consumed)), again.ReadData());
            Assert.Equal(consumed, again.Position);
        }, iter: 3_000, print: v => v.Item1.ToString());
    }

    [Fact]
    public void Strings_read_exactly_as_AsString_including_invalid_UTF8_and_repeats()
    {
        var text = Gen.Frequency(
            (3, Gen.Byte[(byte)'a', (byte)'d'].Array[0, 6]),
            (2, Gen.Byte.Array[0, 40]),
            (1, Gen.Char.Array[0, 20].Select(c => Encoding.UTF8.GetBytes(new string(c)))));
        text.Sample(raw =>
        {
            byte[] bytes = BrokerBinary.Encode(BrokerData.String(raw));
            string expected = BrokerBinary.Decode(bytes).AsString();
            for (int round = 0; round < 2; round++)
            {
                var reader = new BrokerReader(bytes);
                Assert.True(reader.TryReadString(out string actual));
                Assert.Equal(expected, actual);
            }
        }, iter: 5_000, print: Convert.ToHexString);
    }

    [Fact]
    public void The_string_cache_never_returns_a_wrong_string_under_eviction_and_concurrency()
    {
        // Four times the cache's slots, all short: buckets collide and evict constantly, from several threads.
        var encoded = Enumerable.Range(0, 2048)
            .Select(i => BrokerBinary.Encode(BrokerData.String(i % 3 == 0 ? $"s{i}" : i % 3 == 1 ? $"value-{i:x}-\u00e9" : new string('x', 1 + (i % 32)) + i)))
            .ToArray();
        var expected = encoded.Select(b => BrokerBinary.Decode(b).AsString()).ToArray();
        int wrong = 0;
        Parallel.For(0, 4, worker =>
        {
            var random = new Random(worker);
            for (int n = 0; n < 50_000; n++)
            {
                int i = random.Next(encoded.Length);
                var reader = new BrokerReader(encoded[i]);
                if (!reader.TryReadString(out string text) || text != expected[i])
                {
                    Interlocked.Increment(ref wrong);
                }
            }
        });

        Assert.Equal(0, wrong);
    }

    [Fact]
    public void A_repeated_short_string_reads_without_allocating()
    {
        byte[] bytes = BrokerBinary.Encode(BrokerData.String("hello"));
        // A string is cached from its second read on (admitted on its second miss).
        Assert.True(new BrokerReader(bytes).TryReadString(out _));
        Assert.True(new BrokerReader(bytes).TryReadString(out string first));

        long before = GC.GetAllocatedBytesForCurrentThread();
        string second = "";
        for (int i = 0; i < 100; i++)
        {
            var reader = new BrokerReader(bytes);
            reader.TryReadString(out second);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Same(first, second);
    }

    [Fact]
    public void Reals_read_bit_for_bit_as_the_decoder_reads_them()
    {
        Gen.ULong.Sample(bits =>
        {
            byte[] bytes = new byte[9];
            bytes[0] = (byte)BrokerDataKind.Real;
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(1), bits);
            var reader = new BrokerReader(bytes);
            Assert.True(reader.TryReadReal(out double value));
            Assert.Equal(BitConverter.DoubleToUInt64Bits(BrokerBinary.Decode(bytes).AsReal()), BitConverter.DoubleToUInt64Bits(value));
        }, iter: 2_000);

        foreach (ulong bits in new[] { 0UL, 0x8000_0000_0000_0000UL, ulong.MaxValue, 0xFFF0_0000_0000_0000UL, 0x7FF0_0000_0000_0000UL, 0x7FF8_0000_0000_0000UL, 1UL })
        {
            byte[] bytes = [(byte)BrokerDataKind.Real, .. BitConverter.GetBytes(bits).Reverse()];
            var reader = new BrokerReader(bytes);
            Assert.True(reader.TryReadReal(out double value));
            Assert.Equal(BitConverter.DoubleToUInt64Bits(BrokerBinary.Decode(bytes).AsReal()), BitConverter.DoubleToUInt64Bits(value));
        }
    }

    // ---- Zeek events ----

    private static readonly Gen<ImmutableArray<(ulong, BrokerData)>> Metadata =
        Gen.Select(Gen.ULong[0, 3], BrokerDataGen.Any).Array[0, 3].Select(pairs => pairs.ToImmutableArray());

    // Events in the current format, and shapes that are almost events: wrong versions and counts, wrong kinds,
    // malformed metadata, the legacy [name, args...] form.
    private static readonly Gen<BrokerData> EventLike = Gen.Frequency(
        (4, Gen.Select(
            Gen.OneOfConst("my_event", "e", ""), BrokerDataGen.Any.Array[0, 3], Metadata, Gen.Bool,
            (name, args, metadata, withMetadata) => ZeekEvent.Encode(name, [.. args], withMetadata ? metadata : default))),
        (4, Gen.Select(
                Gen.ULong[0, 2], Gen.ULong[0, 2], Gen.Int[0, 4], Gen.Int[1, 4],
                Gen.Select(Gen.Frequency((5, Gen.Const(BrokerData.String("ev"))), (1, BrokerDataGen.Any)),
                    Gen.Frequency((5, BrokerDataGen.Any.Array[0, 3].Select(a => BrokerData.Vector(a))), (1, BrokerDataGen.Any)),
                    Gen.Frequency(
                        (3, Metadata.Select(m => BrokerData.Vector(m.Select(p => BrokerData.Vector(BrokerData.Count(p.Item1), p.Item2)).ToArray()))),
                        (2, BrokerDataGen.Any.Array[0, 3].Select(a => BrokerData.Vector(a))),
                        (1, BrokerDataGen.Any))),
            (version, type, outerExtra, contentCount, parts) =>
            {
                var (name, args, metadata) = parts;
                var content = new[] { name, args, metadata, BrokerData.None }.Take(contentCount).ToArray();
                var outer = new List<BrokerData> { BrokerData.Count(version), BrokerData.Count(type), BrokerData.Vector(content) };
                if (outerExtra == 0) outer.RemoveAt(2);
                if (outerExtra == 4) outer.Add(BrokerData.None);
                return BrokerData.Vector(outer.ToArray());
            })),
        (1, BrokerDataGen.Any.Array[0, 3].Select(args => BrokerData.Vector((BrokerData[])[BrokerData.String("legacy"), .. args]))),
        (1, BrokerDataGen.Any));

    [Fact]
    public void The_event_header_accepts_exactly_what_ZeekEvent_TryDecode_accepts_in_the_current_format()
    {
        int accepted = 0, rejected = 0;
        EventLike.Sample(data =>
        {
            byte[] bytes = BrokerBinary.Encode(data);
            var decoded = BrokerBinary.Decode(bytes);
            bool current = decoded.Kind == BrokerDataKind.Vector && decoded.Length == 3 &&
                decoded[0].Kind == BrokerDataKind.Count && decoded[1].Kind == BrokerDataKind.Count;
            bool expected = ZeekEvent.TryDecode(decoded, out var zeekEvent) && current;

            var reader = new BrokerReader(bytes);
            bool header = reader.TryReadZeekEventHeader(out var name, out int argumentCount, out bool hasMetadata);
            bool whole = header;
            var arguments = new List<BrokerData>();
            if (header)
            {
                for (int i = 0; i < argumentCount; i++)
                {
                    arguments.Add(reader.ReadData());
                }

                if (hasMetadata)
                {
                    int before = reader.Position;
                    whole = reader.TrySkipZeekEventMetadata();
                    if (!whole)
                    {
                        Assert.Equal(before, reader.Position);
                    }
                }
            }
            else
            {
                Assert.Equal(0, reader.Position);
            }

            Assert.Equal(expected, whole);
            if (whole)
            {
                accepted++;
                Assert.Equal(bytes.Length, reader.Position);
                Assert.Equal(zeekEvent!.Name, Encoding.UTF8.GetString(name));
                Assert.Equal(zeekEvent.Arguments, arguments);
                Assert.Equal(!zeekEvent.Metadata.IsEmpty || decoded[2].Length == 3, hasMetadata);
            }
            else
            {
                rejected++;
            }
        }, iter: 4_000, print: v => v.ToString());

        Assert.True(accepted > 100 && rejected > 100, $"{accepted} accepted, {rejected} rejected");
    }

    [Fact]
    public void A_string_read_once_is_not_cached_so_unique_strings_cost_only_their_text()
    {
        // Connection ids and the like never repeat: caching them would cost an entry and a byte copy per read.
        var unique = Enumerable.Range(0, 200).Select(i => BrokerBinary.Encode(BrokerData.String($"C{Guid.NewGuid():N}"[..18]))).ToArray();
        Assert.True(new BrokerReader(unique[0]).TryReadString(out _)); // warm-up of the code path
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 1; i < unique.Length; i++)
        {
            new BrokerReader(unique[i]).TryReadString(out _);
        }

        long perString = (GC.GetAllocatedBytesForCurrentThread() - before) / (unique.Length - 1);
        Assert.InRange(perString, 1, 100); // an 18-character string takes 64 bytes; an entry would add about 80 more

        // Read again and again, a string is cached from its second read in a row at the latest.
        Assert.True(new BrokerReader(unique[5]).TryReadString(out _));
        Assert.True(new BrokerReader(unique[5]).TryReadString(out string second));
        Assert.True(new BrokerReader(unique[5]).TryReadString(out string third));
        Assert.Same(second, third);
    }

    [Fact]
    public void Reading_a_typical_event_allocates_only_new_strings()
    {
        byte[] bytes = BrokerBinary.Encode(ZeekEvent.Encode("my_event", ["hello", 42UL]));
        Assert.True(Read(bytes) && Read(bytes)); // the warm-up (strings are cached from their second read)
        long before = GC.GetAllocatedBytesForCurrentThread();
        bool all = true;
        for (int i = 0; i < 100; i++)
        {
            all &= Read(bytes);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(all);
        Assert.Equal(0, allocated);

        // No assertions inside: they allocate.
        static bool Read(byte[] bytes)
        {
            var reader = new BrokerReader(bytes);
            return reader.TryReadZeekEventHeader(out var name, out int count, out bool hasMetadata) &&
                name.SequenceEqual("my_event"u8) && count == 2 && !hasMetadata &&
                reader.TryReadString(out string message) && message == "hello" &&
                reader.TryReadCount(out ulong c) && c == 42 &&
                reader.Remaining == 0;
        }
    }

    [Fact]
    public void Random_bytes_never_throw_and_failed_reads_consume_nothing()
    {
        var biased = Gen.Frequency((2, Gen.Byte), (2, Gen.Byte[0, 15]), (1, Gen.OneOfConst<byte>(0x01, 0x02, 0x03, 0x0E, 0x80, 0xFF)));
        Gen.Select(biased.Array[0, 48], Gen.Int[0, 1000].Array[1, 12]).Sample((input, choices) =>
        {
            var reader = new BrokerReader(input);
            foreach (int choice in choices)
            {
                int before = reader.Position;
                bool ok;
                switch (choice % 15)
                {
                    case < 11:
                        ok = Run(ref reader, AllReads[choice % 11], out _);
                        break;
                    case 11:
                        ok = reader.TrySkip();
                        break;
                    case 12:
                        ok = reader.TryReadZeekEventHeader(out _, out _, out _);
                        break;
                    case 13:
                        ok = reader.TrySkipZeekEventMetadata();
                        break;
                    default:
                        try
                        {
                            reader.ReadData(new BrokerDecodeLimits { MaxDepth = 8 });
                            ok = true;
                        }
                        catch (BrokerDecodeException)
                        {
                            ok = false;
                        }

                        break;
                }

                if (!ok)
                {
                    Assert.Equal(before, reader.Position);
                }

                Assert.InRange(reader.Position, before, input.Length);
                Assert.Equal(input.Length - reader.Position, reader.Remaining);
                reader.TryPeekKind(out _);
            }
        }, iter: 20_000, print: v => Convert.ToHexString(v.Item1));
    }

    [Fact]
    public void Unknown_tags_and_the_end_peek_false()
    {
        var empty = new BrokerReader([]);
        Assert.False(empty.TryPeekKind(out _));
        Assert.False(empty.TryReadNone());
        Assert.False(empty.TrySkip());
        Assert.Throws<BrokerDecodeException>(() => new BrokerReader([]).ReadData());

        var unknown = new BrokerReader([0x0F]);
        Assert.False(unknown.TryPeekKind(out _));
        Assert.False(unknown.TrySkip());
    }
}
