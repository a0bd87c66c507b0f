using System.Threading.Channels;

namespace Broker;

/// <summary>
/// The bounded queue behind a subscription: a ring buffer under one short lock, with the overflow policies built in
/// and waiting readers sharing one signal. It behaves like a bounded <see cref="Channel{T}"/> (same exceptions, same
/// drain-after-complete) at about half its cost per message, which matters at a million messages a second, and it
/// takes a whole batch of received messages under one lock (<see cref="WriteMany"/>).
/// </summary>
internal sealed class MessageQueue<T>
{
    private readonly Lock _lock = new();
    private readonly int _capacity;
    private readonly OverflowPolicy _policy;
    private T[] _items = new T[16]; // grows (powers of two) up to the capacity
    private int _head;
    private int _count;
    private TaskCompletionSource<bool>? _signal;
    private bool _completed;
    private Exception? _error;
    private long _dropped;

    public MessageQueue(int capacity, OverflowPolicy policy)
    {
        _capacity = Math.Max(1, capacity);
        _policy = policy;
    }

    /// <summary>Items dropped by the DropOldest/DropNewest policies.</summary>
    public long DroppedCount => Interlocked.Read(ref _dropped);

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    /// <summary>Adds an item under the overflow policy; false when completed, or full under the Disconnect policy.</summary>
    public bool TryWrite(in T item)
    {
        TaskCompletionSource<bool>? wake;
        lock (_lock)
        {
            if (_completed || !Add(item))
            {
                return false;
            }

            wake = _signal;
            _signal = null;
        }

        wake?.TrySetResult(true);
        return true;
    }

    /// <summary>
    /// Adds items in order, as <see cref="TryWrite"/> each; returns how many were taken (fewer only when completed
    /// or full under the Disconnect policy).
    /// </summary>
    public int WriteMany(ReadOnlySpan<T> items)
    {
        TaskCompletionSource<bool>? wake;
        int taken = 0;
        lock (_lock)
        {
            if (_completed)
            {
                return 0;
            }

            while (taken < items.Length && Add(items[taken]))
            {
                taken++;
            }

            wake = _signal;
            _signal = null;
        }

        wake?.TrySetResult(true);
        return taken;
    }

    // Under the lock. False only for the Disconnect policy when full.
    private bool Add(in T item)
    {
        if (_count >= _capacity)
        {
            switch (_policy)
            {
                case OverflowPolicy.Disconnect:
                    return false;
                case OverflowPolicy.DropNewest:
                    _dropped++;
                    return true;
                default:
                    _items[_head] = default!;
                    _head = (_head + 1) & (_items.Length - 1);
                    _count--;
                    _dropped++;
                    break;
            }
        }
        else if (_count == _items.Length)
        {
            Grow();
        }

        _items[(_head + _count) & (_items.Length - 1)] = item;
        _count++;
        return true;
    }

    private void Grow()
    {
        var bigger = new T[_items.Length * 2];
        int first = Math.Min(_count, _items.Length - _head);
        Array.Copy(_items, _head, bigger, 0, first);
        Array.Copy(_items, 0, bigger, first, _count - first);
        _items = bigger;
        _head = 0;
    }

    public bool TryRead(out T item)
    {
        lock (_lock)
        {
            if (_count == 0)
            {
                item = default!;
                return false;
            }

            item = _items[_head];
            _items[_head] = default!;
            _head = (_head + 1) & (_items.Length - 1);
            _count--;
            return true;
        }
    }

    /// <summary>Takes up to <paramref name="destination"/>.Length queued items in order under one lock; returns how many.</summary>
    public int TryReadMany(Span<T> destination)
    {
        lock (_lock)
        {
            int n = Math.Min(_count, destination.Length);
            int mask = _items.Length - 1;
            for (int i = 0; i < n; i++)
            {
                ref T slot = ref _items[(_head + i) & mask];
                destination[i] = slot;
                slot = default!;
            }

            _head = (_head + n) & mask;
            _count -= n;
            return n;
        }
    }

    /// <summary>True when an item is available, false when completed and drained; throws the completion error, as channels do.</summary>
    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<bool>(cancellationToken);
        }

        TaskCompletionSource<bool> signal;
        lock (_lock)
        {
            if (_count > 0)
            {
                return new(true);
            }

            if (_completed)
            {
                return _error is null ? new(false) : ValueTask.FromException<bool>(_error);
            }

            signal = _signal ??= new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        return new(cancellationToken.CanBeCanceled ? signal.Task.WaitAsync(cancellationToken) : signal.Task);
    }

    public ValueTask<T> ReadAsync(CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<T>(cancellationToken);
        }

        return TryRead(out var item) ? new(item) : ReadSlowAsync(cancellationToken);
    }

    private async ValueTask<T> ReadSlowAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            bool available;
            try
            {
                available = await WaitToReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw new ChannelClosedException(e);
            }

            if (!available)
            {
                throw new ChannelClosedException();
            }

            if (TryRead(out var item))
            {
                return item;
            }
        }
    }

    /// <summary>Accepts nothing more; readers drain what is queued, then see the end (or <paramref name="error"/>).</summary>
    public bool TryComplete(Exception? error = null)
    {
        TaskCompletionSource<bool>? wake;
        lock (_lock)
        {
            if (_completed)
            {
                return false;
            }

            _completed = true;
            _error = error;
            wake = _signal;
            _signal = null;
        }

        wake?.TrySetResult(true);
        return true;
    }
}
