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
/// Reads one incoming Zeek event straight from its encoded bytes and calls the matching handler method, without
/// building a <see cref="Data.BrokerData"/> tree. Generated for each <see cref="BrokerEventsAttribute"/> contract next to
/// its <see cref="EventDispatcher{THandler}"/>, which stays the reference: the reader declines (returns false, before
/// calling any handler) whatever it does not read exactly as the dispatcher would — another message shape, an arity
/// or type mismatch — and the caller then decodes the value and dispatches it, which also produces the error.
/// </summary>
/// <typeparam name="THandler">The contract interface.</typeparam>
/// <param name="handler">The handler implementation.</param>
/// <param name="payload">One encoded value, already validated against the receiving endpoint's decode limits.</param>
/// <param name="handled">When read: true when the contract declares the event and the handler ran (or is running); false for an event it does not declare.</param>
/// <returns>True when the value was read (and <paramref name="handled"/> set); false when the caller must take the tree path.</returns>
public delegate bool EventReader<in THandler>(THandler handler, ReadOnlySpan<byte> payload, out ValueTask<bool> handled);

/// <summary>
/// The run-time description of a generated event contract: its name, the topic prefixes to subscribe to and its
/// generated dispatch table. Obtain it from the generated <c>BrokerContract</c> property of the interface.
/// </summary>
/// <typeparam name="THandler">The contract interface.</typeparam>
public sealed class EventContract<THandler>
    where THandler : class
{
    private readonly EventDispatcher<THandler> _dispatch;
    private readonly EventReader<THandler>? _read;

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

    /// <summary>Creates a contract description with a reader of encoded events (called by generated code).</summary>
    /// <param name="name">The interface's full name.</param>
    /// <param name="subscriptionPrefixes">The topic prefixes that cover every event of the contract, none a prefix of another.</param>
    /// <param name="eventNames">The Zeek names of the declared events.</param>
    /// <param name="dispatch">The generated dispatch table.</param>
    /// <param name="read">The generated reader of encoded events.</param>
    public EventContract(string name, ImmutableArray<string> subscriptionPrefixes, ImmutableArray<string> eventNames, EventDispatcher<THandler> dispatch, EventReader<THandler> read)
        : this(name, subscriptionPrefixes, eventNames, dispatch)
    {
        ArgumentNullException.ThrowIfNull(read);
        _read = read;
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

    /// <summary>True when the contract can read events from their encoded bytes (see <see cref="TryDispatch"/>).</summary>
    public bool ReadsEncoded => _read is not null;

    /// <summary>
    /// Reads an event straight from its encoded bytes and calls the handler, when the generated reader handles the
    /// value's shape; otherwise returns false without calling anything, and the caller decodes the value and uses
    /// <see cref="DispatchAsync"/> (which also reports mismatches).
    /// </summary>
    /// <param name="handler">The handler implementation.</param>
    /// <param name="payload">One encoded value (validated against the decode limits of the endpoint that received it).</param>
    /// <param name="handled">When read: true when handled; false when the contract does not declare the event.</param>
    /// <returns>True when read; false when the caller must decode and dispatch.</returns>
    /// <exception cref="BrokerConversionException">An argument of a declared event does not convert to its declared type.</exception>
    public bool TryDispatch(THandler handler, ReadOnlySpan<byte> payload, out ValueTask<bool> handled)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (_read is null)
        {
            handled = default;
            return false;
        }

        return _read(handler, payload, out handled);
    }
}

/// <summary>Small helpers the generated dispatch tables return through.</summary>
public static class EventDispatch
{
    /// <summary>A completed "handled" result.</summary>
    public static ValueTask<bool> Handled => new(true);

    /// <summary>A completed "not an event of this contract" result.</summary>
    public static ValueTask<bool> NotDeclared => new(false);

    /// <summary>
    /// The generated readers' answer for an event the contract does not declare (positioned at its first argument):
    /// "not declared", provided the rest is a well-formed event — the dispatch table would call a message with
    /// malformed metadata "not an event", so such a message is declined.
    /// </summary>
    /// <param name="reader">The reader, at the event's first argument.</param>
    /// <param name="argumentCount">The number of arguments.</param>
    /// <param name="hasMetadata">Whether metadata follows the arguments.</param>
    /// <param name="handled">False ("not declared") when read.</param>
    /// <returns>True when read; false when the caller must decode and dispatch.</returns>
    public static bool SkipUndeclared(ref Serialization.BrokerReader reader, int argumentCount, bool hasMetadata, out ValueTask<bool> handled)
    {
        handled = NotDeclared;
        if (!hasMetadata)
        {
            return true;
        }

        for (int i = 0; i < argumentCount; i++)
        {
            if (!reader.TrySkip())
            {
                return false;
            }
        }

        return reader.TrySkipZeekEventMetadata();
    }

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
