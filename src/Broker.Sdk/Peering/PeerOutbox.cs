using Broker.Wire;

namespace Broker.Peering;

/// <summary>
/// One frame waiting for a peer's writer loop: its complete wire bytes (length prefix, envelope, payload), encoded
/// when it was queued (<see cref="FrameArena"/>), so the writer only copies and a frame for several peers is encoded once.
/// </summary>
internal readonly struct OutboundFrame(EnvelopeType type, ReadOnlyMemory<byte> bytes)
{
    public EnvelopeType Type { get; } = type;

    public ReadOnlyMemory<byte> Bytes { get; } = bytes;
}

/// <summary>What happened to an offered frame.</summary>
internal enum EnqueueResult
{
    Queued,
    DroppedOldest,
    DroppedNewest,
    Overflow,
    Closed,
}

/// <summary>
/// A peer's bounded output queue. Data frames obey the overflow policy; control frames (routing updates, pongs)
/// bypass the bound because they are few and losing them would break the peering. The single writer takes
/// everything queued at once (queues are swapped), so it touches the lock once per batch, not per frame.
/// </summary>
internal sealed class PeerOutbox
{
    private readonly Lock _lock = new();
    private readonly int _capacity;
    private readonly OverflowPolicy _policy;
    private Queue<OutboundFrame> _data = new();
    private Queue<OutboundFrame> _control = new();
    private TaskCompletionSource<bool>? _waiter;
    private bool _completed;
    private long _dropped;

    public PeerOutbox(int capacity, OverflowPolicy policy)
    {
        _capacity = Math.Max(1, capacity);
        _policy = policy;
    }

    public long DroppedCount => Interlocked.Read(ref _dropped);

    public int Depth
    {
        get
        {
            lock (_lock)
            {
                return _data.Count + _control.Count;
            }
        }
    }

    public EnqueueResult EnqueueData(in OutboundFrame frame)
    {
        TaskCompletionSource<bool>? wake;
        EnqueueResult result = EnqueueResult.Queued;
        lock (_lock)
        {
            if (_completed)
            {
                return EnqueueResult.Closed;
            }

            if (_data.Count >= _capacity)
            {
                switch (_policy)
                {
                    case OverflowPolicy.DropNewest:
                        _dropped++;
                        return EnqueueResult.DroppedNewest;
                    case OverflowPolicy.Disconnect:
                        return EnqueueResult.Overflow;
                    default:
                        _data.Dequeue();
                        _dropped++;
                        result = EnqueueResult.DroppedOldest;
                        break;
                }
            }

            _data.Enqueue(frame);
            wake = _waiter;
            _waiter = null;
        }

        wake?.TrySetResult(true);
        return result;
    }

    /// <summary>
    /// Queues a store command. Commands never obey the drop policies: a dropped write would vanish without a trace
    /// (Broker's channels would retransmit it; ours resync clones but cannot recover a lost clone write). They are
    /// still bounded — past <see cref="CommandBacklogFactor"/> times the capacity (at least <see cref="MinCommandBacklog"/>) the peer is hopelessly behind, and the
    /// caller closes the connection (stores then resync after the re-peering).
    /// </summary>
    public EnqueueResult EnqueueCommand(in OutboundFrame frame)
    {
        TaskCompletionSource<bool>? wake;
        lock (_lock)
        {
            if (_completed)
            {
                return EnqueueResult.Closed;
            }

            if (_control.Count >= Math.Max((long)_capacity * CommandBacklogFactor, MinCommandBacklog))
            {
                return EnqueueResult.Overflow;
            }

            _control.Enqueue(frame);
            wake = _waiter;
            _waiter = null;
        }

        wake?.TrySetResult(true);
        return EnqueueResult.Queued;
    }

    /// <summary>How many times the data capacity of store commands may queue before the peer counts as stalled.</summary>
    public const int CommandBacklogFactor = 64;

    /// <summary>The command backlog allowed whatever the data capacity (a burst of small writes is normal).</summary>
    public const int MinCommandBacklog = 1 << 16;

    public bool EnqueueControl(in OutboundFrame frame)
    {
        TaskCompletionSource<bool>? wake;
        lock (_lock)
        {
            if (_completed)
            {
                return false;
            }

            _control.Enqueue(frame);
            wake = _waiter;
            _waiter = null;
        }

        wake?.TrySetResult(true);
        return true;
    }

    /// <summary>Accepts nothing more; the writer drains what is queued and then stops.</summary>
    public void Complete()
    {
        TaskCompletionSource<bool>? wake;
        lock (_lock)
        {
            _completed = true;
            wake = _waiter;
            _waiter = null;
        }

        wake?.TrySetResult(false);
    }

    /// <summary>Waits until something is queued (true) or the outbox is completed and empty (false).</summary>
    public Task<bool> WaitAsync()
    {
        lock (_lock)
        {
            if (_data.Count > 0 || _control.Count > 0)
            {
                return Task.FromResult(true);
            }

            if (_completed)
            {
                return Task.FromResult(false);
            }

            _waiter ??= new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            return _waiter.Task;
        }
    }

    /// <summary>Swaps the queues with the (empty) spares the writer hands in and returns what was queued.</summary>
    public void TakeAll(ref Queue<OutboundFrame> control, ref Queue<OutboundFrame> data)
    {
        lock (_lock)
        {
            (control, _control) = (_control, control);
            (data, _data) = (_data, data);
        }
    }
}
