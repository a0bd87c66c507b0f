using Broker.Analyzers.CodeFixes;
using Broker.Analyzers.Tests.TestSupport;
using Broker.Analyzers.Topics;

namespace Broker.Analyzers.Tests;

public class TopicReachabilityAnalyzerTests
{
    private static string InMethod(string body, string members = "") => $$"""
        using Broker;
        using Broker.Data;
        class C
        {
            {{members}}
            void M(BrokerEndpoint e, string name)
            {
                {{body}}
            }
        }
        """;

    [Fact]
    public Task Typo_of_a_subscribed_prefix_is_a_warning() =>
        Verify.AnalyzerAsync<TopicReachabilityAnalyzer>(InMethod(
            """
            e.Subscribe("bro/event/");
            e.Publish({|BRK0003:"bro/evnt/x"|}, default);
            e.Publish({|BRK0003:"bor/event/x"|}, default);
            e.Publish({|BRK0003:"bro/events/x"|}, default);
            """));

    [Fact]
    public Task Matched_unrelated_or_unknown_topics_are_silent() =>
        Verify.AnalyzerAsync<TopicReachabilityAnalyzer>(InMethod(
            """
            e.Subscribe("bro/event/");
            e.Subscribe("zeek/event/pong");
            e.Publish("bro/event/x", default);
            e.Publish("zeek/event/ping", default);   // same components, differs inside the last one: not a typo
            e.Publish("app/status", default);        // far from every subscription: published to someone else
            e.Publish(name, default);
            e.Publish("b/x", default);               // too short to be a typo of anything
            """));

    [Fact]
    public Task Raw_prefix_matching_counts_as_matched() =>
        Verify.AnalyzerAsync<TopicReachabilityAnalyzer>(InMethod(
            """
            e.Subscribe({|BRK0002:"bro/event"|});   // matched, though only by the sibling hazard BRK0002 points out
            e.Publish("bro/events/x", default);
            """));

    [Fact]
    public Task Nothing_is_reported_without_subscriptions() =>
        Verify.AnalyzerAsync<TopicReachabilityAnalyzer>(InMethod("""e.Publish("bro/evnt/x", default);"""));

    [Fact]
    public Task A_subscription_unknown_at_compile_time_silences_the_rule() =>
        Verify.AnalyzerAsync<TopicReachabilityAnalyzer>(InMethod(
            """
            e.Subscribe("bro/event/");
            e.Subscribe(name);
            e.Publish("bro/evnt/x", default);
            """));

    [Fact]
    public Task Partly_known_subscription_matches_what_agrees_with_its_start() =>
        Verify.AnalyzerAsync<TopicReachabilityAnalyzer>(InMethod(
            """
            e.Subscribe("bro/event/");
            e.Subscribe($"bro/evnt/{name}/");
            e.Publish("bro/evnt/x", default);
            """));

    [Fact]
    public Task Event_contracts_and_log_streams_listen_too() =>
        Verify.AnalyzerAsync<TopicReachabilityAnalyzer>(
            """
            using Broker;
            [BrokerEvents("zeek/event/")]
            public partial interface IEvents { [BrokerEvent("e")] void E(); [BrokerEvent("f", Topic = "zeek/special/f")] void F(); }
            [LogStream("Test::LOG", Path = "test")]
            public partial record TestInfo(string Msg);
            class C
            {
                void M(BrokerEndpoint e)
                {
                    e.Publish("zeek/event/e", default);
                    e.Publish("zeek/special/f", default);
                    e.Publish("bro/log/x", default);
                    e.Publish({|BRK0003:"zeek/evnet/e"|}, default);
                    e.Publish({|BRK0003:"bro/lgo/x"|}, default);
                }
            }
            """);

    [Fact]
    public Task Partial_topics_are_checked_on_their_known_start() =>
        Verify.AnalyzerAsync<TopicReachabilityAnalyzer>(InMethod(
            """
            e.Subscribe("bro/event/");
            e.Publish({|BRK0003:$"bro/evnt/{name}"|}, default);
            e.Publish($"bro/event/{name}", default);
            e.Publish($"bro/{name}", default);       // could be bro/event/...: unknown, so silent
            """));

    [Fact]
    public Task Subscriptions_in_other_files_count() =>
        Verify.AnalyzerAsync<TopicReachabilityAnalyzer>(
            [
                InMethod("""e.Publish({|BRK0003:"bro/evnt/x"|}, default);"""),
                """
                using Broker;
                class D { void N(BrokerEndpoint e) => e.Subscribe("bro/event/"); }
                """,
            ]);

    [Fact]
    public Task Fix_replaces_the_literal_with_the_near_match() =>
        Verify.CodeFixAsync<TopicReachabilityAnalyzer, TopicLiteralCodeFixProvider>(
            InMethod("""e.Subscribe("bro/event/"); e.Publish({|BRK0003:"bro/evnt/x"|}, default);"""),
            InMethod("""e.Subscribe("bro/event/"); e.Publish("bro/event/x", default);"""),
            DiagnosticIds.LikelyTopicTypo,
            nonLocal: true);

    [Fact]
    public Task Fix_rewrites_the_text_of_an_interpolation() =>
        Verify.CodeFixAsync<TopicReachabilityAnalyzer, TopicLiteralCodeFixProvider>(
            InMethod("""e.Subscribe("zeek/event/"); e.Publish({|BRK0003:$"zeek/evnet/{name}"|}, default);"""),
            InMethod("""e.Subscribe("zeek/event/"); e.Publish($"zeek/event/{name}", default);"""),
            DiagnosticIds.LikelyTopicTypo,
            nonLocal: true);

    [Fact]
    public Task Fix_rewrites_a_const_field() =>
        Verify.CodeFixAsync<TopicReachabilityAnalyzer, TopicLiteralCodeFixProvider>(
            InMethod("""e.Subscribe("bro/event/"); e.Publish({|BRK0003:Topic|}, default);""", """const string Topic = "bro/evnt/x";"""),
            InMethod("""e.Subscribe("bro/event/"); e.Publish(Topic, default);""", """const string Topic = "bro/event/x";"""),
            DiagnosticIds.LikelyTopicTypo,
            nonLocal: true);

    [Fact]
    public Task Leading_separator_conventions_are_compared_too() =>
        Verify.AnalyzerAsync<TopicReachabilityAnalyzer>(InMethod(
            """
            e.Subscribe("/test/");
            e.Publish({|BRK0003:"test/x"|}, default);
            e.Publish("/test/x", default);
            """));

    [Fact]
    public Task Prefix_with_a_visible_sibling_is_info() =>
        Verify.AnalyzerAsync<TopicReachabilityAnalyzer>(InMethod(
            """
            e.Subscribe({|BRK0002:"bro/event"|});
            e.Subscribe("bro/events/");
            e.Subscribe({|BRK0002:"x"|});
            e.Publish($"xy/{name}", default);
            e.Subscribe({|BRK0002:"app/a"|});
            e.Publish("app/ab", default);
            """));

    [Fact]
    public Task Prefix_without_a_visible_sibling_is_meant() =>
        Verify.AnalyzerAsync<TopicReachabilityAnalyzer>(InMethod(
            """
            e.Subscribe("bro/event/ready");      // the seed's exact-topic subscription
            e.Publish("bro/event/ready", default);
            e.Subscribe("/test");
            e.Publish("/test/x", default);       // its own sub-topic, not a sibling
            e.Subscribe("bro/event/");
            e.Subscribe("");
            """));

    [Fact]
    public Task Fix_appends_separator_to_literal() =>
        Verify.CodeFixAsync<TopicReachabilityAnalyzer, TopicLiteralCodeFixProvider>(
            InMethod("""e.Subscribe({|BRK0002:"bro/event"|}); e.Subscribe("bro/events/");"""),
            InMethod("""e.Subscribe("bro/event/"); e.Subscribe("bro/events/");"""),
            DiagnosticIds.PrefixMatchesSiblings,
            nonLocal: true);

    [Fact]
    public Task Fix_appends_separator_to_const_field() =>
        Verify.CodeFixAsync<TopicReachabilityAnalyzer, TopicLiteralCodeFixProvider>(
            InMethod("""e.Subscribe({|BRK0002:Prefix|}); e.Publish("bro/eventual", default);""", """const string Prefix = "bro/event";"""),
            InMethod("""e.Subscribe(Prefix); e.Publish("bro/eventual", default);""", """const string Prefix = "bro/event/";"""),
            DiagnosticIds.PrefixMatchesSiblings,
            nonLocal: true);

    [Fact]
    public Task Fix_appends_separator_to_contract_prefix() =>
        Verify.CodeFixAsync<TopicReachabilityAnalyzer, TopicLiteralCodeFixProvider>(
            """
            using Broker;
            [BrokerEvents({|BRK0002:"bro/event"|})]
            public partial interface IEvents { [BrokerEvent("e")] void E(); }
            [BrokerEvents("bro/events/")]
            public partial interface IOthers { [BrokerEvent("f")] void F(); }
            """,
            """
            using Broker;
            [BrokerEvents("bro/event/")]
            public partial interface IEvents { [BrokerEvent("e")] void E(); }
            [BrokerEvents("bro/events/")]
            public partial interface IOthers { [BrokerEvent("f")] void F(); }
            """,
            DiagnosticIds.PrefixMatchesSiblings,
            nonLocal: true);

    [Theory]
    [InlineData("bro/evnt/x", "bro/event/", "bro/event")]
    [InlineData("bro/event/x", "bro/evnt/", "bro/evnt")]
    [InlineData("zeek/events/x", "zeek/event/", "zeek/event")]
    [InlineData("zeek/logs/conn", "zeek/log/", "zeek/log")]
    public void Near_miss_replaces_whole_leading_components(string topic, string listener, string expectedHead)
    {
        NearMiss.Match? match = NearMiss.Find(topic, [listener]);
        Assert.NotNull(match);
        Assert.Equal(expectedHead, match.Value.FixedHead);
        Assert.StartsWith(listener, match.Value.FixedHead + topic[match.Value.ReplacedLength..], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("zeek/event/ping", "zeek/event/pong")]
    [InlineData("app/status", "bro/event/")]
    [InlineData("bro/event/x", "bro/event/")]
    [InlineData("a/b", "a/c/")]
    public void Near_miss_ignores_matches_and_unrelated_topics(string topic, string listener) =>
        Assert.Null(NearMiss.Find(topic, [listener]));

    [Fact]
    public void Near_miss_prefers_the_closest_then_longest_listener()
    {
        Assert.Equal("bro/event/", NearMiss.Find("bro/evnt/x", ["bro/even/", "bro/event/", "bro/ev/"])!.Value.Listener);
        Assert.Equal("zeek/evnt1/", NearMiss.Find("zeek/evnt/x", ["zeek/evantt/", "zeek/evnt1/"])!.Value.Listener);
    }

    [Theory]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("abcd", "acbd", 1)]
    [InlineData("abc", "abc", 0)]
    public void Edit_distance_counts_transpositions_as_one(string a, string b, int expected) =>
        Assert.Equal(expected, NearMiss.Distance(a, a.Length, b, 5));
}
