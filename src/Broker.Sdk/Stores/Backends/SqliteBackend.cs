using Broker.Data;
using Broker.Errors;
using Broker.Serialization;
using Microsoft.Data.Sqlite;

namespace Broker.Stores.Backends;

/// <summary>
/// SQLite in Broker's schema: <c>meta(key text primary key, value text)</c> with a <c>broker_version</c> row and
/// <c>store(key blob primary key, value blob, expiry integer)</c>, blobs in Broker's binary data encoding and
/// expiry as int64 ns since the epoch (or NULL). Files written by Broker open here and ours open in Broker.
/// The sliding span of seed-style expiry has no column in Broker's schema; it lives in an extra table
/// <c>broker_sdk_sliding</c> that Broker ignores. Writes are group-committed (see <see cref="Flush"/>); an acknowledged write is
/// committed first, so it survives a killed process (WAL + synchronous=NORMAL).
/// </summary>
internal sealed class SqliteBackend : IStoreBackend
{
    internal const string BrokerVersion = "2.8.0";

    private readonly SqliteConnection _db;
    private readonly SqliteCommand _get;
    private readonly SqliteCommand _put;
    private readonly SqliteCommand _erase;
    private readonly SqliteCommand _getSliding;
    private readonly SqliteCommand _putSliding;
    private readonly SqliteCommand _eraseSliding;
    private readonly SqliteCommand _count;
    private bool _hasSliding;

    // Group commit: fire-and-forget writes share one transaction, committed by Flush (before any acknowledgement,
    // on every master tick) or after BatchLimit writes. A killed process loses only unacknowledged writes.
    private const int BatchLimit = 1024;
    private SqliteTransaction? _batch;
    private int _batched;

    private SqliteBackend(SqliteConnection db)
    {
        _db = db;
        _get = Prepare("SELECT value, expiry FROM store WHERE key = $k", "$k");
        _put = Prepare("INSERT OR REPLACE INTO store(key, value, expiry) VALUES ($k, $v, $e)", "$k", "$v", "$e");
        _erase = Prepare("DELETE FROM store WHERE key = $k", "$k");
        _getSliding = Prepare("SELECT span FROM broker_sdk_sliding WHERE key = $k", "$k");
        _putSliding = Prepare("INSERT OR REPLACE INTO broker_sdk_sliding(key, span) VALUES ($k, $s)", "$k", "$s");
        _eraseSliding = Prepare("DELETE FROM broker_sdk_sliding WHERE key = $k", "$k");
        _count = Prepare("SELECT count(*) FROM store");
        using var any = Prepare("SELECT EXISTS(SELECT 1 FROM broker_sdk_sliding)");
        _hasSliding = Convert.ToInt64(any.ExecuteScalar()) != 0;
    }

    /// <summary>Opens or creates a store file.</summary>
    /// <exception cref="StoreException">cannot_open_file (unreadable or unwritable) or backend_failure (not a store, corrupt).</exception>
    public static SqliteBackend Open(SqliteBackendOptions options, string storeName)
    {
        if (string.IsNullOrEmpty(options.Path))
        {
            throw new StoreException(BrokerErrorCode.CannotOpenFile, storeName, "attach_master", "the SQLite path is empty");
        }

        SqliteConnection? db = null;
        try
        {
            string? dir = Path.GetDirectoryName(Path.GetFullPath(options.Path));
            if (dir is not null && !Directory.Exists(dir))
            {
                throw new StoreException(BrokerErrorCode.CannotOpenFile, storeName, "attach_master", $"directory '{dir}' does not exist");
            }

            db = new SqliteConnection(new SqliteConnectionStringBuilder
            {
                DataSource = options.Path,
                Mode = SqliteOpenMode.ReadWriteCreate,
                Pooling = false,
            }.ToString());
            db.Open();
            Exec(db, "PRAGMA busy_timeout = 5000");
            if (options.IntegrityCheck)
            {
                using var check = db.CreateCommand();
                check.CommandText = "PRAGMA integrity_check";
                if (check.ExecuteScalar() is not string ok || ok != "ok")
                {
                    throw new StoreException(BrokerErrorCode.BackendFailure, storeName, "attach_master", $"'{options.Path}' failed the integrity check");
                }
            }

            Exec(db, options.JournalMode == SqliteJournalMode.Wal ? "PRAGMA journal_mode = WAL" : "PRAGMA journal_mode = DELETE");
            Exec(db, "PRAGMA synchronous = " + options.Synchronous.ToString().ToUpperInvariant());
            Exec(db, "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT)");
            Exec(db, "CREATE TABLE IF NOT EXISTS store(key BLOB PRIMARY KEY, value BLOB, expiry INTEGER)");
            Exec(db, "CREATE TABLE IF NOT EXISTS broker_sdk_sliding(key BLOB PRIMARY KEY, span INTEGER NOT NULL)");
            Exec(db, $"INSERT OR IGNORE INTO meta(key, value) VALUES ('broker_version', '{BrokerVersion}')");
            CheckColumns(db, storeName, options.Path);
            return new SqliteBackend(db);
        }
        catch (SqliteException ex)
        {
            db?.Dispose();
            // SQLITE_CANTOPEN 14, SQLITE_PERM 3, SQLITE_READONLY 8, SQLITE_AUTH 23: the file itself is unusable.
            var code = ex.SqliteErrorCode is 14 or 3 or 8 or 23 ? BrokerErrorCode.CannotOpenFile : BrokerErrorCode.BackendFailure;
            throw new StoreException(code, storeName, "attach_master", $"'{options.Path}': {ex.Message}", ex);
        }
        catch (StoreException)
        {
            db?.Dispose();
            throw;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            db?.Dispose();
            throw new StoreException(BrokerErrorCode.CannotOpenFile, storeName, "attach_master", $"'{options.Path}': {ex.Message}", ex);
        }
    }

    // A database that has a 'store' table of another shape is someone else's file: refuse it rather than corrupt it.
    private static void CheckColumns(SqliteConnection db, string storeName, string path)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT name FROM pragma_table_info('store')";
        var names = new List<string>();
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                names.Add(r.GetString(0));
            }
        }

        if (!names.Contains("key") || !names.Contains("value") || !names.Contains("expiry"))
        {
            throw new StoreException(BrokerErrorCode.BackendFailure, storeName, "attach_master", $"'{path}' has a 'store' table that is not a Broker store");
        }
    }

    private static void Exec(SqliteConnection db, string sql, SqliteTransaction? tx = null)
    {
        using var cmd = db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private SqliteCommand Prepare(string sql, params string[] parameters)
    {
        var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        foreach (var p in parameters)
        {
            cmd.Parameters.Add(new SqliteParameter { ParameterName = p });
        }

        cmd.Prepare();
        return cmd;
    }

    public long Count => Run(() => Convert.ToInt64(_count.ExecuteScalar()));

    public bool TryGet(in BrokerData key, out StoreEntry entry)
    {
        byte[] k = BrokerBinary.Encode(key);
        try
        {
            _get.Parameters[0].Value = k;
            using var r = _get.ExecuteReader();
            if (!r.Read())
            {
                entry = default;
                return false;
            }

            var value = DecodeBlob(r, 0);
            long? expiry = r.IsDBNull(1) ? null : r.GetInt64(1);
            long? span = null;
            if (_hasSliding)
            {
                _getSliding.Parameters[0].Value = k;
                if (_getSliding.ExecuteScalar() is long s)
                {
                    span = s;
                }
            }

            entry = new StoreEntry(value, expiry, span);
            return true;
        }
        catch (SqliteException ex)
        {
            throw Failure(ex);
        }
    }

    public void Put(in BrokerData key, in StoreEntry entry)
    {
        byte[] k = BrokerBinary.Encode(key);
        try
        {
            Begin();
            _put.Parameters[0].Value = k;
            _put.Parameters[1].Value = BrokerBinary.Encode(entry.Value);
            _put.Parameters[2].Value = entry.Expiry is { } e ? e : DBNull.Value;
            _put.ExecuteNonQuery();
            if (entry.SlidingSpan is { } span)
            {
                // Same transaction as the entry, so a crash never leaves a sliding span without its entry.
                _putSliding.Parameters[0].Value = k;
                _putSliding.Parameters[1].Value = span;
                _putSliding.ExecuteNonQuery();
                _hasSliding = true;
            }
            else if (_hasSliding)
            {
                _eraseSliding.Parameters[0].Value = k;
                _eraseSliding.ExecuteNonQuery();
            }

            Wrote();
        }
        catch (SqliteException ex)
        {
            throw Failure(ex);
        }
    }

    public bool Erase(in BrokerData key)
    {
        byte[] k = BrokerBinary.Encode(key);
        try
        {
            Begin();
            _erase.Parameters[0].Value = k;
            bool removed = _erase.ExecuteNonQuery() > 0;
            if (_hasSliding)
            {
                _eraseSliding.Parameters[0].Value = k;
                _eraseSliding.ExecuteNonQuery();
            }

            Wrote();
            return removed;
        }
        catch (SqliteException ex)
        {
            throw Failure(ex);
        }
    }

    public void Clear() => Run(() =>
    {
        Begin();
        Exec(_db, "DELETE FROM store", _batch);
        Exec(_db, "DELETE FROM broker_sdk_sliding", _batch);
        _hasSliding = false;
        Wrote();
        return 0;
    });

    /// <summary>Commits the open batch, if any.</summary>
    public void Flush()
    {
        if (_batch is null)
        {
            return;
        }

        try
        {
            _batch.Commit();
        }
        catch (SqliteException ex)
        {
            throw Failure(ex);
        }
        finally
        {
            _batch.Dispose();
            _batch = null;
            _batched = 0;
            SetTransaction(null);
        }
    }

    private void Begin()
    {
        if (_batch is null)
        {
            _batch = _db.BeginTransaction();
            SetTransaction(_batch);
        }
    }

    private void Wrote()
    {
        if (++_batched >= BatchLimit)
        {
            Flush();
        }
    }

    private void SetTransaction(SqliteTransaction? tx)
    {
        _get.Transaction = tx;
        _put.Transaction = tx;
        _erase.Transaction = tx;
        _getSliding.Transaction = tx;
        _putSliding.Transaction = tx;
        _eraseSliding.Transaction = tx;
        _count.Transaction = tx;
    }

    public List<KeyValuePair<BrokerData, StoreEntry>> Entries() => Run(() =>
    {
        var spans = new Dictionary<BrokerData, long>();
        if (_hasSliding)
        {
            using var s = _db.CreateCommand();
            s.Transaction = _batch;
            s.CommandText = "SELECT key, span FROM broker_sdk_sliding";
            using var sr = s.ExecuteReader();
            while (sr.Read())
            {
                spans[DecodeBlob(sr, 0)] = sr.GetInt64(1);
            }
        }

        var list = new List<KeyValuePair<BrokerData, StoreEntry>>();
        using var cmd = _db.CreateCommand();
        cmd.Transaction = _batch;
        cmd.CommandText = "SELECT key, value, expiry FROM store";
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            var key = DecodeBlob(r, 0);
            var value = DecodeBlob(r, 1);
            long? expiry = r.IsDBNull(2) ? null : r.GetInt64(2);
            list.Add(new(key, new StoreEntry(value, expiry, spans.TryGetValue(key, out var sp) ? sp : null)));
        }

        return list;
    });

    private static BrokerData DecodeBlob(SqliteDataReader r, int column)
    {
        if (r.IsDBNull(column))
        {
            throw new StoreException(BrokerErrorCode.BackendFailure, "?", "read", "NULL blob in the store table");
        }

        var bytes = (byte[])r.GetValue(column);
        try
        {
            return BrokerBinary.Decode(bytes);
        }
        catch (BrokerDecodeException ex)
        {
            throw new StoreException(BrokerErrorCode.BackendFailure, "?", "read", "a stored blob is not Broker data: " + ex.Message, ex);
        }
    }

    private static T Run<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (SqliteException ex)
        {
            throw Failure(ex);
        }
    }

    private static StoreException Failure(SqliteException ex) =>
        new(BrokerErrorCode.BackendFailure, "?", "sqlite", ex.Message, ex);

    public void Dispose()
    {
        try
        {
            Flush();
        }
        catch (StoreException)
        {
            // Closing anyway; the failure was the file's, and nothing acknowledged was pending.
        }

        _get.Dispose();
        _put.Dispose();
        _erase.Dispose();
        _getSliding.Dispose();
        _putSliding.Dispose();
        _eraseSliding.Dispose();
        _count.Dispose();
        _db.Dispose();
    }
}
