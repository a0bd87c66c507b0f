using Broker.Data;
using Broker.Errors;
using Broker.Sdk.Tests.Data;
using Broker.Sdk.Tests.TestSupport;
using Broker.Serialization;
using CsCheck;

namespace Broker.Sdk.Tests.Serialization;

/// <summary>
/// Every decoded value has its own element array, written in place field by field. A value must never share
/// memory with another decode (also one that reuses the decoder's state, should it ever keep any), and nothing an
/// earlier (possibly failed) decode did may show up in a later one.
/// </summary>
public class DecoderIsolationTests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", string.Empty));

    // Every kind of container nesting: vectors and sets in vectors, in table keys and values, in tables inside
    // tables.
    private static readonly BrokerData Nested = BrokerData.Vector(
        BrokerData.Table(
            (BrokerData.Vector(2UL, "b"), BrokerData.Vector(BrokerData.Set("x", "y"))),
            (BrokerData.Vector(1UL, "a"), BrokerData.Table((BrokerData.Set(3UL), BrokerData.Vector(4UL, 5UL))))),
        BrokerData.Set(BrokerData.Vector(7UL), BrokerData.Vector(8UL, 9UL)),
        BrokerData.Vector(BrokerData.Vector(BrokerData.Vector("deep"))));

    [Fact]
    public void Earlier_values_survive_later_decodes()
    {
        var first = BrokerBinary.Decode(BrokerBinary.Encode(Nested));
        var text = first.ToString();

        // Later decodes with other kinds at the same places.
        for (int i = 0; i < 3; i++)
        {
            var other = BrokerData.Vector(Enumerable.Range(0, 40).Select(n => (BrokerData)(ulong)n).ToArray());
            Assert.Equal(other, BrokerBinary.Decode(BrokerBinary.Encode(other)));
        }

        Assert.Equal(Nested, first);
        Assert.Equal(text, first.ToString());
        Assert.Equal(BrokerBinary.Encode(Nested), BrokerBinary.Encode(first));
    }

    [Fact]
    public void Every_container_of_a_decoded_value_lives_in_the_values_own_array()
    {
        var decoded = BrokerBinary.Decode(BrokerBinary.Encode(Nested));
        var own = decoded.BackingObject;
        var second = BrokerBinary.Decode(BrokerBinary.Encode(Nested));

        Assert.NotSame(own, second.BackingObject);
        Visit(decoded, node =>
        {
            if (node.Kind is BrokerDataKind.Vector or BrokerDataKind.Set && node.Length > 0)
            {
                Assert.Same(own, node.BackingObject);
            }
        });
        Visit(second, node =>
        {
            if (node.Kind is BrokerDataKind.Vector or BrokerDataKind.Set && node.Length > 0)
            {
                Assert.Same(second.BackingObject, node.BackingObject);
            }
        });
    }

    [Fact]
    public void A_table_at_the_root_keeps_its_slices()
    {
        var table = BrokerData.Table((BrokerData.Vector(1UL), BrokerData.Set("a", "b")), (BrokerData.Vector(2UL), BrokerData.Vector()));
        var decoded = BrokerBinary.Decode(BrokerBinary.Encode(table));
        BrokerBinary.Decode(BrokerBinary.Encode(BrokerData.Vector(BrokerData.Vector(9UL, 9UL, 9UL, 9UL), 9UL, 9UL)));

        Assert.Equal(table, decoded);
        Assert.Equal("{(1) -> {a, b}, (2) -> ()}", decoded.ToString());
    }

    [Fact]
    public void A_failed_decode_leaves_nothing_that_shows_up_in_the_next_one()
    {
        // Strings, a nested vector and a set decoded, then the input ends early.
        var full = BrokerBinary.Encode(BrokerData.Vector("left", "over", BrokerData.Vector("x"), BrokerData.Set(1UL, 2UL), 5UL));
        var truncated = full.AsSpan(0, full.Length - 3).ToArray();
        Assert.Throws<BrokerDecodeException>(() => BrokerBinary.Decode(truncated));

        // Same slots, scalar kinds: no reference from the failed decode may come along.
        var scalars = BrokerData.Vector(1UL, BrokerData.None, true, -3L, 2.5, BrokerData.Port(80, PortProtocol.Tcp));
        var decoded = BrokerBinary.Decode(BrokerBinary.Encode(scalars));

        Assert.Equal(scalars, decoded);
        foreach (var element in decoded.AsVectorSpan())
        {
            Assert.Null(element.BackingObject);
        }

        Assert.Equal(BrokerData.Vector("left", "over", BrokerData.Vector("x"), BrokerData.Set(1UL, 2UL), 5UL), BrokerBinary.Decode(full));
    }

    [Fact]
    public void Failures_of_every_kind_in_a_row_never_break_a_later_decode()
    {
        string[] malformed =
        [
            "0E 03 05 01 61 0E 02 05 01 62", // truncated inside a nested vector
            "0E 02 0C 02 02", // truncated set element
            "0E 7F 00", // a count the input cannot hold
            "0E 02 0E 01 0E 01 0E 01 0E 01 FF", // unknown tag deep down
            "0D 01 0E 01 05 01 61", // a table missing its value
            "0E 01 07 00000000000000000000FFFF0A000001 05", // IPv4 subnet with length 5
        ];
        var expected = BrokerData.Vector("ok", BrokerData.Vector(1UL, 2UL), BrokerData.Set("s"));
        var bytes = BrokerBinary.Encode(expected);
        foreach (var hex in malformed)
        {
            Assert.Throws<BrokerDecodeException>(() => BrokerBinary.Decode(Hex(hex)));
            Assert.Equal(expected, BrokerBinary.Decode(bytes));
        }
    }

    [Fact]
    public void Unsorted_sets_with_repeats_are_normalised_in_place()
    {
        // [{3, 1, 3, 2}, [7]]: the set is sorted where it lies and shrinks to 3 elements; the vector after it
        // keeps its own elements.
        var decoded = BrokerBinary.Decode(Hex("0E02" + "0C04" + "020000000000000003" + "020000000000000001" + "020000000000000003" + "020000000000000002" + "0E01" + "020000000000000007"));

        Assert.Equal(BrokerData.Vector(BrokerData.Set(1UL, 2UL, 3UL), BrokerData.Vector(7UL)), decoded);
        Assert.Equal("({1, 2, 3}, (7))", decoded.ToString());
        Assert.Same(decoded.BackingObject, decoded[0].BackingObject);
    }

    [Theory]
    [InlineData(1_000)]
    [InlineData(1_024)]
    [InlineData(1_025)]
    [InlineData(20_000)]
    public void Small_and_large_inputs_in_turn_decode_alike(int targetBytes)
    {
        // A vector of small vectors of counts ([1, [2]]: 22 bytes each), padded with a string to exactly targetBytes.
        var items = new List<BrokerData>();
        while (BrokerBinary.GetEncodedSize(BrokerData.Vector(items)) + 22 + 100 < targetBytes)
        {
            items.Add(BrokerData.Vector(1UL, BrokerData.Vector(2UL)));
        }

        int pad = 0;
        BrokerData value;
        byte[] bytes;
        do
        {
            value = BrokerData.Vector(items.Append(BrokerData.String(new string('p', pad))));
            bytes = BrokerBinary.Encode(value);
            pad += targetBytes - bytes.Length;
        }
        while (bytes.Length != targetBytes);

        var small = BrokerBinary.Decode(BrokerBinary.Encode(Nested));
        var decoded = BrokerBinary.Decode(bytes);
        var again = BrokerBinary.Decode(BrokerBinary.Encode(Nested));

        Assert.Equal(value, decoded);
        Assert.Equal(Nested, small);
        Assert.Equal(Nested, again);
        Assert.Equal(items.Count + 1 + (3 * items.Count), ((BrokerData[])decoded.BackingObject!).Length); // root, then 3 per item
    }

    [Fact]
    public void Random_values_stay_intact_while_later_values_are_decoded()
    {
        // Keep the last few decoded values and check them after each new decode: a slice sharing memory with a
        // later decode would change.
        var kept = new Queue<(BrokerData Original, BrokerData Decoded)>();
        BrokerDataGen.Wire.Sample(value =>
        {
            var decoded = BrokerBinary.Decode(BrokerBinary.Encode(value));
            Assert.Equal(value, decoded);
            kept.Enqueue((value, decoded));
            if (kept.Count > 8)
            {
                kept.Dequeue();
            }

            foreach (var (original, earlier) in kept)
            {
                Assert.Equal(original, earlier);
                Assert.Equal(original.ToString(), earlier.ToString());
            }
        }, iter: 500, threads: 1, print: v => v.ToString());
    }

    [Fact]
    public void Threads_decoding_at_once_each_get_their_own_values()
    {
        var values = Enumerable.Range(0, 64)
            .Select(i => BrokerData.Vector($"event-{i}", BrokerData.Vector((ulong)i, BrokerData.Set((ulong)i, (ulong)(i + 1))), BrokerData.Table(((ulong)i, $"v{i}"))))
            .ToArray();
        var encoded = values.Select(v => BrokerBinary.Encode(v)).ToArray();

        Parallel.For(0, 4, worker =>
        {
            for (int round = 0; round < 200; round++)
            {
                int i = (worker * 17 + round) % values.Length;
                var decoded = BrokerBinary.Decode(encoded[i]);
                Assert.Equal(values[i], decoded);
            }
        });
    }

    private static void Visit(BrokerData value, Action<BrokerData> visit)
    {
        visit(value);
        switch (value.Kind)
        {
            case BrokerDataKind.Vector:
            case BrokerDataKind.Set:
                foreach (var element in value.AsSpanOfEither())
                {
                    Visit(element, visit);
                }

                break;
            case BrokerDataKind.Table:
                foreach (var entry in value.AsTable())
                {
                    Visit(entry.Key, visit);
                    Visit(entry.Value, visit);
                }

                break;
        }
    }
}
