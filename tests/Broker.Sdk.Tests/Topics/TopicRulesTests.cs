using Broker.Errors;
using Broker.Topics;

namespace Broker.Sdk.Tests.Topics;

public class TopicRulesTests
{
    [Theory]
    [InlineData("a", TopicProblem.None)]
    [InlineData("/zeek/event/my_event", TopicProblem.None)]
    [InlineData("zeek/event/", TopicProblem.None)] // a trailing separator is fine
    [InlineData("ä/ö", TopicProblem.None)]
    [InlineData("", TopicProblem.Empty)]
    [InlineData(null, TopicProblem.Empty)]
    [InlineData("a b", TopicProblem.WhiteSpace)]
    [InlineData(" a", TopicProblem.WhiteSpace)]
    [InlineData("a\tb", TopicProblem.WhiteSpace)]
    [InlineData("a\nb", TopicProblem.WhiteSpace)]
    [InlineData("a\u0000b", TopicProblem.WhiteSpace)]
    [InlineData("a\u007fb", TopicProblem.WhiteSpace)]
    [InlineData("a\u00a0b", TopicProblem.WhiteSpace)] // no-break space
    [InlineData("a//b", TopicProblem.EmptyComponent)]
    [InlineData("//", TopicProblem.EmptyComponent)]
    [InlineData("<$>", TopicProblem.Reserved)]
    [InlineData("store/<$>/data/master", TopicProblem.Reserved)]
    [InlineData("<$>/local/data/statuses", TopicProblem.Reserved)]
    public void Publish_topics_are_checked(string? topic, TopicProblem expected)
    {
        Assert.Equal(expected, TopicRules.CheckPublishTopic(topic));
    }

    [Theory]
    [InlineData("", TopicProblem.None)] // the empty prefix subscribes to everything
    [InlineData("zeek/", TopicProblem.None)]
    [InlineData("zeek", TopicProblem.None)]
    [InlineData(null, TopicProblem.Empty)]
    [InlineData("a//", TopicProblem.EmptyComponent)]
    [InlineData("a b", TopicProblem.WhiteSpace)]
    [InlineData("<$>/local", TopicProblem.Reserved)]
    [InlineData("<$>", TopicProblem.Reserved)]
    [InlineData("kv/<$>/data/master", TopicProblem.Reserved)]
    [InlineData("<$>/local/", TopicProblem.None)] // endpoint-local statuses, errors and store events may be subscribed to
    [InlineData("<$>/local/data/statuses", TopicProblem.None)]
    [InlineData("<$>/local/data/store-events", TopicProblem.None)]
    [InlineData("<$>/local/data/<$>", TopicProblem.Reserved)]
    [InlineData("<$>/local/a b", TopicProblem.WhiteSpace)]
    [InlineData("store/<$>/data/master", TopicProblem.Reserved)]
    public void Subscription_prefixes_are_checked(string? prefix, TopicProblem expected)
    {
        Assert.Equal(expected, TopicRules.CheckSubscriptionPrefix(prefix));
    }

    [Fact]
    public void Topics_are_limited_to_65535_UTF8_bytes()
    {
        Assert.Equal(TopicProblem.None, TopicRules.CheckPublishTopic(new string('a', 65535)));
        Assert.Equal(TopicProblem.TooLong, TopicRules.CheckPublishTopic(new string('a', 65536)));
        Assert.Equal(TopicProblem.None, TopicRules.CheckPublishTopic(new string('ä', 32767))); // 65534 bytes
        Assert.Equal(TopicProblem.TooLong, TopicRules.CheckPublishTopic(new string('ä', 32768))); // 65536 bytes
        Assert.Equal(TopicProblem.TooLong, TopicRules.CheckSubscriptionPrefix(new string('€', 21846))); // 65538 bytes
    }

    [Theory]
    [InlineData("bro/event", true)]
    [InlineData("bro/event/", false)]
    [InlineData("", false)]
    [InlineData("a", true)]
    public void Prefixes_ending_inside_a_component_are_flagged(string prefix, bool expected)
    {
        Assert.Equal(expected, TopicRules.EndsInsideComponent(prefix));
    }

    [Theory]
    [InlineData("<$>/local/data/statuses", true)]
    [InlineData("kv/<$>/data/master", true)]
    [InlineData("<$>", true)]
    [InlineData("/test", false)]
    [InlineData("<$", false)]
    public void Internal_topics_contain_the_reserved_marker(string topic, bool expected)
    {
        Assert.Equal(expected, TopicRules.IsInternal(topic));
    }

    [Fact]
    public void Every_problem_has_a_description_and_a_typed_exception()
    {
        foreach (var problem in Enum.GetValues<TopicProblem>())
        {
            Assert.False(string.IsNullOrWhiteSpace(TopicRules.Describe(problem)));
        }

        var ex = new InvalidTopicException("a//b", TopicProblem.EmptyComponent, "topic");
        Assert.Contains("a//b", ex.Message);
        Assert.Contains("//", ex.Message);
        Assert.Equal("topic", ex.ParamName);
        Assert.Equal(TopicProblem.EmptyComponent, ex.Problem);
    }

    [Theory]
    [InlineData("zeek/event/x", false, TopicProblem.None)]
    [InlineData("/zeek/event/x", false, TopicProblem.None)] // a leading separator is Broker convention (/test)
    [InlineData("zeek/event/", false, TopicProblem.TrailingSeparator)]
    [InlineData("zeek/event/", true, TopicProblem.None)] // a prefix may end with the separator
    [InlineData("", true, TopicProblem.None)]
    public void Layout_advice_flags_trailing_separators_on_published_topics(string topic, bool isPrefix, TopicProblem expected)
    {
        Assert.Equal(expected, TopicRules.CheckLayout(topic, isPrefix));
    }

    [Fact]
    public void Matching_is_an_ordinal_prefix_test()
    {
        Assert.True(TopicRules.Matches("a/b", "a/bc"));
        Assert.True(TopicRules.Matches("", "x"));
        Assert.False(TopicRules.Matches("a/bc", "a/b"));
        Assert.False(TopicRules.Matches("i", "I")); // no culture or case folding
        Assert.True(TopicRules.Matches("e\u0301", "e\u0301x"));
        Assert.False(TopicRules.Matches("\u00e9", "e\u0301")); // no normalisation: bytes differ
    }
}
