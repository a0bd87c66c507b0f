using System.Net;
using Broker.Data;
using Broker.WebSockets;

namespace Broker;

/// <content>
/// The WebSocket (JSON API v1) side of an endpoint. Clients are lightweight peers: what they publish reaches this
/// endpoint's local subscribers and matching native peers and the other clients; what the endpoint publishes or
/// receives from peers reaches the clients whose subscriptions match, never the client that sent it. Unlike Broker,
/// client subscriptions are added to the filter advertised to peers, so peer traffic reaches clients even on topics
/// the host itself does not subscribe to.
/// </content>
public sealed partial class BrokerEndpoint : IBrokerPublisher
{
    private readonly WebSocketHub _webSocketHub = new();
    private readonly List<WebSocketServer> _webSocketServers = [];
    private readonly HashSet<string> _webSocketAdvertised = new(StringComparer.Ordinal);

    /// <inheritdoc />
    void IBrokerPublisher.Publish(string topic, in BrokerData data) => Publish(topic, data);

    /// <inheritdoc />
    void IBrokerPublisher.Publish<T>(string topic, in T value) => Publish(topic, value);

    /// <summary>
    /// Starts serving WebSocket clients (Broker/Zeek JSON API v1) at <c>ws://address:port/v1/messages/json</c>, or
    /// <c>wss://</c> with <see cref="WebSocketServerOptions.Certificate"/>. Other paths get HTTP 400.
    /// </summary>
    /// <param name="address">The local address to bind (default loopback).</param>
    /// <param name="port">The port, or 0 for a free one.</param>
    /// <param name="options">TLS and limits; defaults when null.</param>
    /// <param name="cancellationToken">Cancels the bind.</param>
    /// <returns>The bound local endpoint (with the actual port).</returns>
    public ValueTask<IPEndPoint> ListenWebSocketAsync(string address = "127.0.0.1", int port = 0, WebSocketServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        cancellationToken.ThrowIfCancellationRequested();
        Core.WebSocketTap ??= DeliverToWebSocketClients;
        _webSocketHub.Added ??= AdvertiseWebSocketSubscriptions;
        var server = new WebSocketServer(new IPEndPoint(IPAddress.Parse(address), port), options ?? new WebSocketServerOptions(), _webSocketHub, Id, FromWebSocketClient);
        server.Start();
        lock (_webSocketServers)
        {
            _webSocketServers.Add(server);
        }

        return ValueTask.FromResult(server.LocalEndpoint);
    }

    /// <summary>The WebSocket client router (tests and diagnostics).</summary>
    internal WebSocketHub WebSocketHub => _webSocketHub;

    /// <summary>The number of WebSocket clients connected (after their handshake).</summary>
    public int WebSocketClientCount => _webSocketHub.Count;

    /// <summary>
    /// Hands a message this endpoint received from a native peer, or published locally, to the WebSocket clients
    /// whose subscriptions match. The peering core calls it for every data message it delivers.
    /// </summary>
    /// <param name="topic">The topic.</param>
    /// <param name="data">The value.</param>
    /// <param name="sender">The peer it came from (a client with this id does not get it back).</param>
    internal void DeliverToWebSocketClients(string topic, in BrokerData data, EndpointId sender) =>
        _webSocketHub.Deliver(topic, data, sender);

    /// <summary>Stops every WebSocket listener and disconnects its clients (part of shutdown).</summary>
    /// <returns>A task that completes when all are stopped.</returns>
    internal async ValueTask StopWebSocketsAsync()
    {
        WebSocketServer[] servers;
        lock (_webSocketServers)
        {
            servers = [.. _webSocketServers];
            _webSocketServers.Clear();
        }

        foreach (var server in servers)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void FromWebSocketClient(EndpointId client, string topic, BrokerData data) => Core.InjectFromWebSocket(client, topic, data);

    // Filters only grow (as in Broker), so each distinct client prefix is advertised once.
    private void AdvertiseWebSocketSubscriptions(WebSocketSession session)
    {
        foreach (var prefix in session.Subscriptions)
        {
            bool added;
            lock (_webSocketAdvertised)
            {
                added = Topics.TopicRules.CheckSubscriptionPrefix(prefix) == Topics.TopicProblem.None && _webSocketAdvertised.Add(prefix);
            }

            if (added)
            {
                Core.Forward(prefix);
            }
        }
    }
}
