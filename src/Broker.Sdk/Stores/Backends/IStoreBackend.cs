using Broker.Data;

namespace Broker.Stores.Backends;

/// <summary>One stored entry: value, absolute deadline (ns since epoch) and, for seed-style expiry, the sliding span.</summary>
internal readonly record struct StoreEntry(BrokerData Value, long? Expiry, long? SlidingSpan);

/// <summary>
/// Where a master keeps its entries. Plain storage: the semantics (types, expiry arithmetic) live in
/// <see cref="Engine.StoreEngine"/>, so every backend behaves the same. Not thread-safe; the master serialises access.
/// Failures surface as <see cref="StoreException"/> with backend_failure.
/// </summary>
internal interface IStoreBackend : IDisposable
{
    /// <summary>Reads one entry.</summary>
    bool TryGet(in BrokerData key, out StoreEntry entry);

    /// <summary>Inserts or overwrites one entry.</summary>
    void Put(in BrokerData key, in StoreEntry entry);

    /// <summary>Removes one entry; false when it did not exist.</summary>
    bool Erase(in BrokerData key);

    /// <summary>Removes everything.</summary>
    void Clear();

    /// <summary>The number of entries.</summary>
    long Count { get; }

    /// <summary>Makes every write so far durable (group commit); called before a write is acknowledged.</summary>
    void Flush();

    /// <summary>Every entry (any order).</summary>
    List<KeyValuePair<BrokerData, StoreEntry>> Entries();
}
