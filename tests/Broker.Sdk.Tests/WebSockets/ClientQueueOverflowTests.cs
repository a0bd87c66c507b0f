using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text.Json;
using Broker.Data;
using Broker.WebSockets;
using Xunit;

namespace Broker.Sdk.Tests.WebSockets;

/// <summary>
/// <see cref="WebSocketServerOptions.ClientQueueSize"/> and <see cref="WebSocketServerOptions.OverflowPolicy"/>: a client
/// that stops reading while a native publisher floods it keeps a queue of exactly ClientQueueSize messages, loses what
/// the policy says (every loss counted), and costs nothing to another WebSocket client, or a native peer subscribed over TCP.
/// </summary>
public sealed class ClientQueueOverflowTests
{
    private const int QueueSize = 4;
    private const int Markers = 100;

    // One filler is bigger than the kernel can buffer for a client that does not read (the largest send buffer plus
    // a small receive buffer), so the server's writer blocks inside the first one and the queue behind it fills.
    private static readonly BrokerData Filler = BrokerData.String(new string('f', MaxSendBuffer() + (1 << 20)));

    private static int MaxSendBuffer()
    {
        const string path = "/proc/sys/net/ipv4/tcp_wmem";
        return File.Exists(path) ? int.Parse(File.ReadAllText(path).Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries)[2]) : 16 << 20;
    }

    [Theory]
    [InlineData(OverflowPolicy.DropOldest)]
    [InlineData(OverflowPolicy.DropNewest)]
    [InlineData(OverflowPolicy.Disconnect)]
    public async Task A_client_that_stops_reading_keeps_a_bounded_queue_and_others_get_everything(OverflowPolicy policy)
    {
        await using var host = new BrokerEndpoint(new BrokerEndpointOptions { Name = "ws-queue-host" });
        await using var native = new BrokerEndpoint(new BrokerEndpointOptions { Name = "ws-queue-native" });
        var bound = await host.ListenWebSocketAsync("127.0.0.1", 0, new WebSocketServerOptions { ClientQueueSize = QueueSize, OverflowPolicy = policy });
        try
        {
            await using var remote = native.Subscribe("/q/m");
            await native.PeerAsync("127.0.0.1", (await host.ListenAsync()).Port);
            await WsTestSupport.WaitUntil(() => host.AnyPeerSubscribes("/q/m/x"), "the native peer's subscription reached the host");

            await using var fast = await BrokerWebSocketClient.ConnectAsync(WsTestSupport.Uri(bound), ["/q/m"], null, WsTestSupport.Timeout());
            using var slow = await SmallBufferConnectAsync(bound, "[\"/q/\"]");
            Assert.NotNull(await WsTestSupport.ReceiveTextAsync(slow)); // the ACK
            await WsTestSupport.WaitUntil(() => host.WebSocketClientCount == 2, "both clients are registered");
            var session = host.WebSocketHub.Snapshot().Single(s => s.Subscriptions.SequenceEqual(["/q/"]));

            // The writer takes the first filler and blocks inside it for good: it is bigger than the kernel can buffer.
            long published = 1;
            host.Publish("/q/fill", Filler);
            await WsTestSupport.WaitUntil(() => session.QueueDepth == 0, "the writer took the first filler");
            for (int i = 0; i < QueueSize; i++)
            {
                host.Publish("/q/fill", Filler);
                published++;
            }

            Assert.Equal(QueueSize, session.QueueDepth);
            Assert.Equal(0, session.DroppedCount);

            // One more overflows; then markers, each also past the limit for the slow client. The fast client has the
            // same small queue, so each marker is awaited everywhere else before the next: they must all arrive, in order.
            host.Publish("/q/fill", Filler);
            published++;
            Assert.Equal(1, session.DroppedCount);
            for (int i = 0; i < Markers; i++)
            {
                host.Publish("/q/m", BrokerData.Count((ulong)i));
                published++;
                Assert.InRange(session.QueueDepth, 0, QueueSize);
                Assert.Equal((ulong)i, (await fast.ReceiveAsync(WsTestSupport.Timeout())).Data.AsCount());
                Assert.Equal((ulong)i, (await remote.ReceiveAsync(WsTestSupport.Timeout())).Data.AsCount());
            }

            Assert.Equal(0, fast.DroppedCount);

            if (policy == OverflowPolicy.Disconnect)
            {
                // Only the slow client goes: it reads what was already on the wire, then the connection ends.
                await WsTestSupport.WaitUntil(() => host.WebSocketClientCount == 1, "the slow client was disconnected");
                Assert.True(session.DroppedCount > 0);
                await AssertEndsAsync(slow);
                Assert.Equal(1, host.WebSocketClientCount);
                host.Publish("/q/m", BrokerData.String("after"));
                Assert.Equal("after", (await fast.ReceiveAsync(WsTestSupport.Timeout())).Data.AsString());
                return;
            }

            // The slow client catches up: it gets everything still queued, then a final marker that fits again.
            var markers = new List<long>();
            long received = 0;
            var reading = Task.Run(async () =>
            {
                while (true)
                {
                    var text = await WsTestSupport.ReceiveTextAsync(slow) ?? throw new InvalidOperationException("the slow client was closed");
                    using var json = JsonDocument.Parse(text);
                    var root = json.RootElement;
                    if (root.GetProperty("topic").GetString() == "/q/end")
                    {
                        return;
                    }

                    Interlocked.Increment(ref received);
                    if (root.GetProperty("topic").GetString() == "/q/m")
                    {
                        lock (markers)
                        {
                            markers.Add(root.GetProperty("data").GetInt64());
                        }
                    }
                }
            });
            await WsTestSupport.WaitUntil(() => session.QueueDepth == 0 || reading.IsCompleted, "the slow client drained its queue");
            host.Publish("/q/end", BrokerData.Count(0));
            await reading.WaitAsync(WsTestSupport.Deadline);

            // Every message published for the slow client was either delivered or counted as dropped.
            Assert.Equal(published, received + session.DroppedCount);
            Assert.Equal(1 + QueueSize, received); // the filler in flight, then the full queue
            if (policy == OverflowPolicy.DropOldest)
            {
                // The newest survive: the queue ends up holding exactly the last QueueSize markers.
                Assert.Equal(Enumerable.Range(Markers - QueueSize, QueueSize).Select(i => (long)i), markers);
            }
            else
            {
                // The oldest survive: the queue stays full of fillers and every marker is refused.
                Assert.Empty(markers);
            }

            Assert.Equal(2, host.WebSocketClientCount);
        }
        finally
        {
            await host.StopWebSocketsAsync();
        }
    }

    /// <summary>A raw client whose TCP receive buffer is tiny, so a server writing to it blocks after a few KiB.</summary>
    private static async Task<ClientWebSocket> SmallBufferConnectAsync(IPEndPoint bound, string subscriptions)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, token) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
                await socket.ConnectAsync(context.DnsEndPoint, token);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        var client = new ClientWebSocket();
        await client.ConnectAsync(WsTestSupport.Uri(bound), new HttpMessageInvoker(handler), WsTestSupport.Timeout());
        await WsTestSupport.SendTextAsync(client, subscriptions);
        return client;
    }

    /// <summary>Reads until the server's close or a reset; fails if the connection stays open past the deadline.</summary>
    private static async Task AssertEndsAsync(ClientWebSocket socket)
    {
        try
        {
            while (await WsTestSupport.ReceiveTextAsync(socket) is not null)
            {
            }
        }
        catch (WebSocketException)
        {
            // An aborted connection: what Disconnect does.
        }
        catch (OperationCanceledException)
        {
            Assert.Fail("the slow client's connection stayed open after its queue overflowed");
        }
    }
}
