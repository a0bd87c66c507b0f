namespace Broker.Stores;

/// <summary>
/// The typed view of one store's change events: a local data subscription on the store's event topic
/// (<see cref="StoreChange.TopicPrefix"/> + <c>/name</c>), read as <see cref="StoreChange"/> records. Events
/// written after <see cref="DataStore.SubscribeChanges"/> returns are delivered in the order they were applied.
/// Dispose it to unsubscribe.
/// </summary>
public sealed class StoreChangeSubscription : IAsyncEnumerable<StoreChange>, IAsyncDisposable
{
    private readonly BrokerSubscription _subscription;
    private readonly string _topic;
    private readonly StoreChange.ParseCache _cache = new();

    internal StoreChangeSubscription(BrokerSubscription subscription, string topic)
    {
        _subscription = subscription;
        _topic = topic;
    }

    /// <summary>Events dropped because the queue was full (see <see cref="SubscriberOptions"/>).</summary>
    public long DroppedCount => _subscription.DroppedCount;

    /// <summary>Waits for the next change.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The change.</returns>
    /// <exception cref="System.Threading.Channels.ChannelClosedException">The subscription was disposed.</exception>
    public async ValueTask<StoreChange> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var message = await _subscription.ReceiveAsync(cancellationToken).ConfigureAwait(false);
            if (TryConvert(message, out var change))
            {
                return change;
            }
        }
    }

    /// <summary>Takes a queued change without waiting.</summary>
    /// <param name="change">The change.</param>
    /// <returns>True when one was queued.</returns>
    public bool TryReceive([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out StoreChange? change)
    {
        while (_subscription.TryReceive(out var message))
        {
            if (TryConvert(message, out change))
            {
                return true;
            }
        }

        change = null;
        return false;
    }

    /// <inheritdoc/>
    public async IAsyncEnumerator<StoreChange> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        await foreach (var message in _subscription.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (TryConvert(message, out var change))
            {
                yield return change;
            }
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _subscription.DisposeAsync();

    // Topics match by raw prefix, so store "a" would also see store "ab": keep only this store's topic.
    private bool TryConvert(in BrokerMessage message, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out StoreChange? change)
    {
        change = null;
        return string.Equals(message.Topic, _topic, StringComparison.Ordinal) && StoreChange.TryParse(message.Data, _cache, out change);
    }
}
