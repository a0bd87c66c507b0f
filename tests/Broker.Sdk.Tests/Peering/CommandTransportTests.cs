using System.Collections.Concurrent;
using Xunit;
using static Broker.Sdk.Tests.Peering.PeeringTestKit;

namespace Broker.Sdk.Tests.Peering;

public sealed class CommandTransportTests
{
    private const string MasterTopic = "kv/<$>/data/master";
    private const string CloneTopic = "kv/<$>/data/clone";

    [Fact]
    public async Task Command_frames_reach_remote_and_local_handlers_and_are_advertised()
    {
        await using var master = new BrokerEndpoint();
        await using var clone = new BrokerEndpoint();
        var atMaster = new ConcurrentQueue<CommandMessage>();
        var atClone = new ConcurrentQueue<CommandMessage>();
        using var h1 = master.AddCommandHandler(MasterTopic, atMaster.Enqueue);
        using var h2 = clone.AddCommandHandler(CloneTopic, atClone.Enqueue);
        await ConnectAsync(master, clone);
        await WaitUntilAsync(() => clone.AnyPeerSubscribes(MasterTopic), "the clone sees the master's store topic");
        await WaitUntilAsync(() => master.AnyPeerSubscribes(CloneTopic), "the master sees the clone's store topic");
        Assert.False(clone.AnyPeerSubscribes("other/<$>/data/master"));

        clone.SendCommand(MasterTopic, new byte[] { 1, 2, 3 });
        await WaitUntilAsync(() => atMaster.Count == 1, "the master's handler got the command");
        Assert.True(atMaster.TryPeek(out var m));
        Assert.Equal(MasterTopic, m.Topic);
        Assert.Equal(clone.Id, m.Sender);
        Assert.True(m.Receiver.IsNil);
        Assert.Equal(new byte[] { 1, 2, 3 }, m.Payload.ToArray());

        // Unicast to the clone with its id in the envelope; and a local send reaches the local handler too.
        master.SendCommand(CloneTopic, new byte[] { 9 }, clone.Id);
        master.SendCommand(MasterTopic, new byte[] { 7 });
        await WaitUntilAsync(() => atClone.Count == 1 && atMaster.Count == 2, "the unicast and the local command arrived");
        Assert.True(atClone.TryPeek(out var c));
        Assert.Equal(clone.Id, c.Receiver);
        Assert.Equal(master.Id, c.Sender);
        Assert.Equal(master.Id, atMaster.ToArray()[1].Sender);
    }

    [Fact]
    public async Task A_throwing_handler_reports_an_error_and_later_commands_still_run()
    {
        await using var a = new BrokerEndpoint();
        await using var events = a.SubscribeEvents();
        int calls = 0;
        using var h = a.AddCommandHandler(MasterTopic, _ =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                throw new InvalidOperationException("boom");
            }
        });
        a.SendCommand(MasterTopic, new byte[] { 1 });
        a.SendCommand(MasterTopic, new byte[] { 2 });
        var error = await events.NextAsync<ErrorEvent>();
        Assert.Contains("boom", error.Message);
        await WaitUntilAsync(() => Volatile.Read(ref calls) == 2, "the second command ran");
    }
}
