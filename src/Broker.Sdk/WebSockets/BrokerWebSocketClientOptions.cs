using System.Net.WebSockets;
using Broker.Serialization.Json;

namespace Broker.WebSockets;

/// <summary>Configuration of a <see cref="BrokerWebSocketClient"/>.</summary>
public sealed record BrokerWebSocketClientOptions
{
    /// <summary>How long to wait for the server's ACK after sending the subscriptions (default 10 s). A server that
    /// dislikes the handshake sends nothing at all, so this is the only signal.</summary>
    public TimeSpan AckTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>When set, a lost connection is re-established at this interval until it succeeds or the client is
    /// disposed (subscriptions are sent again). Null (the default) ends the message stream with an error instead.</summary>
    public TimeSpan? ReconnectInterval { get; init; }

    /// <summary>Received messages buffered before <see cref="ReceiveOverflowPolicy"/> applies (default 1024).</summary>
    public int ReceiveQueueSize { get; init; } = 1024;

    /// <summary>What to do when the application does not keep up with received messages (default drop oldest).</summary>
    public OverflowPolicy ReceiveOverflowPolicy { get; init; } = OverflowPolicy.DropOldest;

    /// <summary>Published messages buffered (also while reconnecting) before the oldest is dropped (default 4096).</summary>
    public int SendQueueSize { get; init; } = 4096;

    /// <summary>The largest message accepted from the server, in bytes (default 16 MiB).</summary>
    public int MaxMessageBytes { get; init; } = 16 << 20;

    /// <summary>Sent as <c>X-Application-Name</c> (Zeek 8 shows it in <c>cluster.log</c>); must match <c>[-/_.=:*@a-zA-Z0-9]+</c>.</summary>
    public string? ApplicationName { get; init; }

    /// <summary>How values are written (e.g. <see cref="BrokerJsonOptions.FullPrecision"/>).</summary>
    public BrokerJsonOptions Json { get; init; } = BrokerJsonOptions.Default;

    /// <summary>Adjusts the underlying socket options (TLS certificate validation, proxy, headers) before each connect.</summary>
    public Action<ClientWebSocketOptions>? ConfigureWebSocket { get; init; }
}

/// <summary>
/// An error frame a WebSocket server sent (e.g. <c>deserialization_failed</c>, <c>input #3 expected a JSON object</c>),
/// or a lost connection the client is re-establishing (see <see cref="BrokerWebSocketClient.ReceiveErrorAsync"/>).
/// </summary>
/// <param name="Code">The error code name.</param>
/// <param name="Context">The context text.</param>
public readonly record struct WebSocketServerError(string Code, string Context);
