using Broker.Data;

namespace Broker.Stores.Backends;

/// <summary>A hash map: the fastest backend, no persistence.</summary>
internal sealed class MemoryBackend : IStoreBackend
{
    private readonly Dictionary<BrokerData, StoreEntry> _entries = new();

    public long Count => _entries.Count;

    public bool TryGet(in BrokerData key, out StoreEntry entry) => _entries.TryGetValue(key, out entry);

    public void Put(in BrokerData key, in StoreEntry entry) => _entries[key] = entry;

    public bool Erase(in BrokerData key) => _entries.Remove(key);

    public void Clear() => _entries.Clear();

    public List<KeyValuePair<BrokerData, StoreEntry>> Entries() => new(_entries);

    public void Flush()
    {
    }

    public void Dispose()
    {
    }
}
