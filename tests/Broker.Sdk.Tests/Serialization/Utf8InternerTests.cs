using System.Text;
using Broker.Data;
using Broker.Serialization;

namespace Broker.Sdk.Tests.Serialization;

/// <summary>
/// The decoder's cache of short strings: shared, bounded, never wrong. Runs alone: a test decoding random strings
/// at the same time could evict the entries the sharing tests look at.
/// </summary>
[Collection(nameof(Utf8InternerTests))]
public class Utf8InternerTests
{
    [Fact]
    public void Decoding_the_same_short_string_twice_shares_one_array()
    {
        byte[] bytes = BrokerBinary.Encode(BrokerData.Vector("my_event_interned", BrokerData.EnumValue("Conn::LOG_interned")));

        var first = BrokerBinary.Decode(bytes);
        var second = BrokerBinary.Decode(bytes);

        Assert.Same(first[0].BackingObject, second[0].BackingObject);
        Assert.Same(first[1].BackingObject, second[1].BackingObject);
        Assert.Equal("my_event_interned", second[0].AsString());
        Assert.Equal("Conn::LOG_interned", second[1].AsEnumName());
    }

    [Fact]
    public void Two_strings_that_share_a_bucket_both_stay_cached()
    {
        // Find two strings whose hashes collide in this process (the hash is seeded per process).
        var seen = new Dictionary<int, byte[]>();
        byte[] x = [], y = [];
        for (int i = 0; ; i++)
        {
            var candidate = Encoding.UTF8.GetBytes($"collide-{i}");
            int bucket = Utf8Interner.BucketOf(candidate);
            if (seen.TryGetValue(bucket, out var other))
            {
                (x, y) = (other, candidate);
                break;
            }

            seen[bucket] = candidate;
        }

        var cachedX = Utf8Interner.Get(x);
        var cachedY = Utf8Interner.Get(y);
        for (int round = 0; round < 3; round++)
        {
            Assert.Same(cachedX, Utf8Interner.Get(x));
            Assert.Same(cachedY, Utf8Interner.Get(y));
        }
    }

    [Fact]
    public void Long_strings_are_not_cached()
    {
        string text = new('x', Utf8Interner.MaxLength + 1);
        byte[] bytes = BrokerBinary.Encode(BrokerData.String(text));

        Assert.NotSame(BrokerBinary.Decode(bytes).BackingObject, BrokerBinary.Decode(bytes).BackingObject);
        Assert.Equal(text, BrokerBinary.Decode(bytes).AsString());
    }

    [Fact]
    public void The_cache_stays_bounded_under_a_flood_of_distinct_strings()
    {
        for (int i = 0; i < 20 * Utf8Interner.Capacity; i++)
        {
            var s = Encoding.UTF8.GetBytes($"flood-{i}");
            var cached = Utf8Interner.Get(s);
            Assert.Equal(s, cached);
        }

        Assert.InRange(Utf8Interner.Count, 1, Utf8Interner.Capacity);
    }

    [Fact]
    public void Colliding_and_concurrent_strings_always_come_back_with_their_own_bytes()
    {
        // Many more distinct strings than slots, looked up from several threads at once: every result must equal
        // its input (a hit is confirmed byte for byte; an overwritten slot only costs a miss).
        var inputs = Enumerable.Range(0, 4 * Utf8Interner.Capacity).Select(i => Encoding.UTF8.GetBytes($"k{i % 997}-{i}")).ToArray();
        Parallel.For(0, 4, worker =>
        {
            for (int round = 0; round < 5; round++)
            {
                for (int i = worker; i < inputs.Length; i += 2)
                {
                    Assert.True(Utf8Interner.Get(inputs[i]).AsSpan().SequenceEqual(inputs[i]));
                }
            }
        });
    }

    [Fact]
    public void The_empty_string_and_a_string_of_each_short_length_round_trip()
    {
        for (int n = 0; n <= Utf8Interner.MaxLength + 2; n++)
        {
            byte[] bytes = Enumerable.Range(0, n).Select(i => (byte)(i * 37)).ToArray();
            Assert.Equal(bytes, Utf8Interner.Get(bytes));
            Assert.Equal(bytes, Utf8Interner.Get(bytes)); // second time possibly from the cache
        }
    }
}

/// <summary>Keeps <see cref="Utf8InternerTests"/> from running beside other tests.</summary>
[CollectionDefinition(nameof(Utf8InternerTests), DisableParallelization = true)]
public sealed class Utf8InternerCollection
{
}
