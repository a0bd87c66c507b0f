using Broker.Errors;
using Broker.Typed;
using Broker.Zeek;

namespace Broker.WebSockets;

/// <summary>Typed (generated) event contracts over a <see cref="BrokerWebSocketClient"/>.</summary>
public static class WebSocketTypedEvents
{
    /// <summary>
    /// Reads the client's messages and dispatches every Zeek event on one of the contract's topic prefixes to
    /// <paramref name="handler"/>, until the stream ends or <paramref name="cancellationToken"/> fires. Messages that
    /// are not events, undeclared events and arity/type mismatches are passed to <paramref name="onError"/> (or
    /// ignored) and never stop the loop. Publishing needs nothing extra: generated publishers take an
    /// <see cref="IBrokerPublisher"/>, which the client is.
    /// </summary>
    /// <typeparam name="THandler">The generated contract interface.</typeparam>
    /// <param name="client">The client (subscribe it to the contract's <see cref="EventContract{THandler}.SubscriptionPrefixes"/>).</param>
    /// <param name="contract">The generated <c>BrokerContract</c>.</param>
    /// <param name="handler">The handler implementation.</param>
    /// <param name="onError">Receives messages that could not be dispatched, with the reason.</param>
    /// <param name="cancellationToken">Stops the loop.</param>
    /// <returns>The number of events handled.</returns>
    public static async Task<long> DispatchEventsAsync<THandler>(this BrokerWebSocketClient client, EventContract<THandler> contract, THandler handler,
        Action<BrokerMessage, string>? onError = null, CancellationToken cancellationToken = default)
        where THandler : class
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(contract);
        ArgumentNullException.ThrowIfNull(handler);
        long handled = 0;
        await foreach (var message in client.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (!Covers(contract, message.Topic))
            {
                continue;
            }

            if (!ZeekEvent.TryDecode(message.Data, out var zeekEvent) || zeekEvent is null)
            {
                onError?.Invoke(message, "not a Zeek event");
                continue;
            }

            try
            {
                if (await contract.DispatchAsync(handler, zeekEvent).ConfigureAwait(false))
                {
                    handled++;
                }
                else
                {
                    onError?.Invoke(message, $"event '{zeekEvent.Name}' is not declared by {contract.Name}");
                }
            }
            catch (BrokerException e)
            {
                onError?.Invoke(message, e.Message);
            }
        }

        return handled;
    }

    private static bool Covers<THandler>(EventContract<THandler> contract, string topic)
        where THandler : class
    {
        foreach (var prefix in contract.SubscriptionPrefixes)
        {
            if (topic.StartsWith(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
