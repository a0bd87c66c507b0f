using System.Diagnostics.CodeAnalysis;
using Broker.Data;
using Broker.Stores.Wire;

namespace Broker.Stores;

/// <summary>
/// Who issued a store write: Broker's <c>entity_id</c>, an endpoint plus an object id within it (a store handle).
/// Expiry events name the master, which issues them.
/// </summary>
/// <param name="Endpoint">The endpoint of the writer (<see cref="EndpointId.Nil"/> when unknown).</param>
/// <param name="Object">The writer's object id on that endpoint (0 when unknown).</param>
public readonly record struct StorePublisher(EndpointId Endpoint, ulong Object)
{
    /// <summary>True when the publisher is unknown (Broker sends <c>none</c> for both fields).</summary>
    public bool IsNil => Endpoint.IsNil && Object == 0;

    internal static StorePublisher From(EntityId id) => new(id.Endpoint, id.Object);

    /// <inheritdoc/>
    public override string ToString() => IsNil ? "nil" : $"{Endpoint}#{Object}";
}

/// <summary>
/// A change of a data store, as Broker publishes it on <c>&lt;$&gt;/local/data/store-events/&lt;store&gt;</c>
/// (spec §5.8): <see cref="Insert"/>, <see cref="Update"/>, <see cref="Erase"/> or <see cref="Expire"/>.
/// A master emits one per applied change; a clone emits one per change it applies from the master (and the
/// difference when a snapshot replaces its contents). Events are delivered to local subscribers only, in the
/// order the changes were applied. Get them typed with <see cref="DataStore.SubscribeChanges"/>, or as raw data
/// by subscribing to <see cref="TopicPrefix"/> and converting with <see cref="TryParse(in BrokerData, out StoreChange?)"/>.
/// </summary>
public abstract record StoreChange
{
    /// <summary>The topic prefix of all store events; each store publishes on this prefix + <c>/</c> + its name.</summary>
    public const string TopicPrefix = "<$>/local/data/store-events";

    private protected StoreChange(string store, BrokerData key, StorePublisher publisher)
    {
        Store = store;
        Key = key;
        Publisher = publisher;
    }

    /// <summary>The store name.</summary>
    public string Store { get; init; }

    /// <summary>The key that changed.</summary>
    public BrokerData Key { get; init; }

    /// <summary>Who issued the write (for <see cref="Expire"/>: the master).</summary>
    public StorePublisher Publisher { get; init; }

    /// <summary>The Broker data form: the vector published on the store-event topic.</summary>
    /// <returns>A vector such as <c>["insert", store, key, value, expiry|none, endpoint|none, object|none]</c>.</returns>
    public abstract BrokerData ToData();

    /// <summary>
    /// Reads a store event from Broker data (a message received on <see cref="TopicPrefix"/>, from this SDK or
    /// from Broker: the publisher endpoint is a UUID string, the object a count, either may be none).
    /// </summary>
    /// <param name="data">The message data.</param>
    /// <param name="change">The event.</param>
    /// <returns>False when the data is not a well-formed store event.</returns>
    public static bool TryParse(in BrokerData data, [NotNullWhen(true)] out StoreChange? change) => TryParse(data, null, out change);

    /// <summary>Remembers the last store name and publisher seen, so a stream of events parses without re-decoding them.</summary>
    internal sealed class ParseCache
    {
        public ReadOnlyMemory<byte> StoreBytes;
        public string? Store;
        public ReadOnlyMemory<byte> EndpointBytes;
        public EndpointId Endpoint;
    }

    internal static bool TryParse(in BrokerData data, ParseCache? cache, [NotNullWhen(true)] out StoreChange? change)
    {
        change = null;
        if (data.Kind != BrokerDataKind.Vector || data.Length < 5 || data[0].Kind != BrokerDataKind.String || data[1].Kind != BrokerDataKind.String)
        {
            return false;
        }

        var kind = data[0].AsStringBytes().Span;
        string store = StoreName(data[1], cache);
        var key = data[2];
        if (kind.SequenceEqual("insert"u8))
        {
            if (data.Length == 7 && TryExpiry(data[4], out var expiry) && TryPublisher(data[5], data[6], cache, out var p))
            {
                change = new Insert(store, key, data[3], expiry, p);
            }
        }
        else if (kind.SequenceEqual("update"u8))
        {
            if (data.Length == 8 && TryExpiry(data[5], out var expiry) && TryPublisher(data[6], data[7], cache, out var p))
            {
                change = new Update(store, key, data[3], data[4], expiry, p);
            }
        }
        else if (kind.SequenceEqual("erase"u8))
        {
            if (data.Length == 5 && TryPublisher(data[3], data[4], cache, out var p))
            {
                change = new Erase(store, key, p);
            }
        }
        else if (kind.SequenceEqual("expire"u8))
        {
            if (data.Length == 5 && TryPublisher(data[3], data[4], cache, out var p))
            {
                change = new Expire(store, key, p);
            }
        }

        return change is not null;
    }

    private static string StoreName(in BrokerData name, ParseCache? cache)
    {
        var bytes = name.AsStringBytes();
        if (cache is null)
        {
            return name.AsString();
        }

        if (cache.Store is null || !bytes.Span.SequenceEqual(cache.StoreBytes.Span))
        {
            cache.Store = name.AsString();
            cache.StoreBytes = bytes;
        }

        return cache.Store;
    }

    /// <summary>A key that did not exist was written.</summary>
    /// <param name="Store">The store name.</param>
    /// <param name="Key">The key.</param>
    /// <param name="Value">The new value.</param>
    /// <param name="Expiry">The expiry span the write set, if any.</param>
    /// <param name="Publisher">Who issued the write.</param>
    public sealed record Insert(string Store, BrokerData Key, BrokerData Value, TimeSpan? Expiry, StorePublisher Publisher)
        : StoreChange(Store, Key, Publisher)
    {
        /// <inheritdoc/>
        public override BrokerData ToData() => BrokerData.Vector(InsertTag, Store, Key, Value, Span(Expiry), PublisherEndpoint(), PublisherObject());
    }

    /// <summary>An existing key was written (the value may be unchanged, e.g. a pop on an empty vector).</summary>
    /// <param name="Store">The store name.</param>
    /// <param name="Key">The key.</param>
    /// <param name="OldValue">The value before.</param>
    /// <param name="NewValue">The value after.</param>
    /// <param name="Expiry">The expiry span the write set, if any.</param>
    /// <param name="Publisher">Who issued the write.</param>
    public sealed record Update(string Store, BrokerData Key, BrokerData OldValue, BrokerData NewValue, TimeSpan? Expiry, StorePublisher Publisher)
        : StoreChange(Store, Key, Publisher)
    {
        /// <inheritdoc/>
        public override BrokerData ToData() => BrokerData.Vector(UpdateTag, Store, Key, OldValue, NewValue, Span(Expiry), PublisherEndpoint(), PublisherObject());
    }

    /// <summary>A key was removed by erase or clear.</summary>
    /// <param name="Store">The store name.</param>
    /// <param name="Key">The key.</param>
    /// <param name="Publisher">Who issued the erase or clear.</param>
    public sealed record Erase(string Store, BrokerData Key, StorePublisher Publisher)
        : StoreChange(Store, Key, Publisher)
    {
        /// <inheritdoc/>
        public override BrokerData ToData() => BrokerData.Vector(EraseTag, Store, Key, PublisherEndpoint(), PublisherObject());
    }

    /// <summary>A key reached its expiry and was removed by the master.</summary>
    /// <param name="Store">The store name.</param>
    /// <param name="Key">The key.</param>
    /// <param name="Publisher">The master.</param>
    public sealed record Expire(string Store, BrokerData Key, StorePublisher Publisher)
        : StoreChange(Store, Key, Publisher)
    {
        /// <inheritdoc/>
        public override BrokerData ToData() => BrokerData.Vector(ExpireTag, Store, Key, PublisherEndpoint(), PublisherObject());
    }

    // The event kinds as data, shared by every event (the actors build events with Actors.StoreEventEmitter).
    internal static readonly BrokerData InsertTag = BrokerData.String("insert");
    internal static readonly BrokerData UpdateTag = BrokerData.String("update");
    internal static readonly BrokerData EraseTag = BrokerData.String("erase");
    internal static readonly BrokerData ExpireTag = BrokerData.String("expire");

    private BrokerData PublisherEndpoint() => Publisher.IsNil ? BrokerData.None : BrokerData.String(Publisher.Endpoint.ToString());

    private BrokerData PublisherObject() => Publisher.IsNil ? BrokerData.None : BrokerData.Count(Publisher.Object);

    private static BrokerData Span(TimeSpan? span) => span is { } s ? BrokerData.Timespan(s.Ticks * 100) : BrokerData.None;

    private static bool TryExpiry(in BrokerData data, out TimeSpan? expiry)
    {
        expiry = null;
        switch (data.Kind)
        {
            case BrokerDataKind.None:
                return true;
            case BrokerDataKind.Timespan:
                expiry = TimeSpan.FromTicks(data.AsTimespanNanoseconds() / 100);
                return true;
            default:
                return false;
        }
    }

    private static bool TryPublisher(in BrokerData endpoint, in BrokerData obj, ParseCache? cache, out StorePublisher publisher)
    {
        publisher = default;
        EndpointId id = default;
        if (endpoint.Kind == BrokerDataKind.String)
        {
            var bytes = endpoint.AsStringBytes();
            if (cache is not null && !cache.EndpointBytes.IsEmpty && bytes.Span.SequenceEqual(cache.EndpointBytes.Span))
            {
                id = cache.Endpoint;
            }
            else
            {
                if (!System.Buffers.Text.Utf8Parser.TryParse(bytes.Span, out Guid guid, out int consumed, 'D') || consumed != bytes.Length)
                {
                    return false;
                }

                id = EndpointId.FromGuid(guid);
                if (cache is not null)
                {
                    cache.EndpointBytes = bytes;
                    cache.Endpoint = id;
                }
            }
        }
        else if (endpoint.Kind != BrokerDataKind.None)
        {
            return false;
        }

        ulong o = 0;
        if (obj.Kind == BrokerDataKind.Count)
        {
            o = obj.AsCount();
        }
        else if (obj.Kind != BrokerDataKind.None)
        {
            return false;
        }

        publisher = new StorePublisher(id, o);
        return true;
    }
}
