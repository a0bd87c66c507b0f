using System.Net;
using Broker.Data;
using Broker.Errors;
using Broker.Peering;
using Broker.Serialization;
using Broker.Topics;

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
        Core = new EndpointCore(Options, Id);
    }

    private string? _lastValidTopic;

    /// <summary>The routing core (connections, filters, subscriptions).</summary>
    internal EndpointCore Core { get; }

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
    /// <exception cref="BrokerException">The address cannot be bound (<c>cannot_open_resource</c>).</exception>
    public ValueTask<IPEndPoint> ListenAsync(string address = "127.0.0.1", int port = 0, CancellationToken cancellationToken = default) =>
        Core.ListenAsync(address, port, cancellationToken);

    /// <summary>
    /// Peers with a remote endpoint and waits for the first successful handshake. With a retry interval, failed
    /// attempts are reported as <c>peer_unavailable</c> error events and retried until <paramref name="cancellationToken"/>
    /// fires, and a lost peering is re-established automatically. Without one, the first failure throws.
    /// </summary>
    /// <param name="host">Host name or address.</param>
    /// <param name="port">TCP port.</param>
    /// <param name="retry">Retry interval, or null for a single attempt.</param>
    /// <param name="cancellationToken">Stops waiting (the peering keeps retrying in the background if it has a retry interval).</param>
    /// <returns>The peer (with its name when it sent one: it returns after <c>peer_added</c>, see <see cref="BrokerEndpointOptions.PeerNameTimeout"/>).</returns>
    /// <exception cref="BrokerException">Without a retry interval: the connection or handshake failed (the code says why).</exception>
    public async ValueTask<PeerInfo> PeerAsync(string host, int port, TimeSpan? retry = null, CancellationToken cancellationToken = default) =>
        await Core.StartPeering(host, port, retry).WaitAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Starts peering in the background without waiting; progress arrives as status and error events.</summary>
    /// <param name="host">Host name or address.</param>
    /// <param name="port">TCP port.</param>
    /// <param name="retry">Retry interval (the seed's connect takes one; default 1 s).</param>
    public void StartPeering(string host, int port, TimeSpan? retry = null) => _ = Core.StartPeering(host, port, retry ?? TimeSpan.FromSeconds(1));

    /// <summary>Removes a peering gracefully (Broker's BYE exchange); the remote side reports <c>peer_lost</c>.</summary>
    /// <param name="host">Host as given to <see cref="PeerAsync"/> or as reported in <see cref="PeerInfo"/>.</param>
    /// <param name="port">TCP port.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>True when a peering was removed; false (and a <c>peer_invalid</c> error event) for an unknown peer.</returns>
    public ValueTask<bool> UnpeerAsync(string host, int port, CancellationToken cancellationToken = default) =>
        Core.UnpeerAsync(host, port, cancellationToken);

    /// <summary>
    /// Removes the direct peering with the endpoint <paramref name="peer"/> gracefully (BYE exchange), whichever side
    /// dialed, and stops our retries to it. Like Broker, a peer that dialed us with a retry interval re-peers on its
    /// own; unpeer on that side (or by host and port there) to end it for good.
    /// </summary>
    /// <param name="peer">The peer's endpoint id, e.g. <see cref="PeerInfo.Id"/> from <see cref="Peers"/> or a status event.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>True when a peering was removed; false (and a <c>peer_invalid</c> error event) for an unknown peer.</returns>
    public ValueTask<bool> UnpeerAsync(EndpointId peer, CancellationToken cancellationToken = default) =>
        Core.UnpeerAsync(peer, cancellationToken);

    /// <summary>The peers with a completed handshake.</summary>
    public IReadOnlyList<PeerInfo> Peers => Core.Peers;

    /// <summary>Access-control flags (seed semantics, spec §2.4); changing them re-advertises at once.</summary>
    public EndpointFlags Flags
    {
        get => Core.Flags;
        set => Core.Flags = value;
    }

    /// <summary>The union of the filters our peers advertised (Broker's <c>peer_subscriptions()</c>), sorted.</summary>
    public IReadOnlyList<string> PeerSubscriptions => Core.PeerSubscriptions;

    /// <summary>Counters of this endpoint and its peers.</summary>
    /// <returns>A snapshot of the counters.</returns>
    public EndpointStatistics GetStatistics() => Core.GetStatistics();

    /// <summary>Publishes a value. Never blocks: the message is queued per peer under that peer's overflow policy.</summary>
    /// <param name="topic">The topic (validated).</param>
    /// <param name="data">The value.</param>
    /// <param name="flags">Delivery flags (default: matching peers).</param>
    /// <exception cref="InvalidTopicException">The topic is empty, contains white space, an empty component or <c>&lt;$&gt;</c>.</exception>
    public void Publish([TopicParameter(TopicUsage.Publish)] string topic, in BrokerData data, SendFlags flags = SendFlags.Default) =>
        Publish<BrokerData>(topic, data, flags);

    /// <summary>
    /// Publishes a value that writes itself (a generated event, a <see cref="Zeek.ZeekEvent"/>): it is encoded straight
    /// into the outgoing frame, without a <see cref="BrokerData"/> tree. Never blocks, like
    /// <see cref="Publish(string, in BrokerData, SendFlags)"/>.
    /// </summary>
    /// <typeparam name="T">The value's type (a struct avoids boxing).</typeparam>
    /// <param name="topic">The topic (validated).</param>
    /// <param name="value">The value.</param>
    /// <param name="flags">Delivery flags (default: matching peers).</param>
    /// <exception cref="InvalidTopicException">The topic is empty, contains white space, an empty component or <c>&lt;$&gt;</c>.</exception>
    public void Publish<T>([TopicParameter(TopicUsage.Publish)] string topic, in T value, SendFlags flags = SendFlags.Default)
        where T : IBrokerValue
    {
        // Publishers reuse their topic strings: validate each string instance once, not once per message.
        if (!ReferenceEquals(topic, _lastValidTopic))
        {
            var problem = TopicRules.CheckPublishTopic(topic);
            if (problem != TopicProblem.None)
            {
                throw new InvalidTopicException(topic, problem, nameof(topic));
            }

            _lastValidTopic = topic;
        }

        Core.Publish(topic, value, flags);
    }

    /// <summary>Subscribes to a topic prefix (raw string prefix: <c>a/b</c> also matches <c>a/bc</c>).</summary>
    /// <param name="prefix">
    /// The prefix ("" receives everything, including this endpoint's statuses and errors as data on
    /// <see cref="StatusTopics.Statuses"/> and <see cref="StatusTopics.Errors"/>, which may also be subscribed to directly).
    /// </param>
    /// <param name="options">Queue options.</param>
    /// <returns>The subscription: an async stream of messages; dispose it to unsubscribe.</returns>
    /// <exception cref="InvalidTopicException">The prefix is invalid.</exception>
    public BrokerSubscription Subscribe([TopicParameter(TopicUsage.SubscribePrefix)] string prefix, SubscriberOptions? options = null) =>
        Core.Subscribe(prefix, options);

    /// <summary>
    /// Adds <paramref name="prefix"/> to the advertised filter without a local subscriber, so peers send matching
    /// messages here and this endpoint forwards them to its other peers (Broker's <c>forward(topics)</c>).
    /// </summary>
    /// <param name="prefix">The prefix.</param>
    public void Forward([TopicParameter(TopicUsage.SubscribePrefix)] string prefix) => Core.Forward(prefix);

    /// <summary>Adds an exact topic to the publish allow-list (used when <see cref="EndpointFlags.AutoPublish"/> is off).</summary>
    /// <param name="topic">The exact topic.</param>
    public void AllowPublish([TopicParameter(TopicUsage.Publish)] string topic) => Core.SetPublishAllowed(topic, true);

    /// <summary>Removes an exact topic from the publish allow-list.</summary>
    /// <param name="topic">The exact topic.</param>
    public void DisallowPublish([TopicParameter(TopicUsage.Publish)] string topic) => Core.SetPublishAllowed(topic, false);

    /// <summary>Adds a subscription prefix to the advertise allow-list (used when <see cref="EndpointFlags.AutoAdvertise"/> is off).</summary>
    /// <param name="prefix">The subscription prefix, exactly as subscribed.</param>
    public void Advertise([TopicParameter(TopicUsage.SubscribePrefix)] string prefix) => Core.SetAdvertised(prefix, true);

    /// <summary>Removes a prefix from the advertise allow-list; peers get a routing update at once.</summary>
    /// <param name="prefix">The subscription prefix.</param>
    public void Unadvertise([TopicParameter(TopicUsage.SubscribePrefix)] string prefix) => Core.SetAdvertised(prefix, false);

    /// <summary>Subscribes to the endpoint's status and error events.</summary>
    /// <param name="options">Queue options.</param>
    /// <returns>An async stream of events; dispose it to unsubscribe.</returns>
    public EventSubscription SubscribeEvents(SubscriberOptions? options = null) => Core.SubscribeEvents(options);

    /// <summary>Flushes accepted messages, says BYE to every peer, stops listening and closes stores.</summary>
    /// <param name="cancellationToken">Abandons the graceful part.</param>
    /// <returns>A task that completes when the endpoint is shut down.</returns>
    public async ValueTask ShutdownAsync(CancellationToken cancellationToken = default)
    {
        await StopWebSocketsAsync().ConfigureAwait(false);
        // Stores first: a master closes its SQLite file, clones and frontends fail their waiters with shutting_down.
        if (_storeHost is { } stores)
        {
            await stores.DisposeAsync().ConfigureAwait(false);
        }

        await Core.ShutdownAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Same as <see cref="ShutdownAsync"/>.</summary>
    /// <returns>A task that completes when the endpoint is shut down.</returns>
    public ValueTask DisposeAsync() => ShutdownAsync();
}
