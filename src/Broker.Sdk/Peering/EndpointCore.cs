using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Broker.Data;
using Broker.Errors;
using Broker.Serialization;
using Broker.Tls;
using Broker.Topics;
using Broker.Wire;
using Microsoft.Extensions.Logging;

namespace Broker.Peering;

/// <summary>
/// The routing core of one endpoint. Routing state (peers, subscriptions, command handlers, filters, ACLs) is mutated
/// only under <see cref="_lock"/>, and every mutation publishes a new immutable <see cref="RoutingSnapshot"/>; the
/// per-message paths (publish, delivery, forwarding) read the snapshot and take no endpoint-wide lock.
/// </summary>
internal sealed class EndpointCore
{
    private readonly Lock _lock = new();
    private readonly HashSet<PeerConnection> _connections = [];
    private readonly Dictionary<EndpointId, PeerConnection> _claims = [];
    private readonly List<PeerConnection> _established = [];
    private readonly List<BrokerSubscription> _subscriptions = [];
    private readonly List<CommandHandlerRegistration> _handlers = [];
    private readonly List<string> _forwardEntries = [];
    private readonly HashSet<string> _publishAllow = new(StringComparer.Ordinal);
    private readonly HashSet<string> _advertiseAllow = new(StringComparer.Ordinal);
    private readonly List<OutboundPeering> _outbound = [];
    private readonly List<Socket> _listeners = [];
    private readonly CancellationTokenSource _shutdown = new();
    private readonly Channel<(Action<CommandMessage> Handler, CommandMessage Message)> _commands =
        Channel.CreateUnbounded<(Action<CommandMessage>, CommandMessage)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _commandPump;
    private readonly ILogger? _logger;
    private List<string> _advertised = [];
    private volatile RoutingSnapshot _snapshot;
    private volatile EventSubscription[] _eventSubscribers = [];
    private EndpointFlags _flags;
    private bool _shuttingDown;
    private long _messagesIn;
    private long _messagesOut;
    private long _bytesIn;
    private long _malformed;
    private long _ttlExpired;
    private long _forwarded;
    private long _peerDrops;

    [ThreadStatic]
    private static List<BrokerSubscription>? t_subscriberMatches;

    [ThreadStatic]
    private static List<CommandHandlerRegistration>? t_handlerMatches;

    public EndpointCore(BrokerEndpointOptions options, EndpointId id)
    {
        Options = options;
        Id = id;
        Tls = PeerTls.Create(options.Tls);
        _flags = options.Flags;
        _logger = options.LoggerFactory?.CreateLogger("Broker.Endpoint");
        _snapshot = RoutingSnapshot.Empty(_flags);
        _commandPump = Task.Run(PumpCommandsAsync);
    }

    public BrokerEndpointOptions Options { get; }

    /// <summary>Mutual TLS for every peer connection; null for plain TCP.</summary>
    public PeerTls? Tls { get; }

    public EndpointId Id { get; }

    public TimeProvider TimeProvider => Options.TimeProvider;

    /// <summary>The filter we currently advertise (replaced, never mutated).</summary>
    public string[] AdvertisedFilter => _snapshot.Advertised;

    public EndpointFlags Flags
    {
        get
        {
            lock (_lock)
            {
                return _flags;
            }
        }

        set => Mutate(() => _flags = value, recompute: true);
    }

    // ------------------------------------------------------------------ listening and peering

    public async ValueTask<IPEndPoint> ListenAsync(string address, int port, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfShuttingDown();
        IPAddress ip;
        if (string.IsNullOrEmpty(address))
        {
            ip = IPAddress.IPv6Any;
        }
        else if (!IPAddress.TryParse(address, out ip!))
        {
            try
            {
                ip = (await Dns.GetHostAddressesAsync(address, cancellationToken).ConfigureAwait(false))[0];
            }
            catch (Exception e) when (e is SocketException or IndexOutOfRangeException)
            {
                throw new BrokerException(BrokerErrorCode.CannotOpenResource, $"cannot listen on {address}:{port}: the address does not resolve", e);
            }
        }

        var socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (ip.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            // No explicit ReuseAddress: on Linux .NET maps it to SO_REUSEPORT too, which would let a second
            // listener silently share a port already in use. The runtime's default SO_REUSEADDR already
            // allows rebinding a port whose old connections linger in TIME_WAIT.
            socket.Bind(new IPEndPoint(ip, port));
            socket.Listen(512);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new BrokerException(BrokerErrorCode.CannotOpenResource, $"cannot listen on {address}:{port}: {e.Message}", e);
        }

        lock (_lock)
        {
            _listeners.Add(socket);
        }

        _ = AcceptLoopAsync(socket);
        return (IPEndPoint)socket.LocalEndPoint!;
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(_shutdown.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            socket.NoDelay = true;
            var remote = socket.RemoteEndPoint as IPEndPoint;
            var address = remote?.Address.IsIPv4MappedToIPv6 == true ? remote.Address.MapToIPv4().ToString() : remote?.Address.ToString();
            var connection = new PeerConnection(this, socket, PeerDirection.Inbound, address, remote?.Port ?? 0, null);
            if (!TryTrack(connection))
            {
                Emit(new ErrorEvent(BrokerErrorCode.NoConnectorAvailable, connection.DescribeForEvents(), $"refused a connection: {Options.MaxPeers} peers reached (MaxPeers) or shutting down"));
                socket.Dispose();
                continue;
            }

            connection.Start();
        }
    }

    private bool TryTrack(PeerConnection connection)
    {
        lock (_lock)
        {
            if (_shuttingDown || _connections.Count >= Options.MaxPeers)
            {
                return false;
            }

            _connections.Add(connection);
            return true;
        }
    }

    public Task<PeerInfo> StartPeering(string host, int port, TimeSpan? retry)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(port);
        ThrowIfShuttingDown();
        var peering = new OutboundPeering(host, port, retry);
        lock (_lock)
        {
            _outbound.Add(peering);
        }

        _ = peering.First.Task.ContinueWith(static t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
        _ = RunOutboundAsync(peering);
        return peering.First.Task;
    }

    private async Task RunOutboundAsync(OutboundPeering peering)
    {
        var ct = peering.Cancellation.Token;
        bool wait = false;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                if (wait)
                {
                    await Task.Delay(peering.Retry!.Value, TimeProvider, ct).ConfigureAwait(false);
                }

                wait = true;
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(peering.Host, peering.Port, ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is SocketException or IOException)
                {
                    socket.Dispose();
                    var info = new PeerInfo(EndpointId.Nil, $"{peering.Host}:{peering.Port}", peering.Host, peering.Port, PeerDirection.Outbound, peering.Retry);
                    string message = $"unable to connect to remote peer {peering.Host}:{peering.Port}: {e.Message}";
                    Emit(new ErrorEvent(BrokerErrorCode.PeerUnavailable, info, message));
                    if (peering.Retry is null)
                    {
                        peering.First.TrySetException(new BrokerException(BrokerErrorCode.PeerUnavailable, message, e));
                        return;
                    }

                    continue;
                }

                var connection = new PeerConnection(this, socket, PeerDirection.Outbound, peering.Host, peering.Port, peering.Retry);
                if (!TryTrack(connection))
                {
                    socket.Dispose();
                    peering.First.TrySetException(new BrokerException(BrokerErrorCode.ShuttingDown, "the endpoint is shutting down"));
                    return;
                }

                peering.Current = connection;
                connection.Start();
                try
                {
                    peering.First.TrySetResult(await connection.Established.ConfigureAwait(false));
                }
                catch (BrokerException e)
                {
                    await connection.Completion.ConfigureAwait(false);
                    if (e.Code is BrokerErrorCode.RedundantConnection or BrokerErrorCode.LogicError && TryGetEstablished(connection.PeerId, out var existing))
                    {
                        // Both sides dialed: the other connection won, which is what we wanted.
                        peering.First.TrySetResult(existing.Info!);
                        return;
                    }

                    if (peering.Retry is null)
                    {
                        peering.First.TrySetException(e);
                        return;
                    }

                    continue;
                }

                await connection.Completion.ConfigureAwait(false);
                if (peering.Retry is null)
                {
                    return;
                }

                wait = false; // Re-dial a lost peering at once, then every retry interval.
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            peering.First.TrySetException(new BrokerException(BrokerErrorCode.ShuttingDown, "the peering was cancelled"));
            lock (_lock)
            {
                _outbound.Remove(peering);
            }
        }
    }

    private bool TryGetEstablished(EndpointId id, out PeerConnection connection)
    {
        foreach (var c in _snapshot.Peers)
        {
            if (c.PeerId == id)
            {
                connection = c;
                return true;
            }
        }

        connection = null!;
        return false;
    }

    public async ValueTask<bool> UnpeerAsync(string host, int port, CancellationToken cancellationToken)
    {
        List<PeerConnection> targets = [];
        lock (_lock)
        {
            foreach (var p in _outbound.ToArray())
            {
                if (p.Port == port && string.Equals(p.Host, host, StringComparison.OrdinalIgnoreCase))
                {
                    p.Cancellation.Cancel();
                    _outbound.Remove(p);
                    if (p.Current is { } current)
                    {
                        targets.Add(current);
                    }
                }
            }

            foreach (var c in _established)
            {
                if (c.Port == port && string.Equals(c.Address, host, StringComparison.OrdinalIgnoreCase) && !targets.Contains(c))
                {
                    targets.Add(c);
                }
            }
        }

        if (targets.Count == 0)
        {
            Emit(new ErrorEvent(BrokerErrorCode.PeerInvalid, null, $"cannot unpeer from unknown peer {host}:{port}"));
            return false;
        }

        foreach (var c in targets)
        {
            await c.CloseGracefullyAsync("unpeered", cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>Unpeers by endpoint id: any direct peering with <paramref name="peer"/>, inbound or outbound; stops its retries.</summary>
    public async ValueTask<bool> UnpeerAsync(EndpointId peer, CancellationToken cancellationToken)
    {
        List<PeerConnection> targets = [];
        bool stoppedRetries = false;
        lock (_lock)
        {
            foreach (var p in _outbound.ToArray())
            {
                if (p.Current is { } current && current.PeerId == peer)
                {
                    p.Cancellation.Cancel();
                    _outbound.Remove(p);
                    stoppedRetries = true;
                }
            }

            foreach (var c in _established)
            {
                if (c.PeerId == peer)
                {
                    targets.Add(c);
                }
            }
        }

        if (targets.Count == 0 && !stoppedRetries)
        {
            Emit(new ErrorEvent(BrokerErrorCode.PeerInvalid, null, $"cannot unpeer from unknown peer {peer}"));
            return false;
        }

        foreach (var c in targets)
        {
            await c.CloseGracefullyAsync("unpeered", cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    public IReadOnlyList<PeerInfo> Peers
    {
        get
        {
            var peers = _snapshot.Peers;
            var list = new List<PeerInfo>(peers.Length);
            foreach (var p in peers)
            {
                list.Add(p.Info!);
            }

            return list;
        }
    }

    public IReadOnlyList<string> PeerSubscriptions
    {
        get
        {
            var all = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var p in _snapshot.Peers)
            {
                all.UnionWith(p.Filter);
            }

            return [.. all];
        }
    }

    public async ValueTask ShutdownAsync(CancellationToken cancellationToken)
    {
        PeerConnection[] all;
        lock (_lock)
        {
            if (_shuttingDown)
            {
                all = [];
            }
            else
            {
                _shuttingDown = true;
                foreach (var p in _outbound)
                {
                    p.Cancellation.Cancel();
                }

                foreach (var l in _listeners)
                {
                    l.Dispose();
                }

                _listeners.Clear();
            }

            all = [.. _connections];
        }

        _shutdown.Cancel();
        var closing = new List<Task>(all.Length);
        foreach (var c in all)
        {
            if (c.Info is not null)
            {
                closing.Add(c.CloseGracefullyAsync("endpoint shutdown", cancellationToken));
            }
            else
            {
                c.Abort();
                closing.Add(c.Completion);
            }
        }

        try
        {
            await Task.WhenAll(closing).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            foreach (var c in all)
            {
                c.Abort();
            }
        }

        _commands.Writer.TryComplete();
        await _commandPump.ConfigureAwait(false);
        BrokerSubscription[] subs;
        lock (_lock)
        {
            subs = [.. _subscriptions];
        }

        foreach (var s in subs)
        {
            s.Close();
        }

        foreach (var e in _eventSubscribers)
        {
            e.Close();
        }
    }

    private void ThrowIfShuttingDown()
    {
        if (Volatile.Read(ref _shuttingDown))
        {
            throw new BrokerException(BrokerErrorCode.ShuttingDown, "the endpoint is shutting down");
        }
    }

    // ------------------------------------------------------------------ connection lifecycle (called by PeerConnection)

    public bool TryClaim(PeerConnection connection)
    {
        lock (_lock)
        {
            if (_claims.TryGetValue(connection.PeerId, out var other) && other != connection)
            {
                return false;
            }

            _claims[connection.PeerId] = connection;
            return true;
        }
    }

    /// <summary>Adds a peer after its handshake (routing starts); its events follow in <see cref="OnAnnounced"/>.</summary>
    public bool OnEstablished(PeerConnection connection, string[] sentFilter)
    {
        string[] current;
        lock (_lock)
        {
            if (_shuttingDown)
            {
                return false;
            }

            _established.Add(connection);
            PeeringMetrics.Peers.Add(1);
            PublishSnapshot();
            current = _snapshot.Advertised;
        }

        if (!ReferenceEquals(current, sentFilter) && !current.AsSpan().SequenceEqual(sentFilter))
        {
            SendRoutingUpdate(connection, current);
        }

        return true;
    }

    /// <summary>Emits endpoint_discovered and peer_added (with the peer's name if it sent one) before any of its data.</summary>
    public void OnAnnounced(PeerConnection connection)
    {
        var info = connection.Info!;
        Emit(new StatusEvent(StatusCode.EndpointDiscovered, info, "found a new peer in the network"));
        Emit(new StatusEvent(StatusCode.PeerAdded, info, "handshake successful"));
    }

    /// <summary>Stops routing to a peer (graceful close in progress).</summary>
    public void Unroute(PeerConnection connection)
    {
        lock (_lock)
        {
            if (_established.Remove(connection))
            {
                PeeringMetrics.Peers.Add(-1);
                PublishSnapshot();
            }
        }
    }

    /// <summary>Forgets a closed connection; emits peer_removed/peer_lost then endpoint_unreachable after its last data.</summary>
    public void OnClosed(PeerConnection connection, bool wasEstablished, bool removed, string reason)
    {
        lock (_lock)
        {
            _connections.Remove(connection);
            if (_claims.TryGetValue(connection.PeerId, out var claimant) && claimant == connection)
            {
                _claims.Remove(connection.PeerId);
            }

            if (_established.Remove(connection))
            {
                PeeringMetrics.Peers.Add(-1);
                PublishSnapshot();
            }
        }

        if (!wasEstablished)
        {
            return;
        }

        var info = connection.Info!;
        Emit(removed
            ? new StatusEvent(StatusCode.PeerRemoved, info, $"removed connection to remote peer ({reason})")
            : new StatusEvent(StatusCode.PeerLost, info, "lost connection to remote peer"));
        Emit(new StatusEvent(StatusCode.EndpointUnreachable, info, "lost the last path"));
    }

    public void OnMalformed(PeerConnection connection, string what)
    {
        Interlocked.Increment(ref _malformed);
        PeeringMetrics.MalformedFrames.Add(1);
        Emit(new ErrorEvent(BrokerErrorCode.InvalidMessage, connection.Info, what));
    }

    // ------------------------------------------------------------------ events

    public EventSubscription SubscribeEvents(SubscriberOptions? options)
    {
        var sub = new EventSubscription(options?.QueueSize ?? Options.SubscriberQueueSize, options?.OverflowPolicy ?? OverflowPolicy.DropOldest, RemoveEventSubscriber);
        lock (_lock)
        {
            _eventSubscribers = [.. _eventSubscribers, sub];
        }

        return sub;
    }

    private void RemoveEventSubscriber(EventSubscription sub)
    {
        lock (_lock)
        {
            _eventSubscribers = Array.FindAll(_eventSubscribers, s => s != sub);
        }
    }

    public void Emit(EndpointEvent endpointEvent)
    {
        _logger?.LogDebug("{Event}", endpointEvent);
        foreach (var s in _eventSubscribers)
        {
            s.Offer(endpointEvent);
        }

        // Broker also delivers statuses and errors as ordinary data on <$>/local/data/{statuses,errors} to
        // matching local subscribers (the empty prefix too); DeliverLocal never touches peers.
        var snap = _snapshot;
        string topic = endpointEvent is StatusEvent ? StatusTopics.Statuses : StatusTopics.Errors;
        if (snap.Subscribers.Count != 0 && snap.Subscribers.HasMatch(topic))
        {
            DeliverLocal(snap, topic, StatusData.Of(endpointEvent), EndpointId.Nil);
        }
    }

    // ------------------------------------------------------------------ subscriptions, handlers, filters, ACLs

    /// <param name="prefix">The prefix.</param>
    /// <param name="options">Queue options.</param>
    /// <param name="acceptsEncoded">The subscriber reads values from their bytes (see <see cref="BrokerSubscription.AcceptsEncoded"/>).</param>
    public BrokerSubscription Subscribe(string prefix, SubscriberOptions? options, bool acceptsEncoded = false)
    {
        var problem = TopicRules.CheckSubscriptionPrefix(prefix);

        if (problem != TopicProblem.None)
        {
            throw new InvalidTopicException(prefix, problem, nameof(prefix));
        }

        var sub = new BrokerSubscription(prefix, options?.QueueSize ?? Options.SubscriberQueueSize, options?.OverflowPolicy ?? Options.SubscriberOverflowPolicy, Unsubscribe, acceptsEncoded);
        Mutate(() => _subscriptions.Add(sub), extendWith: prefix);
        return sub;
    }

    private void Unsubscribe(BrokerSubscription sub) => Mutate(() => _subscriptions.Remove(sub));

    public IDisposable AddCommandHandler(string prefix, Action<CommandMessage> handler)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(handler);
        var registration = new CommandHandlerRegistration(this, prefix, handler);
        Mutate(() => _handlers.Add(registration), extendWith: prefix);
        return registration;
    }

    internal void RemoveCommandHandler(CommandHandlerRegistration registration) => Mutate(() => _handlers.Remove(registration));

    public void Forward(string prefix)
    {
        var problem = TopicRules.CheckSubscriptionPrefix(prefix);
        if (problem != TopicProblem.None)
        {
            throw new InvalidTopicException(prefix, problem, nameof(prefix));
        }

        Mutate(() => _forwardEntries.Add(prefix), extendWith: prefix);
    }

    public void SetPublishAllowed(string topic, bool allowed) => Mutate(() => _ = allowed ? _publishAllow.Add(topic) : _publishAllow.Remove(topic));

    public void SetAdvertised(string prefix, bool advertised) =>
        Mutate(() => _ = advertised ? _advertiseAllow.Add(prefix) : _advertiseAllow.Remove(prefix), recompute: true);

    /// <summary>
    /// Applies a routing-state change and publishes a new snapshot. A new subscription extends the advertised
    /// filter (Broker: filters only grow); ACL or flag changes recompute it from scratch (seed semantics: toggling
    /// advertisement takes effect at once). Peers get a routing_update when the filter changed.
    /// </summary>
    private void Mutate(Action change, string? extendWith = null, bool recompute = false)
    {
        string[]? update = null;
        PeerConnection[] peers;
        lock (_lock)
        {
            change();
            bool changed = false;
            if (recompute)
            {
                var fresh = RoutingFilter.Minimise(DesiredEntries());
                changed = !fresh.SequenceEqual(_advertised);
                _advertised = fresh;
            }
            else if (extendWith is not null && IsAdvertisable(extendWith, isSubscription: _subscriptions.Exists(s => s.Prefix == extendWith)))
            {
                changed = RoutingFilter.Extend(_advertised, extendWith);
            }

            PublishSnapshot();
            peers = _snapshot.Peers;
            if (changed)
            {
                update = _snapshot.Advertised;
            }
        }

        if (update is not null)
        {
            foreach (var p in peers)
            {
                SendRoutingUpdate(p, update);
            }
        }
    }

    private IEnumerable<string> DesiredEntries()
    {
        foreach (var s in _subscriptions)
        {
            if (IsAdvertisable(s.Prefix, isSubscription: true))
            {
                yield return s.Prefix;
            }
        }

        foreach (var h in _handlers)
        {
            if (IsAdvertisable(h.Prefix, isSubscription: false))
            {
                yield return h.Prefix;
            }
        }

        foreach (var f in _forwardEntries)
        {
            yield return f;
        }
    }

    private bool IsAdvertisable(string prefix, bool isSubscription)
    {
        if (prefix.StartsWith(TopicRules.LocalTopicPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        // Store handlers are always advertised unless the seed's ACL mode is on (then they obey it like topics).
        return (_flags & EndpointFlags.AutoAdvertise) != 0 || _advertiseAllow.Contains(prefix) || (!isSubscription && _forwardEntries.Contains(prefix));
    }

    private void PublishSnapshot()
    {
        _snapshot = new RoutingSnapshot(
            [.. _established],
            BuildIndex(_subscriptions, static s => s.Prefix),
            BuildIndex(_handlers, static h => h.Prefix),
            [.. _advertised],
            _flags,
            (_flags & EndpointFlags.AutoPublish) != 0 ? null : new HashSet<string>(_publishAllow, StringComparer.Ordinal));
    }

    private static PrefixIndex<T> BuildIndex<T>(List<T> items, Func<T, string> prefixOf)
        where T : notnull
    {
        var index = new PrefixIndex<T>();
        foreach (var item in items)
        {
            index.Add(prefixOf(item), item);
        }

        return index;
    }

    private void SendRoutingUpdate(PeerConnection peer, string[] filter)
    {
        var payload = new byte[FilterCodec.GetSize(filter)];
        FilterCodec.Write(filter, payload);
        peer.Outbox.EnqueueControl(new OutboundFrame(EnvelopeType.RoutingUpdate, FrameArena.RawFrame(Id, peer.PeerId, EnvelopeType.RoutingUpdate, WireFormat.DefaultTtl, WireFormat.ReservedTopic, payload)));
    }

    // ------------------------------------------------------------------ the per-message paths

    /// <summary>
    /// Publishes a value: to local subscribers (with <see cref="SendFlags.Self"/>), WebSocket clients and matching
    /// peers. The frame is written straight from <paramref name="value"/>; a <see cref="BrokerData"/> tree is built
    /// only for the local deliveries that need one.
    /// </summary>
    public void Publish<T>(string topic, in T value, SendFlags flags)
        where T : IBrokerValue
    {
        var snap = _snapshot;
        BrokerData data = default;
        bool built = false;
        if ((flags & SendFlags.Self) != 0)
        {
            data = value.ToBrokerData();
            built = true;
            DeliverLocal(snap, topic, data, EndpointId.Nil);
        }

        if ((flags & SendFlags.Peers) == 0 || (snap.PublishAllow is { } allow && !allow.Contains(topic)))
        {
            return;
        }

        if (WebSocketTap is { } tap)
        {
            tap(topic, built ? data : value.ToBrokerData(), EndpointId.Nil);
        }

        SendToPeers(snap, topic, value, unsolicited: (flags & SendFlags.Unsolicited) != 0);
    }

    // Queues a data message for every peer whose filter matches (every peer when unsolicited), encoded once, for
    // the first peer that wants it.
    private void SendToPeers<T>(RoutingSnapshot snap, string topic, in T value, bool unsolicited)
        where T : IBrokerValue
    {
        OutboundFrame frame = default;
        foreach (var peer in snap.Peers)
        {
            if (unsolicited || RoutingFilter.Matches(peer.Filter, topic))
            {
                if (frame.Bytes.IsEmpty)
                {
                    frame = new OutboundFrame(EnvelopeType.Data, FrameArena.DataFrame(Id, EndpointId.Nil, WireFormat.DefaultTtl, topic, value));
                }

                Enqueue(peer, frame);
            }
        }
    }

    /// <summary>
    /// Delivers an endpoint-local message (<c>&lt;$&gt;/local/...</c>, e.g. store events) to matching local subscribers
    /// only: never to peers or WebSocket clients. The sender is nil, as for statuses and local publishes.
    /// </summary>
    internal void PublishLocal(string topic, in BrokerData data) => DeliverLocal(_snapshot, topic, data, EndpointId.Nil);

    /// <summary>True when a local subscriber's prefix matches the topic (lets producers skip building messages).</summary>
    internal bool HasLocalSubscriber(string topic) => _snapshot.Subscribers.HasMatch(topic);

    private void Enqueue(PeerConnection peer, in OutboundFrame frame)
    {
        var result = frame.Type == EnvelopeType.Command ? peer.Outbox.EnqueueCommand(frame) : peer.Outbox.EnqueueData(frame);
        switch (result)
        {
            case EnqueueResult.DroppedNewest:
            case EnqueueResult.DroppedOldest:
                Interlocked.Increment(ref _peerDrops);
                PeeringMetrics.PeerQueueDrops.Add(1);
                break;
            case EnqueueResult.Overflow:
                Interlocked.Increment(ref _peerDrops);
                PeeringMetrics.PeerQueueDrops.Add(1);
                peer.CloseForOverflow();
                break;
        }
    }

    /// <summary>
    /// A data message from a peer: checked against the decode limits, delivered locally and forwarded as the bytes
    /// it arrived in (<paramref name="payload"/>), as Broker does, so forwarding neither re-encodes nor alters a value.
    /// The value is decoded into a <see cref="BrokerData"/> tree only when a local consumer needs one; subscriptions
    /// that read the bytes themselves (generated typed handlers) get a copy of the bytes, and a message that is only
    /// forwarded is validated without being decoded.
    /// </summary>
    /// <returns>Null, or why the payload was rejected (nothing was delivered or forwarded).</returns>
    public BrokerDecodeException? OnData(PeerConnection from, string topic, ReadOnlySpan<byte> payload, ushort ttl)
    {
        var snap = _snapshot;
        var matches = snap.Subscribers.Count == 0 ? null : MatchesOf(snap, topic);
        var tap = WebSocketTap;
        bool decode = tap is not null || matches is { NeedsTree: true };
        BrokerData data = default;
        try
        {
            if (decode)
            {
                data = BrokerBinary.Decode(payload, Options.DecodeLimits);
            }
            else
            {
                BrokerBinary.Validate(payload, Options.DecodeLimits);
            }
        }
        catch (BrokerDecodeException e)
        {
            return e;
        }

        if (topic.StartsWith(TopicRules.LocalTopicPrefix, StringComparison.Ordinal))
        {
            return null; // Endpoint-local topics never cross the wire; a peer that sends one is misbehaving.
        }

        if (matches is { Matches.Length: > 0 })
        {
            var delivery = decode ? new Delivery(topic, data, from.PeerId) : new Delivery(topic, from.ReceivedBytes.Keep(payload), from.PeerId);
            from.Deliveries.Add(this, matches.Matches, delivery);
        }

        tap?.Invoke(topic, data, from.PeerId);
        if (Options.ForwardMessages)
        {
            Forward(snap, from, topic, ttl, EnvelopeType.Data, payload, EndpointId.Nil);
        }

        return null;
    }

    /// <summary>
    /// Re-sends to other peers whose filter matches, never back to <paramref name="from"/>. Unlike Broker 2.3+ we
    /// decrement the TTL and drop at 0, so a cycle cannot circulate a message forever.
    /// </summary>
    private void Forward(RoutingSnapshot snap, PeerConnection from, string topic, ushort ttl, EnvelopeType type, ReadOnlySpan<byte> payload, EndpointId receiver)
    {
        OutboundFrame frame = default;
        foreach (var peer in snap.Peers)
        {
            if (peer == from || !RoutingFilter.Matches(peer.Filter, topic))
            {
                continue;
            }

            if (ttl <= 1)
            {
                Interlocked.Increment(ref _ttlExpired);
                PeeringMetrics.TtlExpired.Add(1);
                continue;
            }

            Interlocked.Increment(ref _forwarded);
            if (frame.Bytes.IsEmpty)
            {
                frame = new OutboundFrame(type, FrameArena.RawFrame(Id, receiver, type, (ushort)(ttl - 1), topic, payload));
            }

            Enqueue(peer, frame);
        }
    }

    /// <summary>Set by the WebSocket layer: sees every data message published here or received from a peer.</summary>
    public WebSocketTapHandler? WebSocketTap { get; set; }

    /// <summary>
    /// A WebSocket client's message (the client is a lightweight peer with id <paramref name="client"/>): delivered to
    /// local subscribers and sent to every peer whose filter matches.
    /// </summary>
    public void InjectFromWebSocket(EndpointId client, string topic, in BrokerData data)
    {
        Interlocked.Increment(ref _messagesIn);
        var snap = _snapshot;
        DeliverLocal(snap, topic, data, client);
        SendToPeers(snap, topic, data, unsolicited: false);
    }

    private void DeliverLocal(RoutingSnapshot snap, string topic, in BrokerData data, EndpointId sender)
    {
        if (snap.Subscribers.Count == 0)
        {
            return;
        }

        var matches = MatchesOf(snap, topic).Matches;
        if (matches.Length == 0)
        {
            return;
        }

        var delivery = new Delivery(topic, data, sender);
        foreach (var s in matches)
        {
            if (!s.Offer(delivery))
            {
                ReportSubscriberOverflow(s);
            }
        }
    }

    // The local subscriptions matching a topic. Topics repeat: the last topic's matches by reference, else one hash
    // lookup instead of a trie walk (both caches die with the snapshot).
    private static TopicMatches MatchesOf(RoutingSnapshot snap, string topic)
    {
        var last = snap.LastMatch;
        if (last is not null && ReferenceEquals(last.Topic, topic))
        {
            return last;
        }

        if (!snap.MatchCache.TryGetValue(topic, out var found))
        {
            var list = t_subscriberMatches ??= new List<BrokerSubscription>(4);
            snap.Subscribers.Match(topic, list);
            found = TopicMatches.Of(topic, list);
            list.Clear();
            if (snap.MatchCache.Count < RoutingSnapshot.MatchCacheLimit)
            {
                snap.MatchCache.TryAdd(topic, found);
            }
        }

        snap.LastMatch = found;
        return found;
    }

    /// <summary>The Disconnect policy closed a subscription whose queue overflowed.</summary>
    public void ReportSubscriberOverflow(BrokerSubscription subscription) =>
        Emit(new ErrorEvent(BrokerErrorCode.Unspecified, null, $"subscriber queue for '{subscription.Prefix}' overflowed; the subscription was closed (Disconnect policy)"));

    // ------------------------------------------------------------------ store commands

    public void SendCommand(string topic, ReadOnlyMemory<byte> payload, EndpointId receiver)
    {
        var snap = _snapshot;
        if (receiver.IsNil || receiver == Id)
        {
            DispatchLocal(snap, new CommandMessage(topic, Id, receiver, payload));
        }

        if (receiver == Id)
        {
            return;
        }

        OutboundFrame frame = default;
        foreach (var peer in snap.Peers)
        {
            if (receiver.IsNil ? RoutingFilter.Matches(peer.Filter, topic) : peer.PeerId == receiver)
            {
                if (frame.Bytes.IsEmpty)
                {
                    frame = new OutboundFrame(EnvelopeType.Command, FrameArena.RawFrame(Id, receiver, EnvelopeType.Command, WireFormat.DefaultTtl, topic, payload.Span));
                }

                Enqueue(peer, frame);
            }
        }
    }

    public void OnCommand(PeerConnection from, CommandMessage message, ushort ttl)
    {
        var snap = _snapshot;
        if (message.Receiver.IsNil || message.Receiver == Id)
        {
            DispatchLocal(snap, message);
        }

        if (message.Receiver == Id || !Options.ForwardMessages)
        {
            return;
        }

        if (message.Receiver.IsNil)
        {
            Forward(snap, from, message.Topic, ttl, EnvelopeType.Command, message.Payload.Span, message.Receiver);
        }
        else if (TryGetEstablished(message.Receiver, out var target) && target != from && ttl > 1)
        {
            Enqueue(target, new OutboundFrame(EnvelopeType.Command, FrameArena.RawFrame(Id, message.Receiver, EnvelopeType.Command, (ushort)(ttl - 1), message.Topic, message.Payload.Span)));
        }
    }

    private void DispatchLocal(RoutingSnapshot snap, CommandMessage message)
    {
        if (snap.Handlers.Count == 0)
        {
            return;
        }

        var matches = t_handlerMatches ??= new List<CommandHandlerRegistration>(2);
        snap.Handlers.Match(message.Topic, matches);
        foreach (var h in matches)
        {
            _commands.Writer.TryWrite((h.Handler, message));
        }

        matches.Clear();
    }

    private async Task PumpCommandsAsync()
    {
        // One endpoint-owned consumer runs every handler, in arrival order, one at a time.
        await foreach (var (handler, message) in _commands.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                handler(message);
            }
            catch (Exception e)
            {
                Emit(new ErrorEvent(BrokerErrorCode.Unspecified, null, $"a command handler for '{message.Topic}' failed: {e.Message}"));
            }
        }
    }

    public bool AnyPeerSubscribes(string topic)
    {
        foreach (var p in _snapshot.Peers)
        {
            if (RoutingFilter.Matches(p.Filter, topic))
            {
                return true;
            }
        }

        return false;
    }

    // ------------------------------------------------------------------ counters

    /// <summary>Counts a batch of received frames (data, commands and control frames alike).</summary>
    public void CountIn(int frames, long bytes)
    {
        if (frames == 0)
        {
            return;
        }

        Interlocked.Add(ref _messagesIn, frames);
        Interlocked.Add(ref _bytesIn, bytes);
        PeeringMetrics.MessagesIn.Add(frames);
        PeeringMetrics.BytesIn.Add(bytes);
    }

    public void CountOut(int messages)
    {
        Interlocked.Add(ref _messagesOut, messages);
        PeeringMetrics.MessagesOut.Add(messages);
    }

    public EndpointStatistics GetStatistics()
    {
        var peers = _snapshot.Peers;
        var list = new List<PeerStatistics>(peers.Length);
        foreach (var p in peers)
        {
            list.Add(new PeerStatistics(p.Info!, p.Outbox.Depth, p.Outbox.DroppedCount, p.MalformedFrames));
        }

        return new EndpointStatistics(
            Interlocked.Read(ref _messagesIn),
            Interlocked.Read(ref _messagesOut),
            Interlocked.Read(ref _bytesIn),
            Interlocked.Read(ref _peerDrops),
            Interlocked.Read(ref _malformed),
            Interlocked.Read(ref _ttlExpired),
            Interlocked.Read(ref _forwarded),
            list);
    }
}

/// <summary>An immutable view of the routing state, swapped on every change and read without locks.</summary>
/// <summary>Receives a data message for the WebSocket clients (sender: the peer it came from, or nil for a local publish).</summary>
internal delegate void WebSocketTapHandler(string topic, in BrokerData data, EndpointId sender);

internal sealed record RoutingSnapshot(
    PeerConnection[] Peers,
    PrefixIndex<BrokerSubscription> Subscribers,
    PrefixIndex<CommandHandlerRegistration> Handlers,
    string[] Advertised,
    EndpointFlags Flags,
    HashSet<string>? PublishAllow)
{
    public const int MatchCacheLimit = 4096;

    /// <summary>Topic to matching subscribers, filled on demand.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, TopicMatches> MatchCache { get; } = new(StringComparer.Ordinal);

    /// <summary>The most recently delivered topic (one reference, so readers on other threads see a consistent pair).</summary>
    public TopicMatches? LastMatch { get; set; }

    public static RoutingSnapshot Empty(EndpointFlags flags) => new([], new(), new(), [], flags, null);
}

/// <summary>
/// A topic (by reference), its matching subscribers, and whether any of them needs values decoded into a
/// <see cref="BrokerData"/> tree (false when every match reads the encoded bytes itself).
/// </summary>
internal sealed record TopicMatches(string Topic, BrokerSubscription[] Matches, bool NeedsTree)
{
    public static TopicMatches Of(string topic, List<BrokerSubscription> matches)
    {
        bool needsTree = false;
        foreach (var s in matches)
        {
            needsTree |= !s.AcceptsEncoded;
        }

        return new TopicMatches(topic, [.. matches], needsTree);
    }
}

/// <summary>A registered store command handler.</summary>
internal sealed class CommandHandlerRegistration(EndpointCore core, string prefix, Action<CommandMessage> handler) : IDisposable
{
    private int _disposed;

    public string Prefix { get; } = prefix;

    public Action<CommandMessage> Handler { get; } = handler;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            core.RemoveCommandHandler(this);
        }
    }
}

/// <summary>A peering we dial (and re-dial).</summary>
internal sealed class OutboundPeering(string host, int port, TimeSpan? retry)
{
    public string Host { get; } = host;

    public int Port { get; } = port;

    public TimeSpan? Retry { get; } = retry;

    public CancellationTokenSource Cancellation { get; } = new();

    public TaskCompletionSource<PeerInfo> First { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PeerConnection? Current { get; set; }
}
