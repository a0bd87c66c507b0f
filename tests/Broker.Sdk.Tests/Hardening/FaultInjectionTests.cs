using Broker.Data;
using Broker.Sdk.Tests.Peering;
using Broker.Sdk.Tests.Stores;
using Broker.Sdk.Tests.TestSupport;
using Broker.Stores;
using Xunit;

namespace Broker.Sdk.Tests.Hardening;

/// <summary>
/// Native peering and stores through <see cref="FaultProxy"/>: slow and fragmented links must work; truncation, duplication,
/// drops and resets mid-frame must only ever cost the affected connection, never the endpoint or its other peers.
/// </summary>
public sealed class FaultInjectionTests : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _owned = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        for (int i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }
    }

    private T Own<T>(T item) where T : IAsyncDisposable
    {
        _owned.Add(item);
        return item;
    }

    private BrokerEndpoint Endpoint(string name) => Own(new BrokerEndpoint(new BrokerEndpointOptions { Name = name, HandshakeTimeout = TimeSpan.FromSeconds(3) }));

    private static BrokerData Payload(int i) => BrokerData.Vector(BrokerData.Count((ulong)i), new string('x', 3000));

    [Fact]
    public async Task Delayed_and_one_byte_fragmented_links_deliver_everything_in_order_both_ways()
    {
        var a = Endpoint("a");
        var b = Endpoint("b");
        await using var atB = a.Subscribe("fault/to-a");
        await using var atA = b.Subscribe("fault/to-b");
        var local = await a.ListenAsync();
        var proxy = Own(new FaultProxy(local.Port) { OneByteWrites = true, Delay = TimeSpan.FromMilliseconds(1) });
        await b.PeerAsync("127.0.0.1", proxy.Port);
        await PeeringTestKit.WaitUntilAsync(() => a.Peers.Any(p => p.Id == b.Id), "a sees b through the proxy");

        const int count = 20;
        for (int i = 0; i < count; i++)
        {
            b.Publish("fault/to-a", Payload(i));
            a.Publish("fault/to-b", Payload(i));
        }

        for (int i = 0; i < count; i++)
        {
            Assert.Equal(Payload(i), (await atB.ReceiveAsync(PeeringTestKit.Deadline)).Data);
            Assert.Equal(Payload(i), (await atA.ReceiveAsync(PeeringTestKit.Deadline)).Data);
        }
    }

    [Theory]
    [InlineData(Fault.Truncate, true)]
    [InlineData(Fault.Truncate, false)]
    [InlineData(Fault.Reset, true)]
    [InlineData(Fault.Reset, false)]
    public async Task A_connection_cut_mid_frame_is_reported_lost_on_both_sides_and_recovers_with_retry(Fault fault, bool upstream)
    {
        var a = Endpoint("a");
        var b = Endpoint("b");
        var c = Endpoint("c");
        await using var sub = a.Subscribe("fault/");
        await using var subB = b.Subscribe("fault/"); // so that a sends b the big message in the downstream case
        await using var subC = c.Subscribe("fault/");
        var aEvents = a.SubscribeEvents();
        var bEvents = b.SubscribeEvents();
        var local = await a.ListenAsync();
        await PeeringTestKit.ConnectToAsync(a, local.Port, c); // a bystander on a direct link
        var proxy = Own(new FaultProxy(local.Port) { FaultUpstream = upstream });
        await b.PeerAsync("127.0.0.1", proxy.Port, retry: TimeSpan.FromMilliseconds(100));
        await PeeringTestKit.WaitUntilAsync(() => a.Peers.Any(p => p.Id == b.Id), "a sees b");
        await aEvents.StatusAsync(StatusCode.PeerAdded);

        proxy.Arm(fault);
        // A large message spans several TCP chunks, so the fault lands inside a frame.
        (upstream ? b : a).Publish("fault/big", BrokerData.String(new string('y', 200_000)));

        await aEvents.NextAsync<StatusEvent>(e => e.Code == StatusCode.PeerLost && e.Peer?.Id == b.Id);
        await bEvents.NextAsync<StatusEvent>(e => e.Code == StatusCode.PeerLost && e.Peer?.Id == a.Id);

        // b reconnects through the (now healthy) proxy and traffic flows again; the bystander never noticed.
        await PeeringTestKit.WaitUntilAsync(() => proxy.Connections >= 2 && a.Peers.Any(p => p.Id == b.Id), "b re-peered with a");
        // a may see b before b has a's routing filter again (b would not send yet): publish until it arrives.
        await PeeringTestKit.WaitUntilAsync(() =>
        {
            b.Publish("fault/after", "hello");
            return Drain(sub, "fault/after");
        }, "b's messages reach a again");
        Assert.Contains(a.Peers, p => p.Id == c.Id);
        a.Publish("fault/bystander", "still here");
        await ReceiveTopicAsync(subC, "fault/bystander");
    }

    [Theory]
    [InlineData(Fault.Duplicate)]
    [InlineData(Fault.Drop)]
    public async Task Duplicated_or_dropped_bytes_cost_at_most_that_connection(Fault fault)
    {
        var a = Endpoint("a");
        var b = Endpoint("b");
        var c = Endpoint("c");
        await using var sub = a.Subscribe("fault/");
        await using var subC = c.Subscribe("fault/");
        var local = await a.ListenAsync();
        await PeeringTestKit.ConnectToAsync(a, local.Port, c);
        var proxy = Own(new FaultProxy(local.Port));
        await b.PeerAsync("127.0.0.1", proxy.Port);
        await PeeringTestKit.WaitUntilAsync(() => a.Peers.Any(p => p.Id == b.Id), "a sees b");

        proxy.Arm(fault);
        for (int i = 0; i < 50; i++)
        {
            b.Publish("fault/burst", Payload(i));
        }

        await PeeringTestKit.WaitUntilAsync(() => !proxy.IsArmed, "the fault was applied");

        // Without TLS nothing detects corrupted bytes (Broker has no checksums either): a may deliver a few wrong but
        // well-formed messages or close the connection. What matters is that a survives and nobody else is affected.
        while (sub.TryReceive(out _))
        {
        }

        // a is still fully usable: the bystander exchanges messages, and a fresh endpoint can peer.
        a.Publish("fault/bystander", "still here");
        await ReceiveTopicAsync(subC, "fault/bystander");
        var d = Endpoint("d");
        await PeeringTestKit.ConnectToAsync(a, local.Port, d);
        d.Publish("fault/fresh", "hi");
        await ReceiveTopicAsync(sub, "fault/fresh");
    }

    [Fact]
    public async Task A_clone_behind_a_fragmenting_link_converges_and_recovers_after_a_reset()
    {
        var storeMaster = new StoreOptions { TickInterval = TimeSpan.FromMilliseconds(20) };
        var cloneOptions = new CloneOptions
        {
            TickInterval = TimeSpan.FromMilliseconds(20),
            MasterTimeout = TimeSpan.FromMilliseconds(800),
            AttachTimeout = TimeSpan.FromSeconds(8),

            // Every byte crosses the proxy as its own write: on a loaded 2-core machine a clone write's round trip
            // after the reset took more than 5 s.
            DefaultTimeout = TimeSpan.FromSeconds(20),
        };
        var a = Endpoint("master-host");
        var b = Endpoint("clone-host");
        var local = await a.ListenAsync();
        var proxy = Own(new FaultProxy(local.Port) { OneByteWrites = true });
        await b.PeerAsync("127.0.0.1", proxy.Port, retry: TimeSpan.FromMilliseconds(100));
        await using var master = await a.AttachMasterAsync("faulty", null, storeMaster);
        await using var clone = await b.AttachCloneAsync("faulty", cloneOptions);
        for (int i = 0; i < 30; i++)
        {
            await master.PutAsync($"k{i}", (ulong)i);
        }

        await ConvergedAsync(master, clone);

        proxy.ResetAll();
        await PeeringTestKit.WaitUntilAsync(() => proxy.Connections >= 2 && a.Peers.Any(p => p.Id == b.Id), "the clone host re-peered");
        for (int i = 30; i < 60; i++)
        {
            await master.PutAsync($"k{i}", (ulong)i);
        }

        await clone.PutAsync("from-clone", "ok");
        await Wait.UntilAsync(async () => (await master.LookupAsync("from-clone")) is not null, "the clone's write reached the master");
        await ConvergedAsync(master, clone);
        Assert.Equal(61UL, await clone.SizeAsync());
    }

    [Fact]
    public async Task A_clone_write_while_the_route_to_its_master_is_down_is_sent_once_the_route_is_back()
    {
        // The clone stays synchronized through a short outage (its master timeout is long), so nothing tells it the
        // master is unreachable except that no peer routes to it: a write then must wait, not vanish.
        var cloneOptions = new CloneOptions
        {
            TickInterval = TimeSpan.FromMilliseconds(20),
            MasterTimeout = TimeSpan.FromSeconds(60),
            DefaultTimeout = TimeSpan.FromSeconds(20),
        };
        var a = Endpoint("master-host");
        var b = Endpoint("clone-host");
        var local = await a.ListenAsync();
        var proxy = Own(new FaultProxy(local.Port));
        await b.PeerAsync("127.0.0.1", proxy.Port, retry: TimeSpan.FromSeconds(1));
        await using var master = await a.AttachMasterAsync("outage", null, new StoreOptions { TickInterval = TimeSpan.FromMilliseconds(20) });
        await using var clone = await b.AttachCloneAsync("outage", cloneOptions);
        await master.PutAsync("before", 1UL);
        await ConvergedAsync(master, clone);

        // The outage: the proxy now forwards to a closed port, so the clone host's reconnection attempts fail.
        var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        proxy.TargetPort = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        proxy.ResetAll();
        await PeeringTestKit.WaitUntilAsync(() => b.Peers.Count == 0, "the clone host saw the connection go");
        Assert.True(clone.IsSynchronized);
        var write = clone.PutAsync("during-outage", 2UL);
        Assert.False(write.IsCompleted);

        // The route comes back at the clone host's next retry; the buffered write then reaches the master.
        proxy.TargetPort = local.Port;
        await write;
        Assert.Equal(BrokerData.Count(2), await master.GetAsync("during-outage"));
        await ConvergedAsync(master, clone);
    }

    private static async Task ConvergedAsync(DataStore master, DataStore clone) =>
        await Wait.UntilAsync(async () => clone.IsSynchronized && await clone.SnapshotAsync() == await master.SnapshotAsync(), "the clone equals the master");

    private static bool Drain(BrokerSubscription sub, string topic)
    {
        bool seen = false;
        while (sub.TryReceive(out var m))
        {
            seen |= m.Topic == topic;
        }

        return seen;
    }

    private static async Task ReceiveTopicAsync(BrokerSubscription sub, string topic)
    {
        while (true)
        {
            var m = await sub.ReceiveAsync(PeeringTestKit.Deadline); // the extension: fails after the deadline, never hangs
            if (m.Topic == topic)
            {
                return;
            }
        }
    }
}
