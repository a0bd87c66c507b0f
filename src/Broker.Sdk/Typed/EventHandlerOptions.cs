namespace Broker.Typed;

/// <summary>Options of a typed event or log subscription.</summary>
public sealed record TypedSubscriptionOptions
{
    /// <summary>The queue options of the underlying subscriptions; null uses the endpoint's defaults.</summary>
    public SubscriberOptions? Subscriber { get; init; }

    /// <summary>
    /// Called (on the subscription's loop) for every message that could not be decoded or whose handler threw. The same
    /// error is also raised as an <see cref="ErrorEvent"/> on the endpoint. Null by default.
    /// </summary>
    public Action<ErrorEvent>? OnError { get; init; }
}
