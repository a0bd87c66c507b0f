using Broker.Errors;
using Broker.Stores.Backends;

namespace Broker.Stores.Actors;

/// <summary>The stores of one endpoint: at most one master per name here, any number of clones and frontends.</summary>
internal sealed class StoreHost : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<string, DataStore> _masters = new(StringComparer.Ordinal);
    private readonly List<DataStore> _handles = new();

    public StoreHost(IStoreTransport transport)
    {
        Transport = transport;
    }

    public IStoreTransport Transport { get; }

    public bool HasMaster(string name)
    {
        lock (_gate)
        {
            return _masters.ContainsKey(name);
        }
    }

    public DataStore AttachMaster(string name, StoreBackendOptions? backend, StoreOptions? options)
    {
        CheckName(name);
        lock (_gate)
        {
            // Broker: re-attaching a master on the same endpoint returns the existing one.
            if (_masters.TryGetValue(name, out var existing))
            {
                return existing;
            }

            if (Transport.AnyPeerSubscribes(StoreTopics.Master(name)))
            {
                throw new StoreException(BrokerErrorCode.MasterExists, name, "attach_master", "a peer already hosts a master for this store");
            }

            IStoreBackend store = backend switch
            {
                null or MemoryBackendOptions => new MemoryBackend(),
                SqliteBackendOptions sqlite => SqliteBackend.Open(sqlite, name),
                _ => throw new ArgumentException($"unknown backend {backend.GetType().Name}", nameof(backend)),
            };
            var handle = new DataStore(new MasterActor(name, Transport, options ?? new StoreOptions(), store), this);
            _masters[name] = handle;
            _handles.Add(handle);
            return handle;
        }
    }

    public async ValueTask<DataStore> AttachCloneAsync(string name, CloneOptions? options, CancellationToken cancellationToken)
    {
        CheckName(name);
        options ??= new CloneOptions();
        var actor = new RemoteActor(this, name, options, replica: true);
        var handle = new DataStore(actor, this);
        lock (_gate)
        {
            _handles.Add(handle);
        }

        var time = actor.Time;
        using var timeout = new CancellationTokenSource(options.AttachTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            await actor.FirstSync.WaitAsync(linked.Token).ConfigureAwait(false);
            return handle;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            await handle.DisposeAsync().ConfigureAwait(false);
            throw new StoreException(BrokerErrorCode.NoSuchMaster, name, "attach_clone",
                $"no master answered within {options.AttachTimeout.TotalMilliseconds:0.###} ms");
        }
        catch
        {
            await handle.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public DataStore AttachFrontend(string name, StoreOptions? options)
    {
        CheckName(name);
        var clone = options switch
        {
            null => new CloneOptions(),
            CloneOptions c => c,
            _ => new CloneOptions { DefaultTimeout = options.DefaultTimeout, TimeProvider = options.TimeProvider, TickInterval = options.TickInterval, HeartbeatTicks = options.HeartbeatTicks },
        };
        var handle = new DataStore(new RemoteActor(this, name, clone, replica: false), this);
        lock (_gate)
        {
            _handles.Add(handle);
        }

        return handle;
    }

    /// <summary>
    /// True when <paramref name="actor"/> publishes its store's change events on this endpoint: the master when one is
    /// attached here, otherwise the oldest clone, so subscribers never see one change twice.
    /// </summary>
    public bool EmitsEvents(StoreActor actor)
    {
        lock (_gate)
        {
            if (_masters.TryGetValue(actor.Name, out var master))
            {
                return ReferenceEquals(master.Actor, actor);
            }

            foreach (var h in _handles)
            {
                if (h.Role == StoreRole.Clone && string.Equals(h.Name, actor.Name, StringComparison.Ordinal))
                {
                    return ReferenceEquals(h.Actor, actor);
                }
            }

            return false;
        }
    }

    internal void Detach(DataStore handle)
    {
        lock (_gate)
        {
            _handles.Remove(handle);
            if (handle.Role == StoreRole.Master && _masters.TryGetValue(handle.Name, out var m) && ReferenceEquals(m, handle))
            {
                _masters.Remove(handle.Name);
            }
        }
    }

    private static void CheckName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Contains("<$>", StringComparison.Ordinal))
        {
            throw new ArgumentException("a store name must not contain the reserved marker <$>", nameof(name));
        }
    }

    public async ValueTask DisposeAsync()
    {
        DataStore[] all;
        lock (_gate)
        {
            all = _handles.ToArray();
        }

        foreach (var h in all)
        {
            await h.DisposeAsync().ConfigureAwait(false);
        }
    }
}
