using System.Collections.Concurrent;
using Broker.Data;
using Broker.Errors;
using Broker.Stores.Backends;
using Broker.Stores.Engine;
using Broker.Stores.Wire;
using Microsoft.Extensions.Logging;

namespace Broker.Stores.Actors;

/// <summary>
/// A clone (full replica) or a frontend (no data) of a store whose master may be anywhere in the network.
/// The clone asks for a snapshot with nack [0] every tick until the master answers with ack_clone, then applies
/// the master's sequenced puts/erases in order; a gap, a message from another master, or silence longer than
/// <see cref="CloneOptions.MasterTimeout"/> starts a resync. Writes go to the master as Broker commands (the SDK
/// request extension for what Broker cannot express) and are buffered while no master is known.
/// </summary>
internal sealed class RemoteActor : StoreActor
{
    private readonly object _gate = new();
    private readonly StoreHost _host;
    private readonly bool _replica;
    private readonly CloneOptions _clone;
    private readonly StoreEngine? _engine;
    private readonly IDisposable _subscription;
    private readonly ITimer _timer;
    private readonly ConcurrentDictionary<ulong, TaskCompletionSource<StoreResult>> _pending = new();
    private readonly Queue<(long EnqueuedNs, CommandContent Content, TaskCompletionSource<StoreResult>? Waiter, ulong RequestId)> _buffer = new();
    private readonly TaskCompletionSource _firstSync = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _nextRequest;
    private ulong _writerSeq = 1;
    private bool _writerAttached;
    private bool _synced;
    private bool _hasState;
    private EntityId _master;
    private ulong _nextSeq;
    private long _lastHeardNs;
    private long? _lostSinceNs;
    private long _ticks;
    private long _lastSnapshotRequestNs = long.MinValue;
    private bool _disposed;

    public RemoteActor(StoreHost host, string name, CloneOptions options, bool replica)
        : base(name, host.Transport, options)
    {
        _host = host;
        _replica = replica;
        _clone = options;
        if (replica)
        {
            _engine = new StoreEngine(name, new MemoryBackend());
        }

        _subscription = Transport.Subscribe(CloneTopic, OnCommand);
        _timer = Time.CreateTimer(_ => Tick(), null, options.TickInterval, options.TickInterval);
        if (replica)
        {
            RequestSnapshot();
        }
    }

    public override StoreRole Role => _replica ? StoreRole.Clone : StoreRole.Frontend;

    /// <summary>Completes when the first snapshot has arrived.</summary>
    public Task FirstSync => _firstSync.Task;

    /// <summary>True while the clone follows a live master.</summary>
    public bool IsSynchronized
    {
        get
        {
            lock (_gate)
            {
                return _synced;
            }
        }
    }

    /// <summary>Requests waiting for an answer (a cancelled or timed-out request leaves none behind).</summary>
    public int PendingRequests => _pending.Count;

    /// <summary>How many writes wait for a master.</summary>
    public int BufferedWrites
    {
        get
        {
            lock (_gate)
            {
                return _buffer.Count;
            }
        }
    }

    public override void Post(in StoreRequest request) => Write(request, null, 0);

    public override ValueTask<StoreResult> ExecuteAsync(StoreRequest request, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_replica && IsLocalQuery(request.Op))
        {
            return new(QueryReplica(request));
        }

        if (!_replica && !MasterReachable())
        {
            return new(StoreResult.Fail(BrokerErrorCode.NoSuchMaster, "no master for this store is known to this endpoint or its peers"));
        }

        return AwaitAnswer(request, cancellationToken);
    }

    private static bool IsLocalQuery(StoreOp op) => op is StoreOp.Get or StoreOp.Exists or StoreOp.GetIndex
        or StoreOp.Keys or StoreOp.Size or StoreOp.Snapshot;

    private bool MasterReachable() => Transport.AnyPeerSubscribes(MasterTopic) || _host.HasMaster(Name);

    private StoreResult QueryReplica(in StoreRequest request)
    {
        lock (_gate)
        {
            if (!_hasState)
            {
                return StoreResult.Fail(BrokerErrorCode.StaleData, "the clone has no snapshot from a master yet");
            }

            if (_lostSinceNs is { } lost && _clone.StaleInterval >= TimeSpan.Zero &&
                NowNs - lost > _clone.StaleInterval.Ticks * 100)
            {
                return StoreResult.Fail(BrokerErrorCode.StaleData,
                    $"the master has been unreachable for longer than the stale interval ({_clone.StaleInterval})");
            }

            // The replica holds no deadlines: expiry is the master's job (it sends expire).
            return _engine!.Execute(request, NowNs, out _);
        }
    }

    private async ValueTask<StoreResult> AwaitAnswer(StoreRequest request, CancellationToken cancellationToken)
    {
        ulong id = (ulong)Interlocked.Increment(ref _nextRequest);
        var waiter = new TaskCompletionSource<StoreResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = waiter;
        long started = Time.GetTimestamp();
        using var timeout = new CancellationTokenSource(Options.DefaultTimeout, Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            Write(request, waiter, id);
            return await waiter.Task.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && timeout.IsCancellationRequested)
        {
            throw new StoreTimeoutException(Name, StoreRequest.Name(request.Op), Time.GetElapsedTime(started));
        }
        finally
        {
            // A cancelled or timed-out query leaves nothing behind; a late answer finds no waiter and is dropped.
            _pending.TryRemove(id, out _);
            if (waiter.Task.IsCompleted is false)
            {
                RemoveBuffered(waiter);
            }
        }
    }

    private void RemoveBuffered(TaskCompletionSource<StoreResult> waiter)
    {
        lock (_gate)
        {
            if (_buffer.Count == 0)
            {
                return;
            }

            int n = _buffer.Count;
            for (int i = 0; i < n; i++)
            {
                var item = _buffer.Dequeue();
                if (!ReferenceEquals(item.Waiter, waiter))
                {
                    _buffer.Enqueue(item);
                }
            }
        }
    }

    /// <summary>Turns an operation into the command the master understands: Broker's own variant where one exists.</summary>
    private CommandContent ToCommand(in StoreRequest r, ulong requestId)
    {
        bool plainExpiry = r.Expiry is null || r.Expiry.Value.Kind == StoreExpiryKind.After;
        long? span = r.Expiry?.Nanoseconds;
        if (plainExpiry && requestId == 0)
        {
            switch (r.Op)
            {
                case StoreOp.Put:
                    return new PutCommand(r.Key, r.Value, span, Self);
                case StoreOp.Erase:
                    return new EraseCommand(r.Key, Self);
                case StoreOp.Clear:
                    return new ClearCommand(Self);
                case StoreOp.Add:
                    return new AddCommand(r.Key, r.Value, (BrokerDataKind)r.Arg.AsCount(), span, Self);
                case StoreOp.Subtract:
                    return new SubtractCommand(r.Key, r.Value, span, Self);
            }
        }

        if (plainExpiry && r.Op == StoreOp.PutUnique)
        {
            return new PutUniqueCommand(r.Key, r.Value, span, Self, requestId, Self);
        }

        return new SdkRequestCommand(Self, requestId, r.Op, r.Key, r.Value, r.Arg, r.Expiry, Self);
    }

    private void Write(in StoreRequest request, TaskCompletionSource<StoreResult>? waiter, ulong requestId)
    {
        var content = ToCommand(request, requestId);
        lock (_gate)
        {
            if (_disposed)
            {
                waiter?.TrySetResult(StoreResult.Fail(BrokerErrorCode.ShuttingDown, "the store handle is closed"));
                return;
            }

            // A frontend has no channel to watch: it sends and relies on the request timeout.
            if (!_replica)
            {
                SendToMaster(content);
                return;
            }

            // A synchronized clone whose master has no route right now (its connection is being re-established and
            // the master may not have noticed) buffers like a clone without a master: sent now, the write would go
            // nowhere and be lost. The next tick with a route sends the buffer, oldest first.
            if (_synced && MasterReachable())
            {
                SendBuffered(NowNs);
                SendToMaster(content);
                return;
            }

            if (_clone.MutationBufferInterval <= TimeSpan.Zero)
            {
                Logger.LogWarning("Store {Store}: dropped {Operation}: no master and mutation buffering is off", Name, StoreRequest.Name(request.Op));
                waiter?.TrySetResult(StoreResult.Fail(BrokerErrorCode.NoSuchMaster, "no master is connected and writes are not buffered"));
                return;
            }

            if (_buffer.Count >= _clone.MutationBufferLimit)
            {
                var dropped = _buffer.Dequeue();
                dropped.Waiter?.TrySetResult(StoreResult.Fail(BrokerErrorCode.NoSuchMaster, "dropped from a full mutation buffer"));
                Logger.LogWarning("Store {Store}: mutation buffer full, dropped the oldest write", Name);
            }

            _buffer.Enqueue((NowNs, content, waiter, requestId));
        }
    }

    // Under _gate.
    private void SendToMaster(CommandContent content)
    {
        if (_replica && !_writerAttached && !_master.IsNil)
        {
            // Broker's writer channel handshake; our master needs none, a Broker master expects it.
            _writerAttached = true;
            Send(MasterTopic, new StoreCommand(0, Self, _master, new AttachWriterCommand(1, Options.HeartbeatTicks)));
        }

        ulong seq = content is SdkRequestCommand or PutUniqueCommand or PutCommand or EraseCommand or ClearCommand or AddCommand or SubtractCommand
            ? ++_writerSeq
            : 0;
        Send(MasterTopic, new StoreCommand(seq, Self, _master, content));
    }

    private void RequestSnapshot()
    {
        _lastSnapshotRequestNs = NowNs;
        Send(MasterTopic, new StoreCommand(0, Self, EntityId.Nil, new NackCommand([0])));
    }

    private void OnCommand(CommandMessage message)
    {
        var command = TryParse(message);
        if (command is null)
        {
            return;
        }

        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            switch (command.Content)
            {
                case SdkResponseCommand r:
                    if (r.Who == Self)
                    {
                        Complete(r.RequestId, new StoreResult(r.Code, r.Value, r.Code == BrokerErrorCode.None ? null : r.Message));
                    }

                    Heard(command.Sender);
                    return;
                case PutUniqueResultCommand r:
                    if (r.Who == Self)
                    {
                        Complete(r.RequestId, StoreResult.Ok(BrokerData.Boolean(r.Inserted)));
                    }

                    break;
            }

            if (!_replica)
            {
                return;
            }

            switch (command.Content)
            {
                case AckCloneCommand ack:
                    if (command.Receiver == Self)
                    {
                        ApplySnapshot(command.Sender, ack);
                    }

                    return;
                case KeepaliveCommand k:
                    if (_synced && command.Sender == _master)
                    {
                        Heard(command.Sender);
                        if (k.Seq >= _nextSeq)
                        {
                            Resync($"keepalive announces sequence {k.Seq}, next expected {_nextSeq}");
                        }
                    }
                    else if (_synced)
                    {
                        Resync($"keepalive from another master {command.Sender}");
                    }

                    return;
                case PutCommand or EraseCommand or ExpireCommand or ClearCommand or PutUniqueResultCommand:
                    OnUpdate(command);
                    return;
                case RetransmitFailedCommand:
                    Resync("the master could not retransmit");
                    return;
                case SdkRequestCommand or NackCommand or AttachWriterCommand or CumulativeAckCommand or AddCommand or SubtractCommand or PutUniqueCommand:
                    // Traffic for the master that reached us because we share a topic prefix: not ours.
                    return;
            }
        }
    }

    // Under _gate.
    private void OnUpdate(StoreCommand command)
    {
        if (!_synced)
        {
            return;
        }

        if (command.Sender != _master)
        {
            Resync($"update from another master {command.Sender}");
            return;
        }

        Heard(command.Sender);
        if (command.Seq < _nextSeq)
        {
            return;
        }

        if (command.Seq > _nextSeq)
        {
            Resync($"gap: got sequence {command.Seq}, expected {_nextSeq}");
            return;
        }

        _nextSeq++;
        var backend = _engine!.Backend;
        bool events = EventsWanted();
        switch (command.Content)
        {
            case PutCommand p:
            {
                bool hadOld = backend.TryGet(p.Key, out var old);
                backend.Put(p.Key, new StoreEntry(p.Value, null, null));
                if (events && hadOld)
                {
                    Events.Update(p.Key, old.Value, p.Value, p.Expiry, p.Publisher);
                }
                else if (events)
                {
                    Events.Insert(p.Key, p.Value, p.Expiry, p.Publisher);
                }

                break;
            }

            case EraseCommand e:
                if (backend.Erase(e.Key) && events)
                {
                    Events.Erase(e.Key, e.Publisher);
                }

                break;
            case ExpireCommand x:
                if (backend.Erase(x.Key) && events)
                {
                    Events.Expire(x.Key, x.Publisher);
                }

                break;
            case ClearCommand c:
                if (events)
                {
                    foreach (var kv in backend.Entries())
                    {
                        Events.Erase(kv.Key, c.Publisher);
                    }
                }

                backend.Clear();
                break;
        }
    }

    // One event stream per store per endpoint: a master here speaks for the store; else the first clone does.
    private bool EventsWanted() => Events.Wanted && _host.EmitsEvents(this);

    // Under _gate. Broker's clone replaces its contents with a snapshot and reports the difference: erases first,
    // then inserts and updates (unchanged keys are silent), all published by the master.
    private void EmitSnapshotDiff(List<KeyValuePair<BrokerData, StoreEntry>> before, IReadOnlyList<KeyValuePair<BrokerData, BrokerData>> after, EntityId master)
    {
        var fresh = new Dictionary<BrokerData, BrokerData>(after.Count);
        foreach (var kv in after)
        {
            fresh[kv.Key] = kv.Value;
        }

        var old = new Dictionary<BrokerData, BrokerData>(before.Count);
        foreach (var kv in before)
        {
            old[kv.Key] = kv.Value.Value;
            if (!fresh.ContainsKey(kv.Key))
            {
                Events.Erase(kv.Key, master);
            }
        }

        foreach (var kv in after)
        {
            if (!old.TryGetValue(kv.Key, out var previous))
            {
                Events.Insert(kv.Key, kv.Value, null, master);
            }
            else if (previous != kv.Value)
            {
                Events.Update(kv.Key, previous, kv.Value, null, master);
            }
        }
    }

    // Under _gate.
    private void ApplySnapshot(EntityId master, AckCloneCommand ack)
    {
        var backend = _engine!.Backend;
        if (EventsWanted())
        {
            EmitSnapshotDiff(backend.Entries(), ack.State, master);
        }

        backend.Clear();
        foreach (var kv in ack.State)
        {
            backend.Put(kv.Key, new StoreEntry(kv.Value, null, null));
        }

        bool newMaster = master != _master;
        _master = master;
        _nextSeq = ack.Offset + 1;
        _synced = true;
        _hasState = true;
        _lostSinceNs = null;
        if (newMaster)
        {
            _writerAttached = false;
            _writerSeq = 1;
        }

        Heard(master);
        Send(MasterTopic, new StoreCommand(0, Self, master, new CumulativeAckCommand(ack.Offset)), master.Endpoint);
        Logger.LogDebug("Store {Store}: clone synchronized with {Master} at {Offset} ({Count} entries)", Name, master, ack.Offset, ack.State.Count);

        // Replay what was written while no master was known, oldest first.
        SendBuffered(NowNs);
        _firstSync.TrySetResult();
    }

    // Under _gate: sends the writes buffered while no master was reachable, oldest first (expired ones are dropped).
    private void SendBuffered(long now)
    {
        while (_buffer.Count > 0)
        {
            var item = _buffer.Dequeue();
            if (Expired(item.EnqueuedNs, now))
            {
                DropBuffered(item.Content, item.Waiter);
                continue;
            }

            SendToMaster(item.Content);
        }
    }

    private bool Expired(long enqueuedNs, long now) => now - enqueuedNs > _clone.MutationBufferInterval.Ticks * 100;

    private void DropBuffered(CommandContent content, TaskCompletionSource<StoreResult>? waiter)
    {
        Logger.LogError("Store {Store}: dropped a buffered {Kind}: no master within the mutation buffer interval ({Interval})",
            Name, content.Kind, _clone.MutationBufferInterval);
        waiter?.TrySetResult(StoreResult.Fail(BrokerErrorCode.NoSuchMaster,
            $"no master within the mutation buffer interval ({_clone.MutationBufferInterval})"));
    }

    // Under _gate.
    private void Heard(EntityId sender)
    {
        if (sender == _master)
        {
            _lastHeardNs = NowNs;
        }
    }

    // Under _gate.
    private void Resync(string reason)
    {
        Logger.LogInformation("Store {Store}: clone resynchronizes: {Reason}", Name, reason);
        _synced = false;
        RequestSnapshot();
    }

    private void Complete(ulong requestId, StoreResult result)
    {
        if (_pending.TryRemove(requestId, out var waiter))
        {
            waiter.TrySetResult(result);
        }
    }

    private void Tick()
    {
        lock (_gate)
        {
            if (_disposed || !_replica)
            {
                return;
            }

            long now = NowNs;
            _ticks++;
            if (_synced)
            {
                if (now - _lastHeardNs > _clone.MasterTimeout.Ticks * 100)
                {
                    _lostSinceNs ??= now;
                    Logger.LogWarning("Store {Store}: master {Master} lost (silent for {Timeout})", Name, _master, _clone.MasterTimeout);
                    Resync("master lost");
                }
                else
                {
                    if (_buffer.Count > 0 && MasterReachable())
                    {
                        SendBuffered(now); // written while the route to the master was being re-established
                    }

                    if (_ticks % Math.Max((ushort)1, Options.HeartbeatTicks) == 0)
                    {
                        Send(MasterTopic, new StoreCommand(0, Self, EntityId.Nil, new KeepaliveCommand(_nextSeq - 1)));
                    }
                }
            }
            else
            {
                if (_hasState)
                {
                    _lostSinceNs ??= now;
                }

                if (now - _lastSnapshotRequestNs >= _clone.ResyncInterval.Ticks * 100)
                {
                    RequestSnapshot();
                }
            }

            while (_buffer.Count > 0 && Expired(_buffer.Peek().EnqueuedNs, now))
            {
                var item = _buffer.Dequeue();
                DropBuffered(item.Content, item.Waiter);
            }
        }
    }

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
            _engine?.Dispose();
            foreach (var item in _buffer)
            {
                item.Waiter?.TrySetResult(StoreResult.Fail(BrokerErrorCode.ShuttingDown, "the store handle is closed"));
            }

            _buffer.Clear();
        }

        foreach (var id in _pending.Keys)
        {
            Complete(id, StoreResult.Fail(BrokerErrorCode.ShuttingDown, "the store handle is closed"));
        }

        _firstSync.TrySetException(new StoreException(BrokerErrorCode.ShuttingDown, Name, "attach_clone", "closed before the first snapshot"));
        _ = _firstSync.Task.Exception;
        return ValueTask.CompletedTask;
    }
}
