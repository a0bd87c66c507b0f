using Broker.Errors;
using Broker.Serialization;
using Broker.Zeek;

namespace Broker.Typed;

/// <summary>
/// A running typed event handler: it subscribes on a contract's topic prefixes and routes every incoming Zeek event
/// through the contract's generated dispatch table to the handler. A message that is not an event, an arity or type
/// mismatch, or a handler that throws becomes an <see cref="ErrorEvent"/> (see <see cref="TypedSubscriptionOptions.OnError"/>);
/// the loop keeps running. Dispose it to unsubscribe.
/// </summary>
public sealed class EventHandlerRegistration : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<BrokerSubscription> _subscriptions = new();
    private readonly List<Task> _loops = new();
    private long _handled;
    private long _ignored;
    private long _errors;
    private long _readEncoded;
    private int _disposed;

    private EventHandlerRegistration()
    {
    }

    /// <summary>Events decoded and handled.</summary>
    public long HandledCount => Interlocked.Read(ref _handled);

    /// <summary>Messages under the contract's prefixes that name an event the contract does not declare (ignored, as Zeek does).</summary>
    public long IgnoredCount => Interlocked.Read(ref _ignored);

    /// <summary>Messages the generated reader took straight from their bytes (no tree); the rest went through the dispatch table.</summary>
    internal long ReadEncodedCount => Interlocked.Read(ref _readEncoded);

    /// <summary>Messages dropped because a subscription queue was full (see <see cref="SubscriberOptions.OverflowPolicy"/>).</summary>
    public long DroppedCount
    {
        get
        {
            long dropped = 0;
            foreach (var s in _subscriptions)
            {
                dropped += s.DroppedCount;
            }

            return dropped;
        }
    }

    /// <summary>Messages rejected (not an event, arity or type mismatch) or whose handler threw.</summary>
    public long ErrorCount => Interlocked.Read(ref _errors);

    /// <summary>
    /// Subscribes <paramref name="handler"/> to the events of <paramref name="contract"/> (the generated
    /// <c>Subscribe</c> method of a contract interface calls this).
    /// </summary>
    /// <typeparam name="THandler">The contract interface.</typeparam>
    /// <param name="endpoint">The endpoint to subscribe on.</param>
    /// <param name="contract">The generated contract description.</param>
    /// <param name="handler">The handler implementation; its methods run one at a time per subscribed prefix.</param>
    /// <param name="options">Queue options and an error callback.</param>
    /// <returns>The running registration.</returns>
    public static EventHandlerRegistration Start<THandler>(BrokerEndpoint endpoint, EventContract<THandler> contract, THandler handler, TypedSubscriptionOptions? options = null)
        where THandler : class
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(contract);
        ArgumentNullException.ThrowIfNull(handler);
        var registration = new EventHandlerRegistration();
        try
        {
            foreach (string prefix in contract.SubscriptionPrefixes)
            {
                registration._subscriptions.Add(endpoint.Core.Subscribe(prefix, options?.Subscriber, acceptsEncoded: contract.ReadsEncoded));
            }
        }
        catch
        {
            foreach (var s in registration._subscriptions)
            {
                _ = s.DisposeAsync().AsTask();
            }

            throw;
        }

        foreach (var subscription in registration._subscriptions)
        {
            registration._loops.Add(Task.Run(() => registration.RunAsync(endpoint, subscription, contract, handler, options?.OnError)));
        }

        return registration;
    }

    private async Task RunAsync<THandler>(BrokerEndpoint endpoint, BrokerSubscription subscription, EventContract<THandler> contract, THandler handler, Action<ErrorEvent>? onError)
        where THandler : class
    {
        // Deliveries are taken a batch at a time (one lock per batch, not per message) and cleared once handled, so
        // the batch does not keep values or received byte blocks alive.
        var batch = new Delivery[64];
        try
        {
            while (await subscription.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
            {
                int taken;
                while ((taken = subscription.TryReceiveDeliveries(batch)) > 0)
                {
                    for (int i = 0; i < taken; i++)
                    {
                        if (_stop.IsCancellationRequested)
                        {
                            return; // disposed: stop promptly, even mid-batch
                        }

                        var pending = ProcessAsync(endpoint, batch[i], contract, handler, onError);
                        if (!pending.IsCompletedSuccessfully)
                        {
                            await pending.ConfigureAwait(false);
                        }
                    }

                    Array.Clear(batch, 0, taken);
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Disposed.
        }
        catch (Exception ex)
        {
            Report(endpoint, onError, new ErrorEvent(ex is BrokerException be ? be.Code : BrokerErrorCode.Unspecified, null,
                $"Typed subscription of {contract.Name} on '{subscription.Prefix}' stopped: {ex.Message}"));
        }
    }

    /// <summary>
    /// Routes one message; never throws (every failure becomes an error event). A message that arrived encoded is
    /// first offered to the contract's generated reader, which calls the handler without building a value tree;
    /// whatever the reader declines (another shape, a mismatch) is decoded and dispatched as a tree, which is also
    /// where mismatches are reported.
    /// </summary>
    private ValueTask ProcessAsync<THandler>(BrokerEndpoint endpoint, in Delivery delivery, EventContract<THandler> contract, THandler handler, Action<ErrorEvent>? onError)
        where THandler : class
    {
        if (delivery.Topic.StartsWith(Topics.TopicRules.LocalTopicPrefix, StringComparison.Ordinal))
        {
            return default; // Statuses and errors as data (an empty prefix receives them): not events, and no error loop.
        }

        if (delivery.IsEncoded && contract.ReadsEncoded)
        {
            bool read;
            ValueTask<bool> pending;
            try
            {
                read = contract.TryDispatch(handler, delivery.Payload.Span, out pending);
            }
            catch (BrokerDecodeException)
            {
                // A value within this endpoint's limits but beyond the defaults the generated reader decodes with:
                // the tree path below decodes it without them.
                read = false;
                pending = default;
            }
            catch (Exception ex)
            {
                ReportFailure(endpoint, delivery, contract, ex, onError);
                return default;
            }

            if (read)
            {
                Interlocked.Increment(ref _readEncoded);
                if (pending.IsCompletedSuccessfully)
                {
                    Count(pending.Result);
                    return default;
                }

                return AwaitHandlerAsync(endpoint, delivery, contract, pending, onError);
            }
        }

        return DispatchTreeAsync(endpoint, delivery, contract, handler, onError);
    }

    private async ValueTask AwaitHandlerAsync<THandler>(BrokerEndpoint endpoint, Delivery delivery, EventContract<THandler> contract, ValueTask<bool> pending, Action<ErrorEvent>? onError)
        where THandler : class
    {
        try
        {
            Count(await pending.ConfigureAwait(false));
        }
        catch (Exception ex)
        {
            ReportFailure(endpoint, delivery, contract, ex, onError);
        }
    }

    private async ValueTask DispatchTreeAsync<THandler>(BrokerEndpoint endpoint, Delivery delivery, EventContract<THandler> contract, THandler handler, Action<ErrorEvent>? onError)
        where THandler : class
    {
        if (!ZeekEvent.TryDecode(delivery.Value, out var zeekEvent))
        {
            Report(endpoint, onError, new ErrorEvent(BrokerErrorCode.InvalidMessage, null,
                $"Message on '{delivery.Topic}' from {delivery.Sender} is not a Zeek event (expected by {contract.Name})."));
            return;
        }

        try
        {
            Count(await contract.DispatchAsync(handler, zeekEvent!).ConfigureAwait(false));
        }
        catch (Exception ex)
        {
            ReportFailure(endpoint, delivery, contract, ex, onError, zeekEvent!.Name);
        }
    }

    private void Count(bool handled)
    {
        if (handled)
        {
            Interlocked.Increment(ref _handled);
        }
        else
        {
            Interlocked.Increment(ref _ignored);
        }
    }

    // A conversion failure (the message names event, argument and types) or a handler that threw.
    private void ReportFailure<THandler>(BrokerEndpoint endpoint, in Delivery delivery, EventContract<THandler> contract, Exception ex, Action<ErrorEvent>? onError, string? eventName = null)
        where THandler : class
    {
        if (ex is BrokerConversionException)
        {
            Report(endpoint, onError, new ErrorEvent(BrokerErrorCode.TypeClash, null, $"{ex.Message} (topic '{delivery.Topic}', from {delivery.Sender})"));
            return;
        }

        eventName ??= ZeekEvent.TryDecode(delivery.Value, out var zeekEvent) ? zeekEvent!.Name : "?";
        Report(endpoint, onError, new ErrorEvent(BrokerErrorCode.Unspecified, null,
            $"Handler of event '{eventName}' ({contract.Name}) threw {ex.GetType().Name}: {ex.Message}"));
    }

    private void Report(BrokerEndpoint endpoint, Action<ErrorEvent>? onError, ErrorEvent error)
    {
        Interlocked.Increment(ref _errors);
        TypedErrors.Report(endpoint, onError, error);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var subscription in _subscriptions)
        {
            await subscription.DisposeAsync().ConfigureAwait(false);
        }

        await Task.WhenAll(_loops).ConfigureAwait(false);
        _stop.Dispose();
    }
}

/// <summary>Delivers typed-layer errors to the subscription's callback and the endpoint's error events.</summary>
internal static class TypedErrors
{
    public static void Report(BrokerEndpoint endpoint, Action<ErrorEvent>? onError, ErrorEvent error)
    {
        try
        {
            onError?.Invoke(error);
        }
        catch
        {
            // A throwing error callback must not stop the loop that reports to it.
        }

        endpoint.ReportTypedError(error);
    }
}
