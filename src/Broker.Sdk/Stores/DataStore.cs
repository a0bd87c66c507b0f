using Broker.Data;
using Broker.Stores.Actors;
using Broker.Stores.Engine;

namespace Broker.Stores;

/// <summary>
/// A handle on a distributed data store: its master, a clone (local replica) or a frontend (remote queries).
/// Every handle offers the same operations. Mutators come in two forms: fire-and-forget (<c>void</c>, never
/// slowed down; failures are logged where they are applied, as in Broker) and awaitable (<c>...Async</c>, which
/// report the master's verdict as a <see cref="StoreException"/>). Queries are awaitable, take a
/// <see cref="CancellationToken"/> and give up after <see cref="DefaultTimeout"/> with a
/// <see cref="StoreTimeoutException"/>. On a master everything completes synchronously; on a clone reads are local.
/// </summary>
public sealed class DataStore : IAsyncDisposable
{
    private readonly StoreActor _actor;
    private readonly StoreHost _host;
    private int _disposed;

    internal DataStore(StoreActor actor, StoreHost host)
    {
        _actor = actor;
        _host = host;
    }

    /// <summary>The store name.</summary>
    public string Name => _actor.Name;

    /// <summary>Master, clone or frontend.</summary>
    public StoreRole Role => _actor.Role;

    /// <summary>How long awaitable operations wait for the master.</summary>
    public TimeSpan DefaultTimeout => _actor.Options.DefaultTimeout;

    /// <summary>True on a clone that currently follows a live master (always true on a master).</summary>
    public bool IsSynchronized => _actor is not RemoteActor r || r.IsSynchronized;

    /// <summary>Store commands received from the network that were malformed and dropped.</summary>
    public long MalformedCommands => Interlocked.Read(ref _actor.MalformedCommands);

    internal StoreActor Actor => _actor;

    /// <summary>
    /// Subscribes to this store's change events (spec §5.8) as typed <see cref="StoreChange"/> records: inserts,
    /// updates, erases (also one per key on clear) and expiries, in the order they were applied here. On a master
    /// every applied write; on a clone every change received from the master, plus the difference when a snapshot
    /// replaces its contents. A frontend holds no data and sees events only when a master or clone of the same
    /// store lives on this endpoint. The same events are published as data on
    /// <c>&lt;$&gt;/local/data/store-events/&lt;name&gt;</c> for any local subscriber; they are never sent to peers.
    /// </summary>
    /// <param name="options">Queue size and overflow policy (the endpoint's defaults when null).</param>
    /// <returns>The subscription; dispose it to unsubscribe.</returns>
    public StoreChangeSubscription SubscribeChanges(SubscriberOptions? options = null)
    {
        string topic = StoreTopics.Events(Name);
        return new StoreChangeSubscription(_host.Transport.SubscribeLocal(topic, options), topic);
    }

    // ---- fire-and-forget mutators ----------------------------------------------------------------------------

    /// <summary>Stores a value (Broker <c>put</c>, seed <c>insert</c>), replacing any previous value and expiry.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <param name="expiry">When the entry expires; none by default.</param>
    public void Put(BrokerData key, BrokerData value, StoreExpiry? expiry = null) =>
        _actor.Post(new StoreRequest(StoreOp.Put, key, value, default, expiry));

    /// <summary>Seed-era name of <see cref="Put"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <param name="expiry">When the entry expires; none by default.</param>
    public void Insert(BrokerData key, BrokerData value, StoreExpiry? expiry = null) => Put(key, value, expiry);

    /// <summary>Removes a key (no-op when missing).</summary>
    /// <param name="key">The key.</param>
    public void Erase(BrokerData key) => _actor.Post(new StoreRequest(StoreOp.Erase, key));

    /// <summary>Removes every key.</summary>
    public void Clear() => _actor.Post(new StoreRequest(StoreOp.Clear, default));

    /// <summary>
    /// Adds <paramref name="amount"/> (Broker semantics): a missing key starts at zero of the amount's type
    /// (a timespan amount creates a timestamp); no numeric promotion (count + integer is type_clash).
    /// </summary>
    /// <param name="key">The key.</param>
    /// <param name="amount">A count, integer, real or timespan.</param>
    /// <param name="expiry">New expiry; without one, the expiry is cleared (or pushed out when sliding).</param>
    public void Increment(BrokerData key, BrokerData amount, StoreExpiry? expiry = null) =>
        _actor.Post(IncrementRequest(key, amount, expiry));

    /// <summary>
    /// Seed-era increment by a signed amount: a missing key becomes the integer <paramref name="by"/>; count and
    /// integer values are adjusted (counts wrap); anything else is type_clash.
    /// </summary>
    /// <param name="key">The key.</param>
    /// <param name="by">The amount (default 1).</param>
    public void Increment(BrokerData key, long by = 1) =>
        _actor.Post(new StoreRequest(StoreOp.SeedIncrement, key, BrokerData.Integer(by)));

    /// <summary>Subtracts <paramref name="amount"/> (Broker semantics): a missing key is no_such_key; counts wrap.</summary>
    /// <param name="key">The key.</param>
    /// <param name="amount">A count, integer, real or timespan.</param>
    /// <param name="expiry">New expiry.</param>
    public void Decrement(BrokerData key, BrokerData amount, StoreExpiry? expiry = null) =>
        _actor.Post(new StoreRequest(StoreOp.Subtract, key, amount, default, expiry));

    /// <summary>Seed-era decrement by a signed amount (see <see cref="Increment(BrokerData, long)"/>).</summary>
    /// <param name="key">The key.</param>
    /// <param name="by">The amount (default 1).</param>
    public void Decrement(BrokerData key, long by = 1) =>
        _actor.Post(new StoreRequest(StoreOp.SeedIncrement, key, BrokerData.Integer(unchecked(-by))));

    /// <summary>Appends to a string value (a missing key starts as "").</summary>
    /// <param name="key">The key.</param>
    /// <param name="suffix">The text to append.</param>
    /// <param name="expiry">New expiry.</param>
    public void Append(BrokerData key, string suffix, StoreExpiry? expiry = null) =>
        _actor.Post(AddRequest(key, BrokerData.String(suffix), BrokerDataKind.String, expiry));

    /// <summary>Inserts an element into a set (a missing key becomes <c>{index}</c>); on a vector it pushes.</summary>
    /// <param name="key">The key.</param>
    /// <param name="index">The element.</param>
    /// <param name="expiry">New expiry.</param>
    public void InsertInto(BrokerData key, BrokerData index, StoreExpiry? expiry = null) =>
        _actor.Post(AddRequest(key, index, BrokerDataKind.Set, expiry));

    /// <summary>Sets <c>table[index] = value</c> (a missing key becomes <c>{index: value}</c>).</summary>
    /// <param name="key">The key.</param>
    /// <param name="index">The table key.</param>
    /// <param name="value">The table value.</param>
    /// <param name="expiry">New expiry.</param>
    public void InsertInto(BrokerData key, BrokerData index, BrokerData value, StoreExpiry? expiry = null) =>
        _actor.Post(AddRequest(key, BrokerData.Vector(index, value), BrokerDataKind.Table, expiry));

    /// <summary>Removes an element from a set or an entry from a table (on a vector Broker pops the last element).</summary>
    /// <param name="key">The key.</param>
    /// <param name="index">The element or table key.</param>
    /// <param name="expiry">New expiry.</param>
    public void RemoveFrom(BrokerData key, BrokerData index, StoreExpiry? expiry = null) =>
        _actor.Post(new StoreRequest(StoreOp.Subtract, key, index, default, expiry));

    /// <summary>Appends to a vector (a missing key becomes <c>[value]</c>).</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The element.</param>
    /// <param name="expiry">New expiry.</param>
    public void Push(BrokerData key, BrokerData value, StoreExpiry? expiry = null) =>
        _actor.Post(AddRequest(key, value, BrokerDataKind.Vector, expiry));

    /// <summary>Removes the last element of a vector (Broker <c>pop</c>; the removed value is not returned).</summary>
    /// <param name="key">The key.</param>
    /// <param name="expiry">New expiry.</param>
    public void Pop(BrokerData key, StoreExpiry? expiry = null) =>
        _actor.Post(new StoreRequest(StoreOp.Subtract, key, key, default, expiry));

    /// <summary>Seed: adds an element to a set (a missing key becomes <c>{element}</c>).</summary>
    /// <param name="key">The key.</param>
    /// <param name="element">The element.</param>
    public void AddToSet(BrokerData key, BrokerData element) =>
        _actor.Post(new StoreRequest(StoreOp.AddToSet, key, element));

    /// <summary>Seed: removes an element from a set (a missing key becomes the empty set).</summary>
    /// <param name="key">The key.</param>
    /// <param name="element">The element.</param>
    public void RemoveFromSet(BrokerData key, BrokerData element) =>
        _actor.Post(new StoreRequest(StoreOp.RemoveFromSet, key, element));

    /// <summary>Seed: prepends items to a vector (a missing key becomes the items).</summary>
    /// <param name="key">The key.</param>
    /// <param name="items">The items, in order.</param>
    public void PushLeft(BrokerData key, params ReadOnlySpan<BrokerData> items) =>
        _actor.Post(new StoreRequest(StoreOp.PushLeft, key, BrokerData.Vector(items)));

    /// <summary>Seed: appends items to a vector (a missing key becomes the items).</summary>
    /// <param name="key">The key.</param>
    /// <param name="items">The items, in order.</param>
    public void PushRight(BrokerData key, params ReadOnlySpan<BrokerData> items) =>
        _actor.Post(new StoreRequest(StoreOp.PushRight, key, BrokerData.Vector(items)));

    // ---- awaitable mutators ----------------------------------------------------------------------------------

    /// <summary>Stores a value and waits for the master to apply it.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <param name="expiry">When the entry expires.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Completes when applied.</returns>
    [StoreQuery]
    public ValueTask PutAsync(BrokerData key, BrokerData value, StoreExpiry? expiry = null, CancellationToken cancellationToken = default) =>
        RunAsync(new StoreRequest(StoreOp.Put, key, value, default, expiry), cancellationToken);

    /// <summary>Stores a value only when the key is absent (an atomic check-and-set at the master).</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <param name="expiry">When the entry expires.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>True when inserted, false when the key existed.</returns>
    [StoreQuery]
    public async ValueTask<bool> PutUniqueAsync(BrokerData key, BrokerData value, StoreExpiry? expiry = null, CancellationToken cancellationToken = default) =>
        (await QueryAsync(new StoreRequest(StoreOp.PutUnique, key, value, default, expiry), cancellationToken).ConfigureAwait(false)).AsBoolean();

    /// <summary>Removes a key and waits for the master.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Completes when applied.</returns>
    [StoreQuery]
    public ValueTask EraseAsync(BrokerData key, CancellationToken cancellationToken = default) =>
        RunAsync(new StoreRequest(StoreOp.Erase, key), cancellationToken);

    /// <summary>Removes every key and waits for the master.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Completes when applied.</returns>
    [StoreQuery]
    public ValueTask ClearAsync(CancellationToken cancellationToken = default) =>
        RunAsync(new StoreRequest(StoreOp.Clear, default), cancellationToken);

    /// <summary>Awaitable <see cref="Increment(BrokerData, BrokerData, StoreExpiry?)"/>: type_clash when the types differ.</summary>
    /// <param name="key">The key.</param>
    /// <param name="amount">The amount.</param>
    /// <param name="expiry">New expiry.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Completes when applied.</returns>
    [StoreQuery]
    public ValueTask IncrementAsync(BrokerData key, BrokerData amount, StoreExpiry? expiry = null, CancellationToken cancellationToken = default) =>
        RunAsync(IncrementRequest(key, amount, expiry), cancellationToken);

    /// <summary>Awaitable <see cref="Decrement(BrokerData, BrokerData, StoreExpiry?)"/>: no_such_key or type_clash on failure.</summary>
    /// <param name="key">The key.</param>
    /// <param name="amount">The amount.</param>
    /// <param name="expiry">New expiry.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Completes when applied.</returns>
    [StoreQuery]
    public ValueTask DecrementAsync(BrokerData key, BrokerData amount, StoreExpiry? expiry = null, CancellationToken cancellationToken = default) =>
        RunAsync(new StoreRequest(StoreOp.Subtract, key, amount, default, expiry), cancellationToken);

    /// <summary>Awaitable <see cref="Append"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="suffix">The text.</param>
    /// <param name="expiry">New expiry.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Completes when applied.</returns>
    [StoreQuery]
    public ValueTask AppendAsync(BrokerData key, string suffix, StoreExpiry? expiry = null, CancellationToken cancellationToken = default) =>
        RunAsync(AddRequest(key, BrokerData.String(suffix), BrokerDataKind.String, expiry), cancellationToken);

    /// <summary>Awaitable set form of <see cref="InsertInto(BrokerData, BrokerData, StoreExpiry?)"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="index">The element.</param>
    /// <param name="expiry">New expiry.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Completes when applied.</returns>
    [StoreQuery]
    public ValueTask InsertIntoAsync(BrokerData key, BrokerData index, StoreExpiry? expiry = null, CancellationToken cancellationToken = default) =>
        RunAsync(AddRequest(key, index, BrokerDataKind.Set, expiry), cancellationToken);

    /// <summary>Awaitable table form of <see cref="InsertInto(BrokerData, BrokerData, BrokerData, StoreExpiry?)"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="index">The table key.</param>
    /// <param name="value">The table value.</param>
    /// <param name="expiry">New expiry.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Completes when applied.</returns>
    [StoreQuery]
    public ValueTask InsertIntoAsync(BrokerData key, BrokerData index, BrokerData value, StoreExpiry? expiry = null, CancellationToken cancellationToken = default) =>
        RunAsync(AddRequest(key, BrokerData.Vector(index, value), BrokerDataKind.Table, expiry), cancellationToken);

    /// <summary>Awaitable <see cref="RemoveFrom"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="index">The element or table key.</param>
    /// <param name="expiry">New expiry.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Completes when applied.</returns>
    [StoreQuery]
    public ValueTask RemoveFromAsync(BrokerData key, BrokerData index, StoreExpiry? expiry = null, CancellationToken cancellationToken = default) =>
        RunAsync(new StoreRequest(StoreOp.Subtract, key, index, default, expiry), cancellationToken);

    /// <summary>Awaitable <see cref="Push"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The element.</param>
    /// <param name="expiry">New expiry.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Completes when applied.</returns>
    [StoreQuery]
    public ValueTask PushAsync(BrokerData key, BrokerData value, StoreExpiry? expiry = null, CancellationToken cancellationToken = default) =>
        RunAsync(AddRequest(key, value, BrokerDataKind.Vector, expiry), cancellationToken);

    /// <summary>Awaitable <see cref="Pop"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="expiry">New expiry.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Completes when applied.</returns>
    [StoreQuery]
    public ValueTask PopAsync(BrokerData key, StoreExpiry? expiry = null, CancellationToken cancellationToken = default) =>
        RunAsync(new StoreRequest(StoreOp.Subtract, key, key, default, expiry), cancellationToken);

    /// <summary>Awaitable <see cref="AddToSet"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="element">The element.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Completes when applied.</returns>
    [StoreQuery]
    public ValueTask AddToSetAsync(BrokerData key, BrokerData element, CancellationToken cancellationToken = default) =>
        RunAsync(new StoreRequest(StoreOp.AddToSet, key, element), cancellationToken);

    /// <summary>Awaitable <see cref="RemoveFromSet"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="element">The element.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Completes when applied.</returns>
    [StoreQuery]
    public ValueTask RemoveFromSetAsync(BrokerData key, BrokerData element, CancellationToken cancellationToken = default) =>
        RunAsync(new StoreRequest(StoreOp.RemoveFromSet, key, element), cancellationToken);

    /// <summary>Awaitable seed increment (see <see cref="Increment(BrokerData, long)"/>).</summary>
    /// <param name="key">The key.</param>
    /// <param name="by">The amount.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Completes when applied.</returns>
    [StoreQuery]
    public ValueTask IncrementByAsync(BrokerData key, long by, CancellationToken cancellationToken = default) =>
        RunAsync(new StoreRequest(StoreOp.SeedIncrement, key, BrokerData.Integer(by)), cancellationToken);

    /// <summary>Awaitable <see cref="PushLeft"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="items">A vector of items.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Completes when applied.</returns>
    [StoreQuery]
    public ValueTask PushLeftAsync(BrokerData key, BrokerData items, CancellationToken cancellationToken = default) =>
        RunAsync(new StoreRequest(StoreOp.PushLeft, key, items), cancellationToken);

    /// <summary>Awaitable <see cref="PushRight"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="items">A vector of items.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Completes when applied.</returns>
    [StoreQuery]
    public ValueTask PushRightAsync(BrokerData key, BrokerData items, CancellationToken cancellationToken = default) =>
        RunAsync(new StoreRequest(StoreOp.PushRight, key, items), cancellationToken);

    /// <summary>Seed: removes and returns the first element of a vector (always answered by the master).</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The element, or null when the key is missing or the vector empty.</returns>
    [StoreQuery]
    public async ValueTask<BrokerData?> PopLeftAsync(BrokerData key, CancellationToken cancellationToken = default) =>
        NoneToNull(await QueryAsync(new StoreRequest(StoreOp.PopLeft, key), cancellationToken).ConfigureAwait(false));

    /// <summary>Seed: removes and returns the last element of a vector (always answered by the master).</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The element, or null when the key is missing or the vector empty.</returns>
    [StoreQuery]
    public async ValueTask<BrokerData?> PopRightAsync(BrokerData key, CancellationToken cancellationToken = default) =>
        NoneToNull(await QueryAsync(new StoreRequest(StoreOp.PopRight, key), cancellationToken).ConfigureAwait(false));

    // ---- queries ---------------------------------------------------------------------------------------------

    /// <summary>Reads a value; a missing key throws no_such_key.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The value.</returns>
    [StoreQuery]
    public ValueTask<BrokerData> GetAsync(BrokerData key, CancellationToken cancellationToken = default) =>
        QueryAsync(new StoreRequest(StoreOp.Get, key), cancellationToken);

    /// <summary>Reads a value; null when the key is missing (seed <c>lookup</c>).</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The value or null.</returns>
    [StoreQuery]
    public async ValueTask<BrokerData?> LookupAsync(BrokerData key, CancellationToken cancellationToken = default)
    {
        var result = await _actor.ExecuteAsync(new StoreRequest(StoreOp.Get, key), cancellationToken).ConfigureAwait(false);
        if (result.Code == Errors.BrokerErrorCode.NoSuchKey)
        {
            return null;
        }

        return Unwrap(StoreOp.Get, result);
    }

    /// <summary>Broker's <c>get_index_from_value</c>: a vector element, set membership (boolean) or table value.</summary>
    /// <param name="key">The key.</param>
    /// <param name="index">The index, element or table key.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The element.</returns>
    [StoreQuery]
    public ValueTask<BrokerData> GetIndexAsync(BrokerData key, BrokerData index, CancellationToken cancellationToken = default) =>
        QueryAsync(new StoreRequest(StoreOp.GetIndex, key, default, index), cancellationToken);

    /// <summary>Whether a key exists.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>True when present.</returns>
    [StoreQuery]
    public async ValueTask<bool> ExistsAsync(BrokerData key, CancellationToken cancellationToken = default) =>
        (await QueryAsync(new StoreRequest(StoreOp.Exists, key), cancellationToken).ConfigureAwait(false)).AsBoolean();

    /// <summary>All keys, as a Broker set (sorted in Broker order).</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The keys.</returns>
    [StoreQuery]
    public ValueTask<BrokerData> KeysAsync(CancellationToken cancellationToken = default) =>
        QueryAsync(new StoreRequest(StoreOp.Keys, default), cancellationToken);

    /// <summary>The number of entries (seed <c>size</c>).</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The count.</returns>
    [StoreQuery]
    public async ValueTask<ulong> SizeAsync(CancellationToken cancellationToken = default) =>
        (await QueryAsync(new StoreRequest(StoreOp.Size, default), cancellationToken).ConfigureAwait(false)).AsCount();

    /// <summary>The whole contents as a Broker table.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A table of key to value.</returns>
    [StoreQuery]
    public ValueTask<BrokerData> SnapshotAsync(CancellationToken cancellationToken = default) =>
        QueryAsync(new StoreRequest(StoreOp.Snapshot, default), cancellationToken);

    /// <summary>Detaches the handle; a master closes its backend (a SQLite file stays on disk).</summary>
    /// <returns>Completes when closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _host.Detach(this);
        await _actor.DisposeAsync().ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Role} '{Name}'";

    private static StoreRequest IncrementRequest(in BrokerData key, in BrokerData amount, StoreExpiry? expiry)
    {
        // Broker picks the initial type from the amount: a timespan amount on a missing key creates a timestamp.
        var init = amount.Kind switch
        {
            BrokerDataKind.Count or BrokerDataKind.Integer or BrokerDataKind.Real => amount.Kind,
            BrokerDataKind.Timespan => BrokerDataKind.Timestamp,
            _ => BrokerDataKind.None,
        };
        return AddRequest(key, amount, init, expiry);
    }

    private static StoreRequest AddRequest(in BrokerData key, in BrokerData value, BrokerDataKind init, StoreExpiry? expiry) =>
        new(StoreOp.Add, key, value, BrokerData.Count((ulong)init), expiry);

    private static BrokerData? NoneToNull(BrokerData value) => value.IsNone ? null : (BrokerData?)value;

    private async ValueTask RunAsync(StoreRequest request, CancellationToken cancellationToken) =>
        Unwrap(request.Op, await _actor.ExecuteAsync(request, cancellationToken).ConfigureAwait(false));

    private async ValueTask<BrokerData> QueryAsync(StoreRequest request, CancellationToken cancellationToken) =>
        Unwrap(request.Op, await _actor.ExecuteAsync(request, cancellationToken).ConfigureAwait(false));

    private BrokerData Unwrap(StoreOp op, in StoreResult result) =>
        result.IsSuccess ? result.Value : throw new StoreException(result.Code, Name, StoreRequest.Name(op), result.Message ?? "failed");
}
