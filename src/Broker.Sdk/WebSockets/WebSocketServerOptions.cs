using System.Security.Cryptography.X509Certificates;
using Broker.Serialization.Json;

namespace Broker.WebSockets;

/// <summary>Configuration of a WebSocket (JSON API v1) listener; every limit guards against a hostile client.</summary>
public sealed record WebSocketServerOptions
{
    /// <summary>The server certificate (with private key) for <c>wss://</c>; null serves plain <c>ws://</c>.</summary>
    public X509Certificate2? Certificate { get; init; }

    /// <summary>
    /// Time a client has, from TCP accept, to finish TLS, the HTTP upgrade and send its subscription array (default 10 s).
    /// A client that stalls is disconnected without a reply.
    /// </summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The largest HTTP upgrade request accepted, in bytes (default 16 KiB).</summary>
    public int MaxRequestHeaderBytes { get; init; } = 16 << 10;

    /// <summary>The largest WebSocket message accepted, in bytes (default 1 MiB); a larger one closes the connection with 1009.</summary>
    public int MaxMessageBytes { get; init; } = 1 << 20;

    /// <summary>Messages queued for one client before the overflow policy applies (default 1024).</summary>
    public int ClientQueueSize { get; init; } = 1024;

    /// <summary>What happens when a client does not keep up (default: drop the oldest queued message).</summary>
    public OverflowPolicy OverflowPolicy { get; init; } = OverflowPolicy.DropOldest;

    /// <summary>
    /// The longest topic a client may publish on, in UTF-8 bytes (default 4096, as <see cref="BrokerEndpointOptions.MaxTopicLength"/>);
    /// a longer one gets an error frame and closes that client with a policy violation.
    /// </summary>
    public int MaxTopicLength { get; init; } = 4096;

    /// <summary>The most clients served at once; more are refused with HTTP 503 (default 1024).</summary>
    public int MaxClients { get; init; } = 1024;

    /// <summary>The most subscription prefixes one client may send; more closes that client with a policy violation (default 1024).</summary>
    public int MaxSubscriptionsPerClient { get; init; } = 1024;

    /// <summary>Interval of WebSocket keep-alive pings (default 30 s; <see cref="TimeSpan.Zero"/> disables them).</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The version string sent in the handshake ACK.</summary>
    public string Version { get; init; } = DefaultVersion;

    /// <summary>How values are written (e.g. <see cref="BrokerJsonOptions.FullPrecision"/>).</summary>
    public BrokerJsonOptions Json { get; init; } = BrokerJsonOptions.Default;

    /// <summary>Input limits for client JSON.</summary>
    public BrokerJsonReadLimits ReadLimits { get; init; } = BrokerJsonReadLimits.Default;

    internal static readonly string DefaultVersion =
        "broker.sdk-" + (typeof(WebSocketServerOptions).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");
}
