namespace Broker.Stores;

/// <summary>Options common to every store handle.</summary>
public record StoreOptions
{
    /// <summary>How long an awaitable query or mutation waits for an answer (default 10 s, as Broker's frontend timeout).</summary>
    public TimeSpan DefaultTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The store clock (expiry, heartbeats, timeouts). Null: the endpoint's <see cref="BrokerEndpointOptions.TimeProvider"/>.</summary>
    public TimeProvider? TimeProvider { get; init; }

    /// <summary>How often the master scans for expired entries and sends heartbeats (Broker: 100 ms ticks).</summary>
    public TimeSpan TickInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Heartbeat (keepalive) period, in ticks (Broker: 5).</summary>
    public ushort HeartbeatTicks { get; init; } = 5;
}

/// <summary>Options of a clone.</summary>
public sealed record CloneOptions : StoreOptions
{
    /// <summary>How long <c>AttachCloneAsync</c> waits for the master's first snapshot before failing with no_such_master (default 10 s).</summary>
    public TimeSpan AttachTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Silence from the master after which the clone considers it lost and starts to resync (default 10 s, as Broker).</summary>
    public TimeSpan MasterTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// While unsynchronized, the clone repeats its snapshot request (nack [0]) at most this often (default 1 s; seed
    /// Broker's resync_interval). Each request costs the master a full snapshot, so a storm of them would starve it.
    /// </summary>
    public TimeSpan ResyncInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>After the master has been lost this long, reads fail with stale_data; <see cref="Timeout.InfiniteTimeSpan"/> = never (default 300 s).</summary>
    public TimeSpan StaleInterval { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>Writes made while the master is away are buffered this long, then dropped with an error; zero = no buffering (default 120 s).</summary>
    public TimeSpan MutationBufferInterval { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>The most writes buffered while the master is away; older ones are dropped first (default 100,000).</summary>
    public int MutationBufferLimit { get; init; } = 100_000;
}

/// <summary>SQLite <c>PRAGMA synchronous</c>.</summary>
public enum SqliteSynchronous
{
    /// <summary>No fsync.</summary>
    Off,
    /// <summary>fsync at checkpoints (with WAL: safe against process crashes, not power loss).</summary>
    Normal,
    /// <summary>fsync at every commit.</summary>
    Full,
    /// <summary>FULL plus directory syncs.</summary>
    Extra,
}

/// <summary>SQLite <c>PRAGMA journal_mode</c>.</summary>
public enum SqliteJournalMode
{
    /// <summary>Rollback journal (Broker's historic default).</summary>
    Delete,
    /// <summary>Write-ahead log (our default).</summary>
    Wal,
}

/// <summary>Which backend a master stores its data in.</summary>
public abstract record StoreBackendOptions
{
    private protected StoreBackendOptions()
    {
    }

    /// <summary>An in-memory backend (no persistence).</summary>
    public static StoreBackendOptions Memory { get; } = new MemoryBackendOptions();

    /// <summary>A SQLite file in Broker's schema.</summary>
    /// <param name="path">The database file.</param>
    /// <returns>The options.</returns>
    public static SqliteBackendOptions Sqlite(string path) => new(path);
}

/// <summary>The in-memory backend.</summary>
public sealed record MemoryBackendOptions : StoreBackendOptions;

/// <summary>The SQLite backend: Broker's schema (<c>meta</c>, <c>store</c>) with Broker's binary value encoding.</summary>
/// <param name="Path">The database file (created when missing).</param>
public sealed record SqliteBackendOptions(string Path) : StoreBackendOptions
{
    /// <summary>PRAGMA synchronous (default NORMAL, which with WAL loses nothing when the process dies).</summary>
    public SqliteSynchronous Synchronous { get; init; } = SqliteSynchronous.Normal;

    /// <summary>PRAGMA journal_mode (default WAL).</summary>
    public SqliteJournalMode JournalMode { get; init; } = SqliteJournalMode.Wal;

    /// <summary>Run <c>PRAGMA integrity_check</c> when opening (default false).</summary>
    public bool IntegrityCheck { get; init; }
}
