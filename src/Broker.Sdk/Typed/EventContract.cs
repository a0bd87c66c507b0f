using System.Collections.Immutable;
using Broker.Zeek;

namespace Broker.Typed;

/// <summary>
/// Decodes one incoming Zeek event and calls the matching handler method. Generated for each
/// <see cref="BrokerEventsAttribute"/> contract.
/// </summary>
/// <typeparam name="THandler">The contract interface.</typeparam>
/// <param name="handler">The handler implementation.</param>
/// <param name="zeekEvent">The received event.</param>
/// <returns>True when the contract declares the event and the handler ran; false for an event it does not declare.</returns>
/// <exception cref="BrokerConversionException">The arity or an argument's type does not match the declaration.</exception>
public delegate ValueTask<bool> EventDispatcher<in THandler>(THandler handler, ZeekEvent zeekEvent);

/// <summary>
/// The run-time description of a generated event contract: its name, the topic prefixes to subscribe to and its
/// generated dispatch table. Obtain it from the generated <c>BrokerContract</c> property of the interface.
/// </summary>
/// <typeparam name="THandler">The contract interface.</typeparam>
public sealed class EventContract<THandler>
    where THandler : class
{
    private readonly EventDispatcher<THandler> _dispatch;

    /// <summary>Creates a contract description (called by generated code).</summary>
    /// <param name="name">The interface's full name.</param>
    /// <param name="subscriptionPrefixes">The topic prefixes that cover every event of the contract, none a prefix of another.</param>
    /// <param name="eventNames">The Zeek names of the declared events.</param>
    /// <param name="dispatch">The generated dispatch table.</param>
    public EventContract(string name, ImmutableArray<string> subscriptionPrefixes, ImmutableArray<string> eventNames, EventDispatcher<THandler> dispatch)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(dispatch);
        Name = name;
        SubscriptionPrefixes = subscriptionPrefixes;
        EventNames = eventNames;
        _dispatch = dispatch;
    }

    /// <summary>The interface's full name.</summary>
    public string Name { get; }

    /// <summary>The topic prefixes a handler subscribes to.</summary>
    public ImmutableArray<string> SubscriptionPrefixes { get; }

    /// <summary>The Zeek names of the declared events (inherited ones included).</summary>
    public ImmutableArray<string> EventNames { get; }

    /// <summary>
    /// Decodes <paramref name="zeekEvent"/> and calls the handler. Arity and type mismatches throw
    /// <see cref="BrokerConversionException"/>; a subscription started with
    /// <see cref="EventHandlerRegistration.Start{THandler}"/> turns them into error events instead.
    /// </summary>
    /// <param name="handler">The handler implementation.</param>
    /// <param name="zeekEvent">The received event.</param>
    /// <returns>True when handled; false when the contract does not declare the event.</returns>
    public ValueTask<bool> DispatchAsync(THandler handler, ZeekEvent zeekEvent)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(zeekEvent);
        return _dispatch(handler, zeekEvent);
    }
}

/// <summary>Small helpers the generated dispatch tables return through.</summary>
public static class EventDispatch
{
    /// <summary>A completed "handled" result.</summary>
    public static ValueTask<bool> Handled => new(true);

    /// <summary>A completed "not an event of this contract" result.</summary>
    public static ValueTask<bool> NotDeclared => new(false);

    /// <summary>Completes as handled when the handler's task completes.</summary>
    /// <param name="pending">The handler's task.</param>
    /// <returns>True once the handler completed.</returns>
    public static ValueTask<bool> After(Task pending)
    {
        ArgumentNullException.ThrowIfNull(pending);
        return pending.IsCompletedSuccessfully ? Handled : Await(pending);

        static async ValueTask<bool> Await(Task t)
        {
            await t.ConfigureAwait(false);
            return true;
        }
    }

    /// <summary>Completes as handled when the handler's value task completes.</summary>
    /// <param name="pending">The handler's task.</param>
    /// <returns>True once the handler completed.</returns>
    public static ValueTask<bool> After(ValueTask pending)
    {
        return pending.IsCompletedSuccessfully ? Handled : Await(pending);

        static async ValueTask<bool> Await(ValueTask t)
        {
            await t.ConfigureAwait(false);
            return true;
        }
    }
}
