using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Broker.Data;
using Broker.Sdk.Tests.Json;
using Broker.Sdk.Tests.TestSupport;
using Broker.WebSockets;
using static Broker.Sdk.Tests.WebSockets.WsTestSupport;

namespace Broker.Sdk.Tests.WebSockets;

/// <summary>Our server against our client, raw clients and hostile input, all over real loopback sockets.</summary>
public sealed class WebSocketServerTests : IAsyncLifetime
{
    private readonly BrokerEndpoint _endpoint = new(new BrokerEndpointOptions { Name = "ws-host" });
    private IPEndPoint _bound = null!;

    private WebSocketServerOptions Options { get; }  = new() { HandshakeTimeout = TimeSpan.FromSeconds(5) };

    public async Task InitializeAsync() => _bound = await _endpoint.ListenWebSocketAsync("127.0.0.1", 0, Options);

    public async Task DisposeAsync() => await _endpoint.StopWebSocketsAsync();

    private Task<BrokerWebSocketClient> ClientAsync(params string[] subscriptions) =>
        BrokerWebSocketClient.ConnectAsync(Uri(_bound), subscriptions, new BrokerWebSocketClientOptions { AckTimeout = TimeSpan.FromSeconds(5) }, Timeout());

    [Fact]
    public async Task Ack_names_the_host_endpoint()
    {
        using var raw = await RawConnectAsync(_bound, "[\"/a\",\"/b\"]");
        var ack = await ReceiveTextAsync(raw);
        Assert.Equal($"{{\"type\":\"ack\",\"endpoint\":\"{_endpoint.Id}\",\"version\":\"{WebSocketServerOptions.DefaultVersion}\"}}", ack);
    }

    [Fact]
    public async Task Clients_exchange_messages_and_never_receive_their_own()
    {
        await using var a = await ClientAsync("/chat/");
        await using var b = await ClientAsync("/chat/");
        Assert.Equal(_endpoint.Id, a.RemoteId);

        var value = BrokerData.Vector(1UL, -2L, "x", BrokerData.Set(3UL, 1UL), BrokerData.Timespan(1_500_000_000));
        a.Publish("/chat/from-a", value);
        var got = await b.ReceiveAsync(Timeout());
        Assert.Equal("/chat/from-a", got.Topic);
        Assert.Equal(value, got.Data);

        // If a had received its own message, it would come before b's.
        b.Publish("/chat/from-b", "marker");
        var first = await a.ReceiveAsync(Timeout());
        Assert.Equal("/chat/from-b", first.Topic);
        Assert.False(a.TryReceive(out _));
    }

    [Fact]
    public async Task Subscriptions_filter_by_raw_prefix()
    {
        await using var pub = await ClientAsync();
        await using var sub = await ClientAsync("/x/a");
        pub.Publish("/x/b/1", 1UL);
        pub.Publish("/x/ab", 2UL); // raw prefix: "/x/a" matches "/x/ab"
        var got = await sub.ReceiveAsync(Timeout());
        Assert.Equal("/x/ab", got.Topic);
        Assert.Equal(BrokerData.Count(2), got.Data);
    }

    [Fact]
    public async Task Endpoint_messages_reach_matching_clients_but_not_their_sender()
    {
        await using var client = await ClientAsync("/zeek/");
        var session = Assert.Single(_endpoint.WebSocketHub.Snapshot());

        Assert.Equal(0, _endpoint.WebSocketHub.Deliver("/zeek/echo", 1UL, session.Id));
        Assert.Equal(0, _endpoint.WebSocketHub.Deliver("/other/x", 2UL, EndpointId.NewId()));
        _endpoint.DeliverToWebSocketClients("/zeek/event", 3UL, EndpointId.NewId());
        var got = await client.ReceiveAsync(Timeout());
        Assert.Equal(("/zeek/event", BrokerData.Count(3)), (got.Topic, got.Data));
    }

    [Fact]
    public async Task Golden_bad_frames_get_brokers_error_frames_and_the_connection_stays_open()
    {
        await using var listener = await ClientAsync("/test/");
        using var raw = await RawConnectAsync(_bound, "[]");
        Assert.StartsWith("{\"type\":\"ack\"", await ReceiveTextAsync(raw));

        var expectedReplies = new List<string>();
        var expectedPublished = new List<string>();
        foreach (var line in GoldenText.Lines(Golden.Path("json", "errors_after_handshake.tsv")))
        {
            var cols = GoldenText.Columns(line);
            await SendBytesAsync(raw, GoldenText.Unescape(cols[1], quoted: true));
            expectedReplies.AddRange(GoldenText.JsonStrings(cols[2]));
            expectedPublished.AddRange(GoldenText.JsonStrings(cols[3]).Where(p => p.StartsWith("RECV\t/test/", StringComparison.Ordinal)));
        }

        // One more bad frame marks the end: everything before it has been answered.
        await SendTextAsync(raw, "?");
        expectedReplies.Add("{\"type\":\"error\",\"code\":\"deserialization_failed\",\"context\":\"input #39 contained malformed JSON -> caf::pec::unexpected_character(1, 1)\"}");
        var replies = new List<string>();
        while (replies.Count < expectedReplies.Count)
        {
            replies.Add(await ReceiveTextAsync(raw) ?? throw new InvalidOperationException("server closed the connection"));
        }

        Assert.Equal(string.Join("\n", expectedReplies), string.Join("\n", replies));

        var published = new List<string>();
        while (published.Count < expectedPublished.Count)
        {
            var m = await listener.ReceiveAsync(Timeout());
            published.Add($"RECV\t{m.Topic}\t{m.Data}");
        }

        Assert.Equal(string.Join("|", expectedPublished), string.Join("|", published));
        Assert.Equal(WebSocketState.Open, raw.State);
    }

    [Theory]
    [InlineData("{\"not\":\"a filter\"}")]
    [InlineData("hello")]
    [InlineData("[1,2]")]
    [InlineData("\"/test\"")]
    [InlineData("")]
    public async Task A_bad_first_frame_gets_no_ack(string first)
    {
        using var raw = await RawConnectAsync(_bound, first);
        Assert.Null(await ReceiveTextAsync(raw)); // closed, never acked
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, raw.CloseStatus);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/v1/messages/binary")]
    [InlineData("/v1/messages/json/")]
    public async Task Other_paths_get_http_400(string path)
    {
        var status = await RawHttpAsync(_bound,
            $"GET {path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        Assert.Equal("HTTP/1.1 400 Bad Request", status);
        var plain = await RawHttpAsync(_bound, "GET /v1/messages/json HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal("HTTP/1.1 400 Bad Request", plain);
    }

    [Fact]
    public async Task Application_names_are_checked_like_zeek()
    {
        const string upgrade = "GET /v1/messages/json HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";
        Assert.Equal("HTTP/1.1 400 Bad Request", await RawHttpAsync(_bound, upgrade + "X-Application-Name: bad name!\r\n\r\n"));
        Assert.Equal("HTTP/1.1 101 Switching Protocols", await RawHttpAsync(_bound, upgrade + "X-Application-Name: my-app/1.0@host\r\n\r\n"));
        await using var named = await BrokerWebSocketClient.ConnectAsync(Uri(_bound), [], new BrokerWebSocketClientOptions { ApplicationName = "tests" }, Timeout());
        Assert.True(named.IsConnected);
    }

    [Fact]
    public async Task Binary_frames_drop_the_connection_and_others_keep_being_served()
    {
        using var raw = await RawConnectAsync(_bound, "[]");
        await ReceiveTextAsync(raw);
        await raw.SendAsync(new byte[] { 1, 2, 3 }, WebSocketMessageType.Binary, true, Timeout());
        Assert.Null(await ReceiveTextAsync(raw));
        Assert.Equal(WebSocketCloseStatus.InvalidMessageType, raw.CloseStatus);
        await AssertServingAsync();
    }

    [Fact]
    public async Task Huge_frames_close_only_that_connection()
    {
        using var raw = await RawConnectAsync(_bound, "[]");
        await ReceiveTextAsync(raw);
        var huge = Encoding.UTF8.GetBytes("{\"topic\":\"/t\",\"@data-type\":\"string\",\"data\":\"" + new string('x', Options.MaxMessageBytes + 10) + "\"}");
        try
        {
            await raw.SendAsync(huge, WebSocketMessageType.Text, true, Timeout());
        }
        catch (WebSocketException)
        {
            // The server may close while we are still sending.
        }

        // Over a limit: the documented error frame, then the close status.
        Assert.StartsWith("{\"type\":\"error\",\"code\":\"deserialization_failed\",\"context\":\"input #1 exceeds the limit of", await ReceiveTextAsync(raw));
        Assert.Null(await ReceiveTextAsync(raw));
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, raw.CloseStatus);
        await AssertServingAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Deep_nesting_is_an_error_frame_then_a_close_not_a_crash(bool inData)
    {
        using var raw = await RawConnectAsync(_bound, "[]");
        await ReceiveTextAsync(raw);
        var deepData = string.Concat(Enumerable.Repeat("{\"@data-type\":\"vector\",\"data\":[", 2000)) + string.Concat(Enumerable.Repeat("]}", 2000));
        await SendTextAsync(raw, inData ? "{\"topic\":\"/t\",\"@data-type\":\"vector\",\"data\":[" + deepData + "]}" : new string('[', 100_000));
        Assert.StartsWith("{\"type\":\"error\",\"code\":\"deserialization_failed\",\"context\":\"input #1 contained malformed JSON -> caf::pec::nested_too_deeply", await ReceiveTextAsync(raw));
        Assert.Null(await ReceiveTextAsync(raw));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, raw.CloseStatus);
        await AssertServingAsync();
    }

    [Fact]
    public async Task A_flood_of_bad_frames_leaves_the_server_serving_others()
    {
        using var raw = await RawConnectAsync(_bound, "[]");
        await ReceiveTextAsync(raw);
        var session = Assert.Single(_endpoint.WebSocketHub.Snapshot());
        var bad = Encoding.UTF8.GetBytes("[1,2,3]");
        for (int i = 0; i < 20_000; i++)
        {
            await raw.SendAsync(bad, WebSocketMessageType.Text, true, Timeout()); // never reads its error frames
        }

        await AssertServingAsync();
        await WaitUntil(() => session.ReceivedCount == 20_000, "all 20,000 bad frames processed");
    }

    [Fact]
    public async Task A_stalled_handshake_times_out()
    {
        await _endpoint.StopWebSocketsAsync();
        _bound = await _endpoint.ListenWebSocketAsync("127.0.0.1", 0, Options with { HandshakeTimeout = TimeSpan.FromMilliseconds(200) });
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, _bound.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync("GET /v1/messages/json HTTP/1.1\r\n"u8.ToArray()); // and never finishes
        var buffer = new byte[64];
        int n = await stream.ReadAsync(buffer, Timeout());
        Assert.Equal(0, n); // closed by the server, no reply

        // Also after the upgrade: a client that never sends its subscriptions.
        using var silent = await RawConnectAsync(_bound, firstFrame: null);
        string? reply;
        try
        {
            reply = await ReceiveTextAsync(silent);
        }
        catch (WebSocketException)
        {
            reply = null; // closed without a close frame: also a close (and the exception is observed)
        }

        Assert.Null(reply);
    }

    private async Task AssertServingAsync()
    {
        await using var a = await ClientAsync("/alive/");
        await using var b = await ClientAsync();
        b.Publish("/alive/ping", "still serving");
        var got = await a.ReceiveAsync(Timeout());
        Assert.Equal("still serving", got.Data.AsString());
    }
}
