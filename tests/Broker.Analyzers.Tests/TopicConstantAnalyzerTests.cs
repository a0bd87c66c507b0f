using Broker.Analyzers.Tests.TestSupport;
using Broker.Analyzers.Topics;

namespace Broker.Analyzers.Tests;

public class TopicConstantAnalyzerTests
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

    [Theory]
    [InlineData("""e.Publish({|BRK0001:""|}, default);""")]
    [InlineData("""e.Publish({|BRK0001:"bro/ event/x"|}, default);""")]
    [InlineData("""e.Publish({|BRK0001:"bro/event/x\t"|}, default);""")]
    [InlineData("""e.Publish({|BRK0001:"bro//event/x"|}, default);""")]
    [InlineData("""e.Publish({|BRK0001:"<$>/local/x"|}, default);""")]
    [InlineData("""e.Publish({|BRK0001:"bro/event/"|}, default);""")]
    [InlineData("""e.Subscribe({|BRK0001:"bro//event/"|});""")]
    [InlineData("""e.Subscribe({|BRK0001:" "|});""")]
    [InlineData("""e.Subscribe({|BRK0001:"<$>/data/"|});""")]  // only endpoint-local topics may carry the marker
    [InlineData("""e.Publish(topic: {|BRK0001:"a//b"|}, data: default);""")]
    public Task Malformed_topic_literals_are_errors(string body) =>
        Verify.AnalyzerAsync<TopicConstantAnalyzer>(InMethod(body));

    [Theory]
    [InlineData("""e.Publish("bro/event/x", default);""")]
    [InlineData("""e.Publish("x", default);""")]
    [InlineData("""e.Subscribe("bro/event/");""")]
    [InlineData("""e.Subscribe("");""")]
    [InlineData("""e.Publish(name, default);""")]
    [InlineData("""e.Publish($"bro/event/{name}", default);""")]
    [InlineData("""e.Publish("bro/event/" + name, default);""")]
    [InlineData("""e.Publish(null!, default);""")]
    [InlineData("""e.Publish("/test/x", default);""")]      // Broker's own convention: a leading '/' is fine
    [InlineData("""e.Subscribe("/test");""")]
    [InlineData("""e.Subscribe(StatusTopics.Statuses);""")]   // endpoint-local statuses/errors may be subscribed to
    [InlineData("""e.Subscribe("<$>/local/data/errors");""")]
    [InlineData("""e.Subscribe("<$>/local/data/store-events");""")] // and store events
    public Task Valid_or_unknown_topics_are_silent(string body) =>
        Verify.AnalyzerAsync<TopicConstantAnalyzer>(InMethod(body));

    [Fact]
    public Task Const_fields_and_constant_interpolations_are_followed() =>
        Verify.AnalyzerAsync<TopicConstantAnalyzer>(InMethod(
            """
            e.Publish({|BRK0001:Bad|}, default);
            e.Publish({|BRK0001:$"{Root}/ x"|}, default);
            e.Publish({|BRK0001:Root + "//x"|}, default);
            e.Publish($"{Root}/x", default);
            """,
            """
            const string Root = "app";
            const string Bad = "app//x";
            """));

    [Fact]
    public Task Constant_pieces_of_run_time_interpolations_are_checked() =>
        Verify.AnalyzerAsync<TopicConstantAnalyzer>(InMethod(
            """
            e.Publish({|BRK0001:$"bro//event/{name}"|}, default);
            e.Publish({|BRK0001:$"bro/event/{name}/"|}, default);
            e.Publish({|BRK0001:$"bro/{name}/<$>"|}, default);
            e.Publish({|BRK0001:"bro /" + name|}, default);
            e.Subscribe($"bro/{name}/");
            """));

    [Fact]
    public Task Contract_attributes_are_checked() =>
        Verify.AnalyzerAsync<TopicConstantAnalyzer>(
            """
            using Broker;
            [BrokerEvents({|BRK0001:"bro//event/"|})]
            public partial interface IBad
            {
                [BrokerEvent("e", Topic = {|BRK0001:"x/y/"|})] void E();
            }
            [BrokerEvents("bro/event/")]
            public partial interface IGood
            {
                [BrokerEvent("e", Topic = "x/y")] void E();
            }
            [LogStream("Test::LOG", TopicPrefix = {|BRK0001:"<$>/log/"|})]
            public partial record BadLog(string Msg);
            [LogStream("Test::LOG", Path = "test")]
            public partial record GoodLog(string Msg);
            """);

    [Fact]
    public Task User_methods_with_the_marker_are_checked_too() =>
        Verify.AnalyzerAsync<TopicConstantAnalyzer>(
            """
            using Broker;
            class Wrapper
            {
                public void Send([TopicParameter(TopicUsage.Publish)] string topic) { }
                void M() { Send({|BRK0001:"a//b"|}); Send("a/b"); }
            }
            """);
}
