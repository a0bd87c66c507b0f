using Broker.Cli.Tests.TestSupport;
using Broker.Data;

namespace Broker.Cli.Tests;

/// <summary>
/// Issue 3: a peer *process* killed mid-stream (SIGKILL, so no BYE: golden lifecycle_kill-*). The in-test endpoint
/// reports peer_lost promptly, delivers nothing of that peer after it, keeps serving its other peer, and a retrying
/// originator re-peers with a new process on the same port.
/// </summary>
public sealed class KilledPeerTests
{
    [Fact]
    public async Task A_publisher_killed_mid_stream_is_lost_promptly_with_no_data_after_it_and_the_endpoint_keeps_working()
    {
        var (endpoint, port) = await Endpoints.ListeningAsync("sink");
        await using var _ = endpoint;
        // One ordered stream: the peers' data and our statuses as data (<$>/local/data/statuses).
        await using var all = endpoint.Subscribe("", new SubscriberOptions { QueueSize = 100_000 });
        await using var second = new BrokerEndpoint(new BrokerEndpointOptions { Name = "second" });
        await using var atSecond = second.Subscribe("/back");
        await second.PeerAsync("127.0.0.1", port);

        await using var publisher = CliProcess.Start("publish", "--peer", $"127.0.0.1:{port}", "--topic", "/stream");
        using var stop = new CancellationTokenSource();
        var credits = new SemaphoreSlim(256); // continuous, but never more than 256 values ahead of the reader
        var feeder = Task.Run(async () =>
        {
            try
            {
                for (ulong i = 1; ; i++)
                {
                    await credits.WaitAsync(stop.Token);
                    await publisher.WriteAsync($"{i}\n");
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException or InvalidOperationException)
            {
                // Stopped, or the process is gone.
            }
        });

        using var deadline = new CancellationTokenSource(CliProcess.DefaultWait);
        EndpointId publisherId = EndpointId.Nil;
        string? publisherName = null;
        ulong received = 0;
        while (received < 200)
        {
            var m = await all.ReceiveAsync(deadline.Token);
            if (m.Topic == StatusTopics.Statuses && m.Data[1] == BrokerData.EnumValue("peer_added"))
            {
                var id = EndpointId.Parse(m.Data[2][0].AsString());
                if (id != second.Id)
                {
                    publisherId = id;
                    publisherName = endpoint.Peers.Single(p => p.Id == id).Name;
                }
            }
            else if (m.Topic == "/stream")
            {
                Assert.Equal(publisherId, m.Sender); // never data before its peer_added
                Assert.Equal(BrokerData.Count(++received), m.Data);
                credits.Release();
            }
        }

        // The CLI names its endpoint broker-publish-<pid>; we learned it through the name exchange.
        Assert.Equal($"broker-publish-{publisher.ProcessId}", publisherName);

        await publisher.KillAsync();
        var killedAt = System.Diagnostics.Stopwatch.StartNew();
        await stop.CancelAsync();

        // peer_lost arrives within the bound, after the last value of that peer.
        while (true)
        {
            var m = await all.ReceiveAsync(deadline.Token);
            if (m.Topic == "/stream")
            {
                Assert.Equal(BrokerData.Count(++received), m.Data); // in order, nothing lost or duplicated
                continue;
            }

            if (m.Topic == StatusTopics.Statuses && m.Data[1] == BrokerData.EnumValue("peer_lost"))
            {
                Assert.Equal(publisherId.ToString(), m.Data[2][0].AsString());
                break;
            }
        }

        Assert.True(killedAt.Elapsed < TimeSpan.FromSeconds(5), $"peer_lost took {killedAt.Elapsed.TotalMilliseconds:0} ms after the kill");
        Assert.DoesNotContain(endpoint.Peers, p => p.Id == publisherId);

        // The other peer still exchanges data both ways, and nothing of the dead publisher follows its peer_lost.
        await Net.UntilAsync(() => second.PeerSubscriptions.Contains(""), "the second peer knows the endpoint's filter");
        second.Publish("/after", "still here");
        while (true)
        {
            var m = await all.ReceiveAsync(deadline.Token);
            Assert.NotEqual("/stream", m.Topic);
            if (m.Topic == "/after")
            {
                Assert.Equal(second.Id, m.Sender);
                break;
            }
        }

        await Net.UntilAsync(() => endpoint.PeerSubscriptions.Contains("/back"), "the endpoint knows the second peer's filter");
        endpoint.Publish("/back", "answer");
        Assert.Equal(BrokerData.String("answer"), (await atSecond.ReceiveAsync(deadline.Token)).Data);
        await feeder;
    }

    [Fact]
    public async Task A_retrying_originator_re_peers_with_a_new_process_after_the_old_one_was_killed()
    {
        int nodePort = Net.ClosedPort();
        await using var first = CliProcess.Start("node", "--listen", $"127.0.0.1:{nodePort}", "--name", "node-1", "-s", "/to-node");
        await first.WaitForListeningPortAsync();

        await using var originator = new BrokerEndpoint(new BrokerEndpointOptions { Name = "originator" });
        await using var events = originator.SubscribeEvents();
        var peer = await originator.PeerAsync("127.0.0.1", nodePort, retry: TimeSpan.FromMilliseconds(200));
        Assert.Equal("node-1", peer.Name);
        var incoming = await first.WaitForStatusAsync("peer_added");
        Assert.Equal("originator", (string?)incoming["peer"]!["name"]);

        await first.KillAsync();
        var lost = await NextStatusAsync(events, StatusCode.PeerLost);
        Assert.Equal(peer.Id, lost.Peer!.Id);

        // Nothing listens now: the originator keeps retrying (peer_unavailable) until a new process appears.
        await using var second = CliProcess.Start("node", "--listen", $"127.0.0.1:{nodePort}", "--name", "node-2", "-s", "/to-node");
        var added = await NextStatusAsync(events, StatusCode.PeerAdded);
        Assert.Equal("node-2", added.Peer!.Name);
        Assert.NotEqual(peer.Id, added.Peer.Id);

        await Net.UntilAsync(() => originator.PeerSubscriptions.Contains("/to-node"), "the new node's filter arrived");
        originator.Publish("/to-node/x", "hello again");
        var line = await second.WaitForLineAsync(o => (string?)o["topic"] == "/to-node/x", "the message from the originator");
        Assert.Equal("hello again", (string?)line["data"]);
    }

    private static async Task<StatusEvent> NextStatusAsync(EventSubscription events, StatusCode code)
    {
        using var cts = new CancellationTokenSource(CliProcess.DefaultWait);
        while (true)
        {
            if (await events.ReceiveAsync(cts.Token) is StatusEvent s && s.Code == code)
            {
                return s;
            }
        }
    }
}
