using System.Net;
using Broker.Data;

namespace Broker;

/// <summary>
/// A Broker endpoint: listens for and dials peers over Broker's native wire protocol, publishes and subscribes
/// by topic prefix, and hosts data stores. Thread-safe; dispose it (or call <see cref="ShutdownAsync"/>) to
/// flush what was accepted and close every connection gracefully.
/// </summary>
public sealed partial class BrokerEndpoint : IAsyncDisposable
{
    /// <summary>Creates an endpoint; it does nothing on the network until it listens or peers.</summary>
    /// <param name="options">Configuration; defaults when null.</param>
    public BrokerEndpoint(BrokerEndpointOptions? options = null)
    {
        Options = options ?? new BrokerEndpointOptions();
        Id = Options.Id ?? EndpointId.NewId();
        Name = Options.Name ?? Id.ToString();
    }

    /// <summary>The configuration.</summary>
    public BrokerEndpointOptions Options { get; }

    /// <summary>This endpoint's id.</summary>
    public EndpointId Id { get; }

    /// <summary>This endpoint's descriptive name.</summary>
    public string Name { get; }

    /// <summary>Starts accepting peers. Port 0 picks a free port.</summary>
    /// <param name="address">The local address to bind (default loopback).</param>
    /// <param name="port">The port, or 0.</param>
    /// <param name="cancellationToken">Cancels the bind.</param>
    /// <returns>The bound local endpoint (with the actual port).</returns>
    public ValueTask<IPEndPoint> ListenAsync(string address = "127.0.0.1", int port = 0, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <summary>
    /// Peers with a remote endpoint and waits for the first successful handshake. With a retry interval, failed
    /// attempts are reported as <c>peer_unavailable</c> error events and retried until <paramref name="cancellationToken"/>
    /// fires, and a lost peering is re-established automatically. Without one, the first failure throws.
    /// </summary>
    /// <param name="host">Host name or address.</param>
    /// <param name="port">TCP port.</param>
    /// <param name="retry">Retry interval, or null for a single attempt.</param>
    /// <param name="cancellationToken">Stops waiting (the peering keeps retrying in the background if it has a retry interval).</param>
    /// <returns>The peer.</returns>
    public ValueTask<PeerInfo> PeerAsync(string host, int port, TimeSpan? retry = null, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <summary>Starts peering in the background without waiting; progress arrives as status and error events.</summary>
    /// <param name="host">Host name or address.</param>
    /// <param name="port">TCP port.</param>
    /// <param name="retry">Retry interval (the seed's connect takes one; default 1 s).</param>
    public void StartPeering(string host, int port, TimeSpan? retry = null) => throw new NotImplementedException();

    /// <summary>Removes a peering gracefully (Broker's BYE exchange); the remote side reports <c>peer_lost</c>.</summary>
    /// <param name="host">Host as given to <see cref="PeerAsync"/> or as reported in <see cref="PeerInfo"/>.</param>
    /// <param name="port">TCP port.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>True when a peering was removed; false (and a <c>peer_invalid</c> error event) for an unknown peer.</returns>
    public ValueTask<bool> UnpeerAsync(string host, int port, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <summary>The peers with a completed handshake.</summary>
    public IReadOnlyList<PeerInfo> Peers => throw new NotImplementedException();

    /// <summary>Publishes a value. Never blocks: the message is queued per peer under that peer's overflow policy.</summary>
    /// <param name="topic">The topic (validated).</param>
    /// <param name="data">The value.</param>
    /// <param name="flags">Delivery flags (default: matching peers).</param>
    public void Publish([TopicParameter(TopicUsage.Publish)] string topic, in BrokerData data, SendFlags flags = SendFlags.Default) => throw new NotImplementedException();

    /// <summary>Subscribes to a topic prefix (raw string prefix: <c>a/b</c> also matches <c>a/bc</c>).</summary>
    /// <param name="prefix">The prefix ("" receives everything).</param>
    /// <param name="options">Queue options.</param>
    /// <returns>The subscription: an async stream of messages; dispose it to unsubscribe.</returns>
    public BrokerSubscription Subscribe([TopicParameter(TopicUsage.SubscribePrefix)] string prefix, SubscriberOptions? options = null) => throw new NotImplementedException();

    /// <summary>Subscribes to the endpoint's status and error events.</summary>
    /// <param name="options">Queue options.</param>
    /// <returns>An async stream of events; dispose it to unsubscribe.</returns>
    public EventSubscription SubscribeEvents(SubscriberOptions? options = null) => throw new NotImplementedException();

    /// <summary>Flushes accepted messages, says BYE to every peer, stops listening and closes stores.</summary>
    /// <param name="cancellationToken">Abandons the graceful part.</param>
    /// <returns>A task that completes when the endpoint is shut down.</returns>
    public ValueTask ShutdownAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Same as <see cref="ShutdownAsync"/>.</summary>
    /// <returns>A task that completes when the endpoint is shut down.</returns>
    public ValueTask DisposeAsync() => ShutdownAsync();
}
