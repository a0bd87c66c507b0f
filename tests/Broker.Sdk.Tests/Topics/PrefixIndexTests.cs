using Broker.Topics;

namespace Broker.Sdk.Tests.Topics;

public class PrefixIndexTests
{
    private static List<string> Match(PrefixIndex<string> index, string topic)
    {
        var results = new List<string>();
        index.Match(topic, results);
        return results;
    }

    [Theory]
    [InlineData("a/b", "a/b", true)]
    [InlineData("a/b", "a/b/c", true)]
    [InlineData("a/b", "a/bc", true)] // raw string prefix, not path segments
    [InlineData("a/b/", "a/bc", false)]
    [InlineData("a/b", "a/", false)]
    [InlineData("a/b", "a", false)]
    [InlineData("", "anything", true)] // the empty prefix matches everything
    [InlineData("", "", true)]
    [InlineData("", "<$>/local/data/statuses", true)] // including internal topics
    [InlineData("/foo", "/foobar", true)]
    [InlineData("/foo", "/fo", false)]
    [InlineData("a", "alice", true)]
    [InlineData("A", "a", false)] // case-sensitive
    [InlineData("ä", "äb", true)]
    [InlineData("a/b", "", false)]
    public void Matches_like_Broker(string prefix, string topic, bool expected)
    {
        var index = new PrefixIndex<string>();
        index.Add(prefix, "sub");

        Assert.Equal(expected, TopicRules.Matches(prefix, topic));
        Assert.Equal(expected, index.HasMatch(topic));
        Assert.Equal(expected, index.HasMatch(topic.AsSpan()));
        Assert.Equal(expected ? ["sub"] : [], Match(index, topic));
    }

    [Fact]
    public void Returns_every_matching_value_shorter_prefixes_first()
    {
        var index = new PrefixIndex<string>();
        index.Add("a/bc", "abc");
        index.Add("a/b", "ab");
        index.Add("", "all");
        index.Add("a/b", "ab2");
        index.Add("a/bd", "abd");
        index.Add("b", "b");

        Assert.Equal(["all", "ab", "ab2", "abc"], Match(index, "a/bcd"));
        Assert.Equal(["all", "ab", "ab2"], Match(index, "a/b"));
        Assert.Equal(["all"], Match(index, "a/"));
        Assert.Equal(["all", "b"], Match(index, "b/x"));
        Assert.Equal(6, index.Count);
    }

    [Fact]
    public void A_value_under_several_matching_prefixes_appears_once_per_prefix()
    {
        var index = new PrefixIndex<int>();
        index.Add("a", 1);
        index.Add("a/b", 1);

        var results = new List<int>();
        index.Match("a/b/c", results);
        Assert.Equal([1, 1], results);
    }

    [Fact]
    public void Repeated_registrations_are_ignored_and_removal_is_exact()
    {
        var index = new PrefixIndex<string>();
        Assert.True(index.Add("a/b", "x"));
        Assert.False(index.Add("a/b", "x"));
        Assert.Equal(1, index.Count);

        Assert.False(index.Remove("a/b", "y"));
        Assert.False(index.Remove("a/", "x"));
        Assert.False(index.Remove("a/bc", "x"));
        Assert.False(index.Remove("zzz", "x"));
        Assert.True(index.Remove("a/b", "x"));
        Assert.False(index.Remove("a/b", "x"));
        Assert.Equal(0, index.Count);
        Assert.False(index.HasMatch("a/b"));
        Assert.Empty(index.Enumerate());
    }

    [Fact]
    public void Removing_inner_prefixes_keeps_longer_and_shorter_ones()
    {
        var index = new PrefixIndex<string>();
        index.Add("abc", "1");
        index.Add("abd", "2");
        index.Add("ab", "3");
        index.Add("a", "4");

        Assert.True(index.Remove("ab", "3"));
        Assert.Equal(["4", "1"], Match(index, "abc"));
        Assert.True(index.Remove("abc", "1"));
        Assert.Equal(["4"], Match(index, "abc"));
        Assert.Equal(["4", "2"], Match(index, "abd"));
        Assert.True(index.Remove("a", "4"));
        Assert.Equal(["2"], Match(index, "abdx"));
        Assert.Equal([new KeyValuePair<string, string>("abd", "2")], index.Enumerate());
    }

    [Fact]
    public void Clear_removes_everything()
    {
        var index = new PrefixIndex<string>();
        index.Add("", "all");
        index.Add("x", "x");
        index.Clear();
        Assert.Equal(0, index.Count);
        Assert.False(index.HasMatch("x"));
        Assert.True(index.Add("x", "x"));
    }

    [Fact]
    public void Arguments_are_checked()
    {
        var index = new PrefixIndex<string>();
        Assert.Throws<ArgumentNullException>(() => index.Add(null!, "x"));
        Assert.Throws<ArgumentNullException>(() => index.Add("x", null!));
        Assert.Throws<ArgumentNullException>(() => index.Match("x", null!));
    }

    [Fact]
    public void Match_allocates_nothing()
    {
        var index = new PrefixIndex<int>();
        for (int i = 0; i < 1000; i++)
        {
            index.Add($"zeek/event/{i}/", i);
        }

        index.Add("zeek/", -1);
        var results = new List<int>(16);
        index.Match("zeek/event/42/x", results);
        results.Clear();

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            index.Match("zeek/event/42/x", results);
            _ = index.HasMatch("zeek/event/42/x");
            results.Clear();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    // The index must agree with a naive StartsWith scan for any mix of adds, removes and lookups, including
    // prefixes that split and merge compressed edges.
    [Fact]
    public void Agrees_with_a_naive_scan_under_random_adds_and_removes()
    {
        var random = new Random(1234);
        var alphabet = "ab/c";
        string RandomText(int max)
        {
            var chars = new char[random.Next(0, max + 1)];
            for (int i = 0; i < chars.Length; i++)
            {
                chars[i] = alphabet[random.Next(alphabet.Length)];
            }

            return new string(chars);
        }

        var expected = new List<int>();
        var actual = new List<int>();
        for (int round = 0; round < 30; round++)
        {
            var index = new PrefixIndex<int>();
            var naive = new List<(string Prefix, int Value)>();
            for (int step = 0; step < 300; step++)
            {
                string prefix = RandomText(6);
                int value = random.Next(4);
                switch (random.Next(3))
                {
                    case 0:
                    case 1:
                    {
                        bool isNew = !naive.Contains((prefix, value));
                        if (isNew != index.Add(prefix, value)) Assert.Fail($"Add('{prefix}', {value}) should return {isNew}");
                        if (isNew) naive.Add((prefix, value));
                        break;
                    }

                    default:
                    {
                        // Remove an existing pair most of the time, a missing one otherwise.
                        if (naive.Count > 0 && random.Next(4) != 0)
                        {
                            (prefix, value) = naive[random.Next(naive.Count)];
                        }

                        bool present = naive.Remove((prefix, value));
                        if (present != index.Remove(prefix, value)) Assert.Fail($"Remove('{prefix}', {value}) should return {present}");
                        break;
                    }
                }

                if (naive.Count != index.Count) Assert.Fail($"count {index.Count}, expected {naive.Count}");
                for (int q = 0; q < 3; q++)
                {
                    string topic = RandomText(8);
                    expected.Clear();
                    foreach (var (p, v) in naive)
                    {
                        if (topic.StartsWith(p, StringComparison.Ordinal)) expected.Add(v);
                    }

                    actual.Clear();
                    index.Match(topic, actual);
                    expected.Sort();
                    actual.Sort();
                    if (!expected.SequenceEqual(actual) || (expected.Count > 0) != index.HasMatch(topic))
                    {
                        Assert.Fail($"topic '{topic}': expected [{string.Join(',', expected)}], got [{string.Join(',', actual)}]; " +
                            $"registrations: {string.Join(' ', naive.Select(n => $"'{n.Prefix}'={n.Value}"))}");
                    }
                }
            }

            Assert.Equal(
                naive.Select(p => $"{p.Prefix}={p.Value}").Order(),
                index.Enumerate().Select(p => $"{p.Key}={p.Value}").Order());
        }
    }
}
