using Broker.Errors;
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
    private int _disposed;

    private EventHandlerRegistration()
    {
    }

    /// <summary>Events decoded and handled.</summary>
    public long HandledCount => Interlocked.Read(ref _handled);

    /// <summary>Messages under the contract's prefixes that name an event the contract does not declare (ignored, as Zeek does).</summary>
    public long IgnoredCount => Interlocked.Read(ref _ignored);

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
                registration._subscriptions.Add(endpoint.Subscribe(prefix, options?.Subscriber));
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
        try
        {
            await foreach (var message in subscription.WithCancellation(_stop.Token).ConfigureAwait(false))
            {
                await ProcessAsync(endpoint, message, contract, handler, onError).ConfigureAwait(false);
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

    /// <summary>Routes one message; never throws (every failure becomes an error event).</summary>
    internal async ValueTask ProcessAsync<THandler>(BrokerEndpoint endpoint, BrokerMessage message, EventContract<THandler> contract, THandler handler, Action<ErrorEvent>? onError)
        where THandler : class
    {
        if (message.Topic.StartsWith(Topics.TopicRules.LocalTopicPrefix, StringComparison.Ordinal))
        {
            return; // Statuses and errors as data (an empty prefix receives them): not events, and no error loop.
        }

        if (!ZeekEvent.TryDecode(message.Data, out var zeekEvent))
        {
            Report(endpoint, onError, new ErrorEvent(BrokerErrorCode.InvalidMessage, null,
                $"Message on '{message.Topic}' from {message.Sender} is not a Zeek event (expected by {contract.Name})."));
            return;
        }

        try
        {
            if (await contract.DispatchAsync(handler, zeekEvent!).ConfigureAwait(false))
            {
                Interlocked.Increment(ref _handled);
            }
            else
            {
                Interlocked.Increment(ref _ignored);
            }
        }
        catch (BrokerConversionException ex)
        {
            Report(endpoint, onError, new ErrorEvent(BrokerErrorCode.TypeClash, null, $"{ex.Message} (topic '{message.Topic}', from {message.Sender})"));
        }
        catch (Exception ex)
        {
            Report(endpoint, onError, new ErrorEvent(BrokerErrorCode.Unspecified, null,
                $"Handler of event '{zeekEvent!.Name}' ({contract.Name}) threw {ex.GetType().Name}: {ex.Message}"));
        }
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
