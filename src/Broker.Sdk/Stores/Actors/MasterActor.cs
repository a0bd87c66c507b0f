using Broker.Data;
using Broker.Errors;
using Broker.Stores.Backends;
using Broker.Stores.Engine;
using Broker.Stores.Wire;
using Microsoft.Extensions.Logging;

namespace Broker.Stores.Actors;

/// <summary>
/// The master of a store: applies every mutation (local calls and commands from clones and frontends) in arrival
/// order, broadcasts the resulting puts/erases to clones with sequence numbers, answers snapshot requests
/// (nack [0]) with ack_clone, expires entries on a tick and sends keepalives. Access is serialised by one lock;
/// sends happen under it so sequence numbers leave in order. Store events (spec §5.8) are emitted under the same
/// lock, so local subscribers see them in the order the changes were applied.
/// </summary>
internal sealed class MasterActor : StoreActor
{
    private readonly object _gate = new();
    private readonly StoreEngine _engine;
    private readonly IDisposable _subscription;
    private readonly ITimer _timer;
    private readonly List<BrokerData> _expired = new();
    private ulong _seq = 1;
    private bool _clonesAttached;
    private long _ticks;
    private bool _disposed;

    public MasterActor(string name, IStoreTransport transport, StoreOptions options, Backends.IStoreBackend backend)
        : base(name, transport, options)
    {
        _engine = new StoreEngine(name, backend);
        _subscription = transport.Subscribe(MasterTopic, OnCommand);
        _timer = Time.CreateTimer(_ => Tick(), null, options.TickInterval, options.TickInterval);
    }

    public override StoreRole Role => StoreRole.Master;

    /// <summary>The last sequence number sent to clones.</summary>
    public ulong Sequence
    {
        get
        {
            lock (_gate)
            {
                return _seq;
            }
        }
    }

    public override void Post(in StoreRequest request)
    {
        var result = Apply(request, Self);
        if (!result.IsSuccess)
        {
            LogFailure(request, result, Self);
        }
    }

    public override ValueTask<StoreResult> ExecuteAsync(StoreRequest request, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return new(Apply(request, Self, durable: true));
    }

    /// <summary>Applies one operation; <paramref name="durable"/> commits it before returning (it will be acknowledged).</summary>
    private StoreResult Apply(in StoreRequest request, EntityId publisher, bool durable = false)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return StoreResult.Fail(BrokerErrorCode.ShuttingDown, "the master is closed");
            }

            long now = NowNs;
            var before = EventsWanted() ? ReadBefore(request) : null;
            var result = _engine.Execute(request, now, out var change);
            if (change.Kind != ChangeKind.None)
            {
                Broadcast(change, publisher);
                if (before is not null)
                {
                    EmitEvents(change, before, publisher);
                }

                if (durable)
                {
                    try
                    {
                        _engine.Backend.Flush();
                    }
                    catch (StoreException ex)
                    {
                        return StoreResult.Fail(BrokerErrorCode.BackendFailure, ex.Message);
                    }
                }
            }

            return result;
        }
    }

    private bool EventsWanted() => Events.Wanted;

    /// <summary>What events need from before the change: the old entry of the key, or every key a clear removes.</summary>
    private sealed class Before
    {
        public bool HadOld;
        public StoreEntry Old;
        public List<KeyValuePair<BrokerData, StoreEntry>>? Cleared;
    }

    // Under _gate. Only paid for while someone listens. Existence is the stored state (as Broker's backend->get), so
    // the events alone keep a mirror of the store exact.
    private Before? ReadBefore(in StoreRequest request)
    {
        try
        {
            var before = new Before();
            if (request.Op == StoreOp.Clear)
            {
                before.Cleared = _engine.Backend.Entries();
            }
            else if (!StoreRequest.IsQuery(request.Op))
            {
                before.HadOld = _engine.Backend.TryGet(request.Key, out before.Old);
            }

            return before;
        }
        catch (StoreException)
        {
            return null; // the operation itself will report the backend failure
        }
    }

    // Under _gate. Broker's master: put → insert or update, erase → erase only if the key existed, clear → one erase per key.
    private void EmitEvents(in AppliedChange change, Before before, EntityId publisher)
    {
        switch (change.Kind)
        {
            case ChangeKind.Put when before.HadOld:
                Events.Update(change.Key, before.Old.Value, change.Value, change.ExpirySpan, publisher);
                break;
            case ChangeKind.Put:
                Events.Insert(change.Key, change.Value, change.ExpirySpan, publisher);
                break;
            case ChangeKind.Erase when before.HadOld:
                Events.Erase(change.Key, publisher);
                break;
            case ChangeKind.Clear when before.Cleared is { } cleared:
                foreach (var kv in cleared)
                {
                    Events.Erase(kv.Key, publisher);
                }

                break;
        }
    }

    // Under _gate.
    private void Broadcast(in AppliedChange change, EntityId publisher)
    {
        if (!_clonesAttached)
        {
            return;
        }

        CommandContent content = change.Kind switch
        {
            ChangeKind.Put => new PutCommand(change.Key, change.Value, change.ExpirySpan, publisher),
            ChangeKind.Erase => new EraseCommand(change.Key, publisher),
            _ => new ClearCommand(publisher),
        };
        Send(CloneTopic, new StoreCommand(++_seq, Self, EntityId.Nil, content));
    }

    private void OnCommand(CommandMessage message)
    {
        var command = TryParse(message);
        if (command is null)
        {
            return;
        }

        var sender = command.Sender;
        switch (command.Content)
        {
            case NackCommand:
                // nack [0] is a snapshot request; we keep no retransmit buffer, so any nack gets a full snapshot.
                SendSnapshot(sender, Unicast(sender, message.Sender));
                break;
            case PutCommand c:
                FromNetwork(new StoreRequest(StoreOp.Put, c.Key, c.Value, default, After(c.Expiry)), c.Publisher);
                break;
            case EraseCommand c:
                FromNetwork(new StoreRequest(StoreOp.Erase, c.Key), c.Publisher);
                break;
            case ClearCommand c:
                FromNetwork(new StoreRequest(StoreOp.Clear, default), c.Publisher);
                break;
            case AddCommand c:
                FromNetwork(new StoreRequest(StoreOp.Add, c.Key, c.Value, BrokerData.Count((ulong)c.InitType), After(c.Expiry)), c.Publisher);
                break;
            case SubtractCommand c:
                FromNetwork(new StoreRequest(StoreOp.Subtract, c.Key, c.Value, default, After(c.Expiry)), c.Publisher);
                break;
            case PutUniqueCommand c:
            {
                var result = Apply(new StoreRequest(StoreOp.PutUnique, c.Key, c.Value, default, After(c.Expiry)), c.Publisher, durable: true);
                lock (_gate)
                {
                    // Broker sends the answer as a sequenced message to all clones; the requester picks it by 'who'.
                    bool inserted = result.IsSuccess && result.Value.Kind == BrokerDataKind.Boolean && result.Value.AsBoolean();
                    var answer = new PutUniqueResultCommand(inserted, c.Who, c.RequestId, Self);
                    ulong seq = _clonesAttached ? ++_seq : 0;
                    Send(CloneTopic, new StoreCommand(seq, Self, EntityId.Nil, answer));
                }

                break;
            }

            case SdkRequestCommand c:
            {
                var request = new StoreRequest(c.Op, c.Key, c.Value, c.Arg, c.Expiry);
                var result = Apply(request, c.Publisher, durable: c.RequestId != 0);
                if (c.RequestId != 0)
                {
                    var answer = new SdkResponseCommand(c.Who, c.RequestId, result.Code, result.Value, result.Message ?? "");
                    lock (_gate)
                    {
                        Send(CloneTopic, new StoreCommand(0, Self, c.Who, answer), Unicast(c.Who, message.Sender));
                    }
                }
                else if (!result.IsSuccess)
                {
                    LogFailure(request, result, c.Publisher);
                }

                break;
            }

            case AttachWriterCommand or KeepaliveCommand or CumulativeAckCommand:
                // Writer channel bookkeeping: our writers need no retransmission (the transport is FIFO per peer).
                break;
            default:
                Interlocked.Increment(ref MalformedCommands);
                Logger.LogWarning("Store {Store}: unexpected {Kind} on the master topic from {Sender}", Name, command.Content.Kind, sender);
                break;
        }
    }

    // Unicast to a direct peer (as Broker does for ack_clone); broadcast when the requester is further away, since
    // unicast frames are not forwarded. Receivers filter by the command's receiver entity either way.
    private static EndpointId Unicast(EntityId requester, EndpointId lastHop) =>
        requester.Endpoint == lastHop ? lastHop : EndpointId.Nil;

    private static StoreExpiry? After(long? ns) =>
        ns is > 0 ? StoreExpiry.FromWire(StoreExpiryKind.After, ns.Value) : null;

    private void FromNetwork(in StoreRequest request, EntityId publisher)
    {
        var result = Apply(request, publisher);
        if (!result.IsSuccess)
        {
            LogFailure(request, result, publisher);
        }
    }

    private void SendSnapshot(EntityId clone, EndpointId cloneEndpoint)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _clonesAttached = true;
            List<KeyValuePair<BrokerData, BrokerData>> state;
            try
            {
                state = _engine.State(NowNs);
            }
            catch (StoreException ex)
            {
                Logger.LogError("Store {Store}: cannot read the state for a snapshot: {Error}", Name, ex.Message);
                return;
            }

            var ack = new AckCloneCommand(_seq, Options.HeartbeatTicks, state);
            Send(CloneTopic, new StoreCommand(_seq, Self, clone, ack), cloneEndpoint);
        }
    }

    private void Tick()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            try
            {
                _engine.Backend.Flush(); // group commit of fire-and-forget writes
                _expired.Clear();
                _engine.ExpireDue(NowNs, _expired);
                bool events = _expired.Count > 0 && EventsWanted();
                foreach (var key in _expired)
                {
                    if (events)
                    {
                        Events.Expire(key, Self);
                    }

                    if (_clonesAttached)
                    {
                        Send(CloneTopic, new StoreCommand(++_seq, Self, EntityId.Nil, new ExpireCommand(key, Self)));
                    }
                }
            }
            catch (StoreException ex)
            {
                Logger.LogError("Store {Store}: expiry scan failed: {Error}", Name, ex.Message);
            }

            if (_clonesAttached && ++_ticks % Math.Max((ushort)1, Options.HeartbeatTicks) == 0)
            {
                Send(CloneTopic, new StoreCommand(0, Self, EntityId.Nil, new KeepaliveCommand(_seq)));
            }
        }
    }

    /// <summary>Runs the expiry scan now (tests and shutdown use it; normally the tick does).</summary>
    internal void TickNow() => Tick();

    public override ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return ValueTask.CompletedTask;
            }

            _disposed = true;
            _timer.Dispose();
            _subscription.Dispose();
            _engine.Dispose();
        }

        return ValueTask.CompletedTask;
    }
}
