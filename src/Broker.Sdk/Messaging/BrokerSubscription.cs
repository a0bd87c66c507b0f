namespace Broker;

/// <summary>
/// A subscription to a topic prefix: an async stream of <see cref="BrokerMessage"/> over a bounded queue.
/// Dispose it to unsubscribe (the endpoint updates its advertised filter).
/// </summary>
public sealed class BrokerSubscription : IAsyncEnumerable<BrokerMessage>, IAsyncDisposable
{
    internal BrokerSubscription()
    {
    }

    /// <summary>The subscribed prefix.</summary>
    public string Prefix => throw new NotImplementedException();

    /// <summary>Messages dropped because the queue was full.</summary>
    public long DroppedCount => throw new NotImplementedException();

    /// <summary>Waits for the next message.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The message.</returns>
    public ValueTask<BrokerMessage> ReceiveAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Takes a queued message without waiting.</summary>
    /// <param name="message">The message.</param>
    /// <returns>True when one was queued.</returns>
    public bool TryReceive(out BrokerMessage message) => throw new NotImplementedException();

    /// <inheritdoc />
    public IAsyncEnumerator<BrokerMessage> GetAsyncEnumerator(CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <inheritdoc />
    public ValueTask DisposeAsync() => throw new NotImplementedException();
}

/// <summary>A subscription to an endpoint's status and error events; dispose it to unsubscribe.</summary>
public sealed class EventSubscription : IAsyncEnumerable<EndpointEvent>, IAsyncDisposable
{
    internal EventSubscription()
    {
    }

    /// <summary>Waits for the next event.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The event.</returns>
    public ValueTask<EndpointEvent> ReceiveAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <inheritdoc />
    public IAsyncEnumerator<EndpointEvent> GetAsyncEnumerator(CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <inheritdoc />
    public ValueTask DisposeAsync() => throw new NotImplementedException();
}
