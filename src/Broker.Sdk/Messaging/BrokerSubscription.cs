using System.Threading.Channels;
using Broker.Errors;

namespace Broker;

/// <summary>
/// A subscription to a topic prefix: an async stream of <see cref="BrokerMessage"/> over a bounded queue.
/// Dispose it to unsubscribe. Broker filters only grow, so unsubscribing sends no routing update: peers may keep
/// sending matching messages, which the endpoint then discards.
/// </summary>
public sealed class BrokerSubscription : IAsyncEnumerable<BrokerMessage>, IAsyncDisposable
{
    private readonly MessageQueue<Delivery> _queue;
    private readonly OverflowPolicy _policy;
    private readonly Action<BrokerSubscription>? _onDispose;
    private long _disconnectDrops;
    private int _disposed;

    internal BrokerSubscription(string prefix, int capacity, OverflowPolicy policy, Action<BrokerSubscription>? onDispose, bool acceptsEncoded = false)
    {
        Prefix = prefix;
        _policy = policy;
        _onDispose = onDispose;
        AcceptsEncoded = acceptsEncoded;
        _queue = new MessageQueue<Delivery>(capacity, policy);
    }

    /// <summary>The subscribed prefix.</summary>
    public string Prefix { get; }

    /// <summary>Messages dropped because the queue was full.</summary>
    public long DroppedCount => _queue.DroppedCount + Interlocked.Read(ref _disconnectDrops);

    /// <summary>Messages waiting in the queue.</summary>
    public int Count => _queue.Count;

    /// <summary>
    /// True for a subscription that reads values from their bytes itself (a generated typed handler): messages from
    /// peers reach it still encoded unless another consumer needed them decoded anyway.
    /// </summary>
    internal bool AcceptsEncoded { get; }

    /// <summary>Waits for the next message.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The message.</returns>
    /// <exception cref="ChannelClosedException">The subscription was disposed, or closed by the <c>Disconnect</c> overflow policy (inner exception).</exception>
    public ValueTask<BrokerMessage> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        var pending = _queue.ReadAsync(cancellationToken);
        return pending.IsCompletedSuccessfully ? new(pending.Result.ToMessage()) : Await(pending);

        static async ValueTask<BrokerMessage> Await(ValueTask<Delivery> pending) => (await pending.ConfigureAwait(false)).ToMessage();
    }

    /// <summary>Takes a queued message without waiting.</summary>
    /// <param name="message">The message.</param>
    /// <returns>True when one was queued.</returns>
    public bool TryReceive(out BrokerMessage message)
    {
        if (_queue.TryRead(out var delivery))
        {
            message = delivery.ToMessage();
            return true;
        }

        message = default;
        return false;
    }

    /// <inheritdoc />
    public async IAsyncEnumerator<BrokerMessage> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        while (await _queue.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (_queue.TryRead(out var delivery))
            {
                yield return delivery.ToMessage();
            }
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _onDispose?.Invoke(this);
            _queue.TryComplete();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Waits until a delivery is queued (true) or the subscription ended and is drained (false).</summary>
    internal ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken) => _queue.WaitToReadAsync(cancellationToken);

    /// <summary>Takes queued deliveries as they are (possibly still encoded), in order and as many as fit, under one lock, without waiting; returns how many.</summary>
    internal int TryReceiveDeliveries(Span<Delivery> deliveries) => _queue.TryReadMany(deliveries);

    /// <summary>Offers a message; false when the Disconnect policy just closed the subscription.</summary>
    internal bool Offer(in Delivery delivery) => _queue.TryWrite(delivery) || !Overflowed();

    /// <summary>Offers messages in order under one lock; false when the Disconnect policy just closed the subscription.</summary>
    internal bool Offer(ReadOnlySpan<Delivery> deliveries) => _queue.WriteMany(deliveries) == deliveries.Length || !Overflowed();

    // A write was refused: the queue is full under the Disconnect policy (close it; true), or already closed (false).
    private bool Overflowed()
    {
        if (_policy == OverflowPolicy.Disconnect && Volatile.Read(ref _disposed) == 0)
        {
            Interlocked.Increment(ref _disconnectDrops);
            Close(new BrokerException(BrokerErrorCode.Unspecified, $"subscriber queue for '{Prefix}' overflowed (Disconnect policy)"));
            return true;
        }

        return false;
    }

    /// <summary>Ends the stream (endpoint shutdown or overflow), unsubscribing.</summary>
    internal void Close(Exception? error = null)
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _onDispose?.Invoke(this);
        }

        _queue.TryComplete(error);
    }
}

/// <summary>A subscription to an endpoint's status and error events; dispose it to unsubscribe.</summary>
public sealed class EventSubscription : IAsyncEnumerable<EndpointEvent>, IAsyncDisposable
{
    private readonly Channel<EndpointEvent> _channel;
    private readonly Action<EventSubscription>? _onDispose;
    private long _dropped;

    internal EventSubscription(int capacity, OverflowPolicy policy, Action<EventSubscription>? onDispose)
    {
        _onDispose = onDispose;
        _channel = Channel.CreateBounded<EndpointEvent>(
            new BoundedChannelOptions(Math.Max(1, capacity))
            {
                FullMode = policy == OverflowPolicy.DropNewest ? BoundedChannelFullMode.DropWrite : BoundedChannelFullMode.DropOldest,
            },
            _ => Interlocked.Increment(ref _dropped));
    }

    /// <summary>Events dropped because the queue was full.</summary>
    public long DroppedCount => Interlocked.Read(ref _dropped);

    /// <summary>Waits for the next event.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The event.</returns>
    public ValueTask<EndpointEvent> ReceiveAsync(CancellationToken cancellationToken = default) => _channel.Reader.ReadAsync(cancellationToken);

    /// <summary>Takes a queued event without waiting.</summary>
    /// <param name="endpointEvent">The event.</param>
    /// <returns>True when one was queued.</returns>
    public bool TryReceive(out EndpointEvent? endpointEvent) => _channel.Reader.TryRead(out endpointEvent);

    /// <inheritdoc />
    public IAsyncEnumerator<EndpointEvent> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
        _channel.Reader.ReadAllAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _onDispose?.Invoke(this);
        _channel.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }

    internal void Offer(EndpointEvent endpointEvent) => _channel.Writer.TryWrite(endpointEvent);

    internal void Close() => _channel.Writer.TryComplete();
}
