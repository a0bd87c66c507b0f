using Broker.Stores;
using Broker.Stores.Actors;

namespace Broker;

/// <content>Data stores hosted by this endpoint.</content>
public sealed partial class BrokerEndpoint
{
    private StoreHost? _storeHost;

    internal StoreHost StoreHost =>
        LazyInitializer.EnsureInitialized(ref _storeHost, () => new StoreHost(new EndpointStoreTransport(this)));

    /// <summary>
    /// Attaches the master of a store: the one place its mutations are applied. Re-attaching a name on this
    /// endpoint returns the existing master; when a peer already hosts one, fails with master_exists.
    /// </summary>
    /// <param name="name">The store name.</param>
    /// <param name="backend">Where to keep the data (memory when null).</param>
    /// <param name="options">Timeouts and the store clock.</param>
    /// <param name="cancellationToken">Cancels the attach.</param>
    /// <returns>The master handle.</returns>
    /// <exception cref="StoreException">master_exists, cannot_open_file or backend_failure.</exception>
    public ValueTask<DataStore> AttachMasterAsync(string name, StoreBackendOptions? backend = null, StoreOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return new(StoreHost.AttachMaster(name, backend, options));
    }

    /// <summary>
    /// Attaches a clone (a full local replica) and waits for the master's first snapshot. The master may be
    /// anywhere in the network and may appear later, within <see cref="CloneOptions.AttachTimeout"/>.
    /// </summary>
    /// <param name="name">The store name.</param>
    /// <param name="options">Clone options.</param>
    /// <param name="cancellationToken">Cancels the attach.</param>
    /// <returns>The clone handle, synchronized.</returns>
    /// <exception cref="StoreException">no_such_master when no master answers in time.</exception>
    public ValueTask<DataStore> AttachCloneAsync(string name, CloneOptions? options = null, CancellationToken cancellationToken = default) =>
        StoreHost.AttachCloneAsync(name, options, cancellationToken);

    /// <summary>Attaches a frontend: no local data, every query goes to the master (seed-era role).</summary>
    /// <param name="name">The store name.</param>
    /// <param name="options">Timeouts.</param>
    /// <returns>The frontend handle.</returns>
    public DataStore AttachFrontend(string name, StoreOptions? options = null) => StoreHost.AttachFrontend(name, options);
}
