using System.Collections.Immutable;
using Broker.Data;
using Broker.Zeek;
using Xunit;
using static Broker.Sdk.Tests.Peering.PeeringTestKit;

namespace Broker.Sdk.Tests.Peering;

public sealed class ZeekMessageTests
{
    [Fact]
    public async Task Events_prints_and_logs_travel_between_endpoints()
    {
        await using var a = new BrokerEndpoint();
        await using var b = new BrokerEndpoint();
        await using var events = b.Subscribe("zeek/event/");
        await using var prints = b.Subscribe("zeek/print");
        await using var logs = b.Subscribe(ZeekMessages.LogTopicPrefix);
        await ConnectAsync(a, b);
        await WaitForFilterAsync(a, "zeek/event/x");
        await WaitForFilterAsync(a, "bro/log/Conn::LOG");

        var ts = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
        var ev = new ZeekEvent("my_event", ImmutableArray.Create(BrokerData.Count(1), BrokerData.String("x")), ImmutableArray.Create((ZeekEvent.NetworkTimestampKey, BrokerData.Timestamp(ts))));
        a.PublishEvent("zeek/event/x", ev);
        a.Publish("zeek/event/x", BrokerData.Vector(BrokerData.String("legacy"), BrokerData.Count(5))); // seed form [name, args...]
        a.PublishPrint("zeek/print", "hello print");
        Assert.False(a.PublishLog("Conn::LOG", [BrokerData.Count(1)])); // off by default
        a.EnableRemoteLogs("Conn::LOG");
        Assert.True(a.PublishLog("Conn::LOG", [BrokerData.Count(2), BrokerData.String("tcp")]));
        Assert.False(a.PublishLog("DNS::LOG", [BrokerData.Count(3)]));
        a.EnableRemoteLogs();
        Assert.True(a.PublishLog("DNS::LOG", [BrokerData.Count(4)]));
        a.DisableRemoteLogs();
        Assert.False(a.PublishLog("Conn::LOG", [BrokerData.Count(5)]));

        Assert.True(ZeekEvent.TryDecode((await events.ReceiveAsync(Deadline)).Data, out var got));
        Assert.Equal("my_event", got!.Name);
        Assert.Equal(ts, got.NetworkTimestamp);
        Assert.Equal("x", got.Arguments[1].AsString());
        Assert.True(ZeekEvent.TryDecode((await events.ReceiveAsync(Deadline)).Data, out var legacy));
        Assert.Equal("legacy", legacy!.Name);
        Assert.Equal(5UL, legacy.Arguments[0].AsCount());

        Assert.True(ZeekMessages.TryDecodePrint((await prints.ReceiveAsync(Deadline)).Data, out var text));
        Assert.Equal("hello print", text);

        var log1 = await logs.ReceiveAsync(Deadline);
        Assert.Equal("bro/log/Conn::LOG", log1.Topic);
        Assert.True(ZeekMessages.TryDecodeLog(log1.Data, out var stream, out var fields));
        Assert.Equal("Conn::LOG", stream);
        Assert.Equal(2UL, fields[0].AsCount());
        var log2 = await logs.ReceiveAsync(Deadline);
        Assert.True(ZeekMessages.TryDecodeLog(log2.Data, out var stream2, out var fields2));
        Assert.Equal("DNS::LOG", stream2);
        Assert.Equal(4UL, fields2[0].AsCount());
        Assert.False(logs.TryReceive(out _));
    }

    [Fact]
    public void Decoders_reject_other_shapes_without_throwing()
    {
        Assert.False(ZeekMessages.TryDecodePrint(BrokerData.Count(1), out _));
        Assert.False(ZeekMessages.TryDecodePrint(BrokerData.Vector(BrokerData.Count(1)), out _));
        Assert.False(ZeekMessages.TryDecodeLog(BrokerData.Vector(BrokerData.String("x"), BrokerData.Vector()), out _, out _));
        Assert.False(ZeekEvent.TryDecode(BrokerData.Vector(BrokerData.Count(1), BrokerData.Count(2), BrokerData.String("x")), out _));
    }
}
