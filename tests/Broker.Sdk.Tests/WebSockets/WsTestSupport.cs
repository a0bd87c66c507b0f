using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;

namespace Broker.Sdk.Tests.WebSockets;

/// <summary>Small helpers for the WebSocket tests: deadlines instead of sleeps, and a raw client that can send anything.</summary>
internal static class WsTestSupport
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    public static CancellationToken Timeout() => new CancellationTokenSource(Deadline).Token;

    /// <summary>Waits for a condition, failing clearly when it does not hold before the deadline.</summary>
    public static async Task WaitUntil(Func<bool> condition, string what)
    {
        var until = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"Timed out after {Deadline.TotalSeconds} s waiting for: {what}");
            }

            await Task.Yield();
            await Task.Delay(5); // polling granularity only; the deadline decides, not the delay
        }
    }

    public static Uri Uri(IPEndPoint bound, string scheme = "ws", string path = "/v1/messages/json") =>
        new($"{scheme}://127.0.0.1:{bound.Port}{path}");

    /// <summary>Connects a plain ClientWebSocket and sends a first frame (the subscriptions) verbatim.</summary>
    public static async Task<ClientWebSocket> RawConnectAsync(IPEndPoint bound, string? firstFrame = "[]")
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(Uri(bound), Timeout());
        if (firstFrame is not null)
        {
            await SendTextAsync(socket, firstFrame);
        }

        return socket;
    }

    public static Task SendTextAsync(WebSocket socket, string text) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, Timeout());

    public static Task SendBytesAsync(WebSocket socket, byte[] bytes) =>
        socket.SendAsync(bytes, WebSocketMessageType.Text, true, Timeout());

    /// <summary>Receives one whole text message, or null when the server closed.</summary>
    public static async Task<string?> ReceiveTextAsync(WebSocket socket)
    {
        var buffer = new byte[1 << 16];
        using var ms = new MemoryStream();
        var token = Timeout();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            ms.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return Encoding.UTF8.GetString(ms.ToArray());
            }
        }
    }

    /// <summary>Sends raw HTTP and returns the status line.</summary>
    public static async Task<string> RawHttpAsync(IPEndPoint bound, string request)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, bound.Port, Timeout());
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), Timeout());
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return await reader.ReadLineAsync(Timeout()) ?? string.Empty;
    }
}
