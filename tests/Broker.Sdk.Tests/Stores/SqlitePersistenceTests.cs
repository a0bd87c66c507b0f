using System.Diagnostics;
using Broker.Data;
using Broker.Errors;
using Broker.Stores;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Broker.Sdk.Tests.Stores;

public sealed class SqlitePersistenceTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("broker-sqlite-").FullName;
    private readonly LoopbackNetwork _net = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));

    private string File(string name = "s.sqlite") => Path.Combine(_dir, name);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _net.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, true);
    }

    private DataStore Open(LoopbackNetwork.Node node, string path, string name = "s") =>
        node.Host.AttachMaster(name, StoreBackendOptions.Sqlite(path), new StoreOptions { TimeProvider = _clock });

    [Fact]
    public async Task Data_and_deadlines_survive_a_reopen()
    {
        var node = _net.AddNode(_clock);
        var store = Open(node, File());
        store.Put("plain", BrokerData.Vector("a", 1UL));
        store.Put("hour", 1UL, StoreExpiry.After(TimeSpan.FromHours(1)));
        store.Put("sliding", 1UL, StoreExpiry.SinceLastModification(TimeSpan.FromMinutes(10)));
        store.Put("day", 1UL, StoreExpiry.At(_clock.GetUtcNow().AddDays(1)));
        await store.DisposeAsync();

        _clock.Advance(TimeSpan.FromMinutes(9));
        store = Open(node, File());
        Assert.Equal(4UL, await store.SizeAsync());
        store.Increment("sliding", BrokerData.Count(1)); // pushes the persisted sliding deadline to now + 10 min
        await store.DisposeAsync();

        _clock.Advance(TimeSpan.FromMinutes(55)); // 64 minutes after the puts
        store = Open(node, File());
        Assert.False(await store.ExistsAsync("hour"));
        Assert.False(await store.ExistsAsync("sliding"));
        Assert.True(await store.ExistsAsync("day"));
        Assert.Equal(BrokerData.Vector("a", 1UL), await store.GetAsync("plain"));
        _clock.Advance(TimeSpan.FromSeconds(1)); // one tick erases what expired while closed
        Assert.Equal(2UL, await store.SizeAsync());
        await store.DisposeAsync();
    }

    [Fact]
    public async Task A_file_that_is_not_a_database_gives_backend_failure_and_the_host_keeps_working()
    {
        var node = _net.AddNode(_clock);
        await System.IO.File.WriteAllBytesAsync(File("junk.sqlite"), Enumerable.Range(0, 4096).Select(i => (byte)(i * 7)).ToArray());
        var ex = Assert.Throws<StoreException>(() => Open(node, File("junk.sqlite")));
        Assert.Equal(BrokerErrorCode.BackendFailure, ex.Code);
        Assert.Contains("junk.sqlite", ex.Message);
        await using var ok = Open(node, File());
        ok.Put("k", 1UL);
        Assert.True(await ok.ExistsAsync("k"));
    }

    [Fact]
    public void A_foreign_database_gives_backend_failure()
    {
        using (var db = new SqliteConnection($"Data Source={File("foreign.sqlite")};Pooling=False"))
        {
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = "CREATE TABLE store(id INTEGER PRIMARY KEY, name TEXT); INSERT INTO store(name) VALUES ('x')";
            cmd.ExecuteNonQuery();
        }

        var ex = Assert.Throws<StoreException>(() => Open(_net.AddNode(_clock), File("foreign.sqlite")));
        Assert.Equal(BrokerErrorCode.BackendFailure, ex.Code);
    }

    [Fact]
    public void A_corrupt_blob_is_a_backend_failure_not_a_crash()
    {
        using (var db = new SqliteConnection($"Data Source={File("blob.sqlite")};Pooling=False"))
        {
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = "CREATE TABLE meta(key text primary key, value text); CREATE TABLE store(key blob primary key, value blob, expiry integer);" +
                              "INSERT INTO store VALUES (x'05016b', x'ff00', NULL)";
            cmd.ExecuteNonQuery();
        }

        var ex = Assert.Throws<StoreException>(() => Open(_net.AddNode(_clock), File("blob.sqlite")));
        Assert.Equal(BrokerErrorCode.BackendFailure, ex.Code);
    }

    [Fact]
    public void An_unopenable_path_gives_cannot_open_file()
    {
        var node = _net.AddNode(_clock);
        Assert.Equal(BrokerErrorCode.CannotOpenFile, Assert.Throws<StoreException>(() => Open(node, Path.Combine(_dir, "no", "such", "dir.sqlite"))).Code);
        Directory.CreateDirectory(File("a-directory"));
        Assert.Equal(BrokerErrorCode.CannotOpenFile, Assert.Throws<StoreException>(() => Open(node, File("a-directory"))).Code);
        Assert.Equal(BrokerErrorCode.CannotOpenFile, Assert.Throws<StoreException>(() => Open(node, "")).Code);
    }

    [Fact]
    public async Task Options_set_journal_mode_and_synchronous()
    {
        var node = _net.AddNode(_clock);
        await using (var store = node.Host.AttachMaster("d", StoreBackendOptions.Sqlite(File("delete.sqlite")) with
                     {
                         JournalMode = SqliteJournalMode.Delete, Synchronous = SqliteSynchronous.Full, IntegrityCheck = true,
                     }, null))
        {
            store.Put("k", 1UL);
        }

        await using (var store = Open(node, File("wal.sqlite")))
        {
            store.Put("k", 1UL);
        }

        Assert.Equal("delete", Scalar(File("delete.sqlite"), "PRAGMA journal_mode"));
        Assert.Equal("wal", Scalar(File("wal.sqlite"), "PRAGMA journal_mode"));
        Assert.Equal(SqliteBackendVersion(), Scalar(File("wal.sqlite"), "SELECT value FROM meta WHERE key = 'broker_version'"));
    }

    private static string SqliteBackendVersion() => "2.8.0";

    private static string? Scalar(string path, string sql)
    {
        using var db = new SqliteConnection($"Data Source={path};Pooling=False");
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar()?.ToString();
    }

    // ---- interoperability with real Broker (Debian python3-broker, Broker 1.4) ----

    private static string RunPython(string script, params string[] args)
    {
        const string python = "/usr/bin/python3";
        Assert.True(System.IO.File.Exists(python), "needs Debian's /usr/bin/python3 with python3-broker (apt-get install -y python3-broker)");
        var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(30_000), "python3-broker did not finish within 30 s");
        Assert.True(p.ExitCode == 0, $"python3-broker failed ({p.ExitCode}); is python3-broker installed? {stderr.Result}");
        return stdout.Result;
    }

    [Fact]
    public async Task A_store_file_written_by_Broker_1_4_opens_here()
    {
        const string script = """
            import broker, sys, time, ipaddress
            ep = broker.Endpoint()
            m = ep.attach_master("pystore", broker.Backend.SQLite, {"path": sys.argv[1]})
            m.put("count", broker.Count(42))
            m.put("int", -7)
            m.put("real", 1.5)
            m.put("set", {1, 2, 3})
            m.put("table", {"a": 1, "b": 2})
            m.put("vec", ("x", "y"))
            m.put("addr", ipaddress.ip_address("10.0.0.1"))
            m.put("exp", "soon", 3600)
            m.put(("composite", 1), True)
            m.increment("count", broker.Count(1))
            for _ in range(100):
                if m.get("count") == 43: break
                time.sleep(0.05)
            print("ok")
            """;
        Assert.Contains("ok", RunPython(script, File("py.sqlite")));
        var node = _net.AddNode(TimeProvider.System);
        await using var store = node.Host.AttachMaster("pystore", StoreBackendOptions.Sqlite(File("py.sqlite")), null);
        Assert.Equal(9UL, await store.SizeAsync());
        Assert.Equal(BrokerData.Count(43), await store.GetAsync("count"));
        Assert.Equal(BrokerData.Integer(-7), await store.GetAsync("int"));
        Assert.Equal(BrokerData.Real(1.5), await store.GetAsync("real"));
        Assert.Equal(BrokerData.Set(BrokerData.Integer(1), BrokerData.Integer(2), BrokerData.Integer(3)), await store.GetAsync("set"));
        Assert.Equal(BrokerData.Integer(2), await store.GetIndexAsync("table", "b"));
        Assert.Equal(BrokerData.Vector("x", "y"), await store.GetAsync("vec"));
        Assert.Equal(BrokerData.Address(System.Net.IPAddress.Parse("10.0.0.1")), await store.GetAsync("addr"));
        Assert.Equal(BrokerData.Boolean(true), await store.GetAsync(BrokerData.Vector("composite", BrokerData.Integer(1))));
        Assert.True(await store.ExistsAsync("exp"));
        store.Increment("count", BrokerData.Count(1));
        Assert.Equal(BrokerData.Count(44), await store.GetAsync("count"));
    }

    [Fact]
    public async Task A_store_file_written_here_opens_in_Broker_1_4()
    {
        var node = _net.AddNode(TimeProvider.System);
        await using (var store = node.Host.AttachMaster("ours", StoreBackendOptions.Sqlite(File("ours.sqlite")) with { JournalMode = SqliteJournalMode.Delete }, null))
        {
            store.Put("count", 5UL);
            store.Put("str", "hello");
            store.Put("set", BrokerData.Set("a", "b"));
            store.Put("exp", "later", StoreExpiry.After(TimeSpan.FromHours(1)));
        }

        const string script = """
            import broker, sys
            ep = broker.Endpoint()
            m = ep.attach_master("ours", broker.Backend.SQLite, {"path": sys.argv[1]})
            print(sorted(str(k) for k in m.keys()))
            print(m.get("count"), m.get("str"), sorted(m.get("set")), m.get("exp"))
            """;
        var output = RunPython(script, File("ours.sqlite"));
        Assert.Contains("['count', 'exp', 'set', 'str']", output);
        Assert.Contains("5 hello ['a', 'b'] later", output);
    }
}
