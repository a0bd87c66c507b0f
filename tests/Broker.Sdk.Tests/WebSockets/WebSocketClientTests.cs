using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Broker.Data;
using Broker.Errors;
using Broker.WebSockets;
using static Broker.Sdk.Tests.WebSockets.WsTestSupport;

namespace Broker.Sdk.Tests.WebSockets;

/// <summary>Our client: ACK timeout, reconnect, TLS, overflow; against our server or a deliberately mute one.</summary>
public sealed class WebSocketClientTests
{
    [Fact]
    public async Task Ack_timeout_is_a_typed_error()
    {
        // A server that upgrades but never acknowledges (as Broker does with a handshake it dislikes).
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var mute = Task.Run(async () =>
        {
            using var tcp = await listener.AcceptTcpClientAsync(Timeout());
            var stream = tcp.GetStream();
            var head = new StringBuilder();
            var one = new byte[1];
            while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && await stream.ReadAsync(one, Timeout()) == 1)
            {
                head.Append((char)one[0]);
            }

            string key = head.ToString().Split("\r\n").First(l => l.StartsWith("Sec-WebSocket-Key:", StringComparison.OrdinalIgnoreCase))[18..].Trim();
            string accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"), Timeout());
            // Read the subscriptions, then stay silent until the client gives up and closes.
            var sink = new byte[1024];
            while (await stream.ReadAsync(sink, Timeout()) > 0)
            {
            }
        });

        var bound = (IPEndPoint)listener.LocalEndpoint;
        var ex = await Assert.ThrowsAsync<BrokerException>(() => BrokerWebSocketClient.ConnectAsync(
            Uri(bound), ["/x"], new BrokerWebSocketClientOptions { AckTimeout = TimeSpan.FromMilliseconds(300) }, Timeout()));
        Assert.Equal(BrokerErrorCode.PeerTimeout, ex.Code);
        await mute;
    }

    [Fact]
    public async Task Connecting_to_nothing_is_peer_unavailable()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var ex = await Assert.ThrowsAsync<BrokerException>(() => BrokerWebSocketClient.ConnectAsync(
            new Uri($"ws://127.0.0.1:{port}/v1/messages/json"), [], null, Timeout()));
        Assert.Equal(BrokerErrorCode.PeerUnavailable, ex.Code);
    }

    [Fact]
    public async Task Client_reconnects_and_resubscribes_after_the_server_restarts()
    {
        var first = new BrokerEndpoint();
        var bound = await first.ListenWebSocketAsync();
        await using var client = await BrokerWebSocketClient.ConnectAsync(Uri(bound), ["/r/"],
            new BrokerWebSocketClientOptions { ReconnectInterval = TimeSpan.FromMilliseconds(50), AckTimeout = TimeSpan.FromSeconds(2) }, Timeout());
        Assert.Equal(first.Id, client.RemoteId);

        await first.StopWebSocketsAsync();
        await WaitUntil(() => !client.IsConnected, "client notices the lost connection");

        var second = new BrokerEndpoint();
        await second.ListenWebSocketAsync("127.0.0.1", bound.Port);
        try
        {
            await WaitUntil(() => client.ReconnectCount == 1 && client.IsConnected, "client reconnects");
            Assert.Equal(second.Id, client.RemoteId);
            await using var other = await BrokerWebSocketClient.ConnectAsync(Uri(bound), [], null, Timeout());
            other.Publish("/r/again", 7UL);
            var got = await client.ReceiveAsync(Timeout());
            Assert.Equal(("/r/again", BrokerData.Count(7)), (got.Topic, got.Data));

            // Messages published by the reconnected client flow too.
            await using var listener = await BrokerWebSocketClient.ConnectAsync(Uri(bound), ["/back/"], null, Timeout());
            client.Publish("/back/1", "hi");
            Assert.Equal("hi", (await listener.ReceiveAsync(Timeout())).Data.AsString());
        }
        finally
        {
            await second.StopWebSocketsAsync();
        }
    }

    [Fact]
    public async Task Without_reconnect_a_lost_connection_ends_the_stream_with_an_error()
    {
        var host = new BrokerEndpoint();
        var bound = await host.ListenWebSocketAsync();
        await using var client = await BrokerWebSocketClient.ConnectAsync(Uri(bound), ["/x/"], null, Timeout());
        await host.StopWebSocketsAsync();
        var ex = await Assert.ThrowsAsync<BrokerException>(async () => await client.ReceiveAsync(Timeout()));
        Assert.Equal(BrokerErrorCode.PeerUnavailable, ex.Code);
    }

    [Fact]
    public async Task Tls_with_a_certificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var ephemeral = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        using var certificate = X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pfx), null);

        var host = new BrokerEndpoint();
        var bound = await host.ListenWebSocketAsync("127.0.0.1", 0, new WebSocketServerOptions { Certificate = certificate });
        try
        {
            var options = new BrokerWebSocketClientOptions
            {
                ConfigureWebSocket = o => o.RemoteCertificateValidationCallback = (_, cert, _, _) => cert?.GetCertHashString() == certificate.GetCertHashString(),
            };
            await using var a = await BrokerWebSocketClient.ConnectAsync(Uri(bound, "wss"), ["/tls/"], options, Timeout());
            await using var b = await BrokerWebSocketClient.ConnectAsync(Uri(bound, "wss"), [], options, Timeout());
            b.Publish("/tls/secret", BrokerData.Table((BrokerData.String("k"), BrokerData.Real(2.5))));
            var got = await a.ReceiveAsync(Timeout());
            Assert.Equal("{k -> 2.500000}", got.Data.ToString());

            // A plain ws:// client cannot talk to the TLS listener, and the listener keeps serving.
            await Assert.ThrowsAnyAsync<Exception>(() => BrokerWebSocketClient.ConnectAsync(Uri(bound), [], new() { AckTimeout = TimeSpan.FromSeconds(1) }, Timeout()));
            b.Publish("/tls/after", 1UL);
            Assert.Equal("/tls/after", (await a.ReceiveAsync(Timeout())).Topic);
        }
        finally
        {
            await host.StopWebSocketsAsync();
        }
    }

    [Theory]
    [InlineData(OverflowPolicy.DropOldest)]
    [InlineData(OverflowPolicy.DropNewest)]
    [InlineData(OverflowPolicy.Disconnect)]
    public async Task A_slow_client_gets_the_overflow_policy_not_unbounded_memory(OverflowPolicy policy)
    {
        var host = new BrokerEndpoint();
        var bound = await host.ListenWebSocketAsync("127.0.0.1", 0, new WebSocketServerOptions { ClientQueueSize = 8, OverflowPolicy = policy });
        try
        {
            // The slow client: subscribes and never reads.
            using var slow = await RawConnectAsync(bound, "[\"/bulk/\"]");
            Assert.StartsWith("{\"type\":\"ack\"", await ReceiveTextAsync(slow));
            var session = Assert.Single(host.WebSocketHub.Snapshot());

            await using var publisher = await BrokerWebSocketClient.ConnectAsync(Uri(bound), [], null, Timeout());
            var payload = BrokerData.String(new string('p', 16 << 10));
            int sent = 0;
            await WaitUntil(() =>
            {
                for (int i = 0; i < 64; i++, sent++)
                {
                    publisher.Publish("/bulk/x", payload); // far more than socket buffers and the queue hold
                }

                return session.DroppedCount > 0;
            }, $"the slow client's queue overflows ({policy})");

            if (policy == OverflowPolicy.Disconnect)
            {
                await WaitUntil(() => host.WebSocketClientCount == 1, "the slow client is disconnected");
            }

            // Everyone else is still served.
            await using var fast = await BrokerWebSocketClient.ConnectAsync(Uri(bound), ["/fast/"], null, Timeout());
            publisher.Publish("/fast/1", 1UL);
            Assert.Equal("/fast/1", (await fast.ReceiveAsync(Timeout())).Topic);
        }
        finally
        {
            await host.StopWebSocketsAsync();
        }
    }

    [Fact]
    public async Task Client_reports_server_error_frames()
    {
        var host = new BrokerEndpoint();
        var bound = await host.ListenWebSocketAsync();
        try
        {
            await using var client = await BrokerWebSocketClient.ConnectAsync(Uri(bound), [], null, Timeout());
            await client.SendRawAsync("{\"type\":\"data-message\",\"topic\":\"/t\",\"@data-type\":\"phone\",\"data\":\"555\"}"u8.ToArray(), Timeout());
            var error = await client.ReceiveErrorAsync(Timeout());
            Assert.Equal(new WebSocketServerError("deserialization_failed", "input #1 contained invalid data"), error);
        }
        finally
        {
            await host.StopWebSocketsAsync();
        }
    }
}
