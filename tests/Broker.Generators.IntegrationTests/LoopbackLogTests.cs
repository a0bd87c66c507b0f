using Broker.Data;
using Broker.Generators.IntegrationTests.Contracts;
using Broker.Generators.IntegrationTests.TestSupport;
using Broker.Typed;

namespace Broker.Generators.IntegrationTests;

/// <summary>Typed log writers and subscriptions over two real endpoints on 127.0.0.1.</summary>
public class LoopbackLogTests
{
    [Fact]
    public async Task Log_records_cross_a_real_connection_and_malformed_ones_are_reported()
    {
        await using var net = await Loopback.StartAsync();
        var errors = new System.Collections.Concurrent.ConcurrentQueue<ErrorEvent>();
        await using var subscription = TestInfo.Subscribe(net.Subscriber, new TypedSubscriptionOptions { OnError = errors.Enqueue });
        Assert.Equal("bro/log/Test::LOG", subscription.Stream.Topic);
        await net.WaitForSubscriptionAsync("bro/log/Test::LOG");

        var writer = TestInfo.Writer(net.Publisher);
        writer.Write(new TestInfo("first", 1));
        net.Publisher.Publish("bro/log/Test::LOG", BrokerData.Vector(BrokerData.EnumValue("Test::LOG"), BrokerData.Vector("bad", -1L, BrokerData.None)));
        net.Publisher.Publish("bro/log/Test::LOG", BrokerData.String("not a log write"));
        writer.Write(new TestInfo("second", 2, "with note"));

        var received = new List<TestInfo>();
        using var cts = new CancellationTokenSource(Loopback.Deadline);
        await foreach (var record in subscription.WithCancellation(cts.Token))
        {
            received.Add(record);
            if (received.Count == 2)
            {
                break;
            }
        }

        Assert.Equal([new TestInfo("first", 1), new TestInfo("second", 2, "with note")], received);
        Assert.Equal(2, subscription.ErrorCount);
        var messages = errors.Select(e => e.Message).ToArray();
        Assert.Contains(messages, m => m.Contains("'Num' is declared as ulong but the value received is a Broker integer (-1)", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("is not a log write", StringComparison.Ordinal));
    }

    [Fact]
    public void Log_write_has_the_seed_wire_shape()
    {
        var message = new LogWriter<TestInfo>(new BrokerEndpoint(), TestInfo.BrokerLogStream, static r => r.ToBrokerData())
            .ToMessage(new TestInfo("m", 5));
        Assert.Equal(BrokerData.Vector(BrokerData.EnumValue("Test::LOG"), BrokerData.Vector("m", 5UL, BrokerData.None)), message);
        Assert.Equal("test", TestInfo.BrokerLogStream.Path);
    }
}
