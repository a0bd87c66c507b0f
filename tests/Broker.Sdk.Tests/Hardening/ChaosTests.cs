using System.Collections.Concurrent;
using System.Net;
using Broker.Data;
using Broker.Errors;
using Broker.Sdk.Tests.Stores;
using Broker.Sdk.Tests.TestSupport;
using Broker.Stores;
using Xunit;
using Xunit.Abstractions;

namespace Broker.Sdk.Tests.Hardening;

/// <summary>
/// Five endpoints (a SQLite master host and four clone hosts, each behind its own <see cref="FaultProxy"/>) are killed
/// and restarted at random for a bounded time while the master keeps writing. At the end every clone must equal the
/// master, every acknowledged write must be in the SQLite master, and no task exception may go unobserved.
/// Bounded to ~10 s; <c>BROKER_LONG_TESTS=1</c> runs it for 2 minutes (<c>BROKER_CHAOS_MINUTES</c> to change that).
/// </summary>
public sealed class ChaosTests : IAsyncLifetime
{
    private static readonly StoreOptions MasterOptions = new() { TickInterval = TimeSpan.FromMilliseconds(20) };

    private static readonly CloneOptions CloneOptions = new()
    {
        TickInterval = TimeSpan.FromMilliseconds(20),
        MasterTimeout = TimeSpan.FromMilliseconds(800),
        AttachTimeout = TimeSpan.FromSeconds(8),
        DefaultTimeout = TimeSpan.FromSeconds(5),
    };

    private readonly ITestOutputHelper _output;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "broker-chaos-" + Guid.NewGuid().ToString("N"));
    private readonly ConcurrentQueue<Exception> _unobserved = new();
    private readonly Node?[] _clones = new Node?[4];
    private readonly FaultProxy?[] _proxies = new FaultProxy?[4];
    private Node? _master;
    private int _masterPort;

    public ChaosTests(ITestOutputHelper output)
    {
        _output = output;
        Directory.CreateDirectory(_dir);
        TaskScheduler.UnobservedTaskException += OnUnobserved;
    }

    private sealed record Node(BrokerEndpoint Endpoint, DataStore Store);

    private void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e) => _unobserved.Enqueue(e.Exception);

    private string DbPath => Path.Combine(_dir, "master.sqlite");

    private async Task StartMasterAsync()
    {
        var ep = new BrokerEndpoint(new BrokerEndpointOptions { Name = "master", PeerBufferSize = 1 << 16 });
        IPEndPoint bound;
        try
        {
            bound = await ep.ListenAsync("127.0.0.1", _masterPort);
        }
        catch (BrokerException e) when (_masterPort != 0 && e.Code == BrokerErrorCode.CannotOpenResource)
        {
            // Between a stop and this restart another test's socket may have taken the old port: move, and tell
            // the proxies (the clones keep retrying the proxies, so for them nothing changes).
            bound = await ep.ListenAsync("127.0.0.1", 0);
            foreach (var proxy in _proxies)
            {
                if (proxy is not null)
                {
                    proxy.TargetPort = bound.Port;
                }
            }
        }

        _masterPort = bound.Port;
        var store = await ep.AttachMasterAsync("chaos", StoreBackendOptions.Sqlite(DbPath), MasterOptions);
        _master = new Node(ep, store);
    }

    private async Task StopAsync(Node? node)
    {
        if (node is not null)
        {
            await node.Store.DisposeAsync();
            await node.Endpoint.DisposeAsync();
        }
    }

    private async Task StartCloneAsync(int i)
    {
        _proxies[i] ??= new FaultProxy(_masterPort);
        var ep = new BrokerEndpoint(new BrokerEndpointOptions { Name = $"clone{i}", PeerBufferSize = 1 << 16 });
        await ep.PeerAsync("127.0.0.1", _proxies[i]!.Port, retry: TimeSpan.FromMilliseconds(100));
        var store = await ep.AttachCloneAsync("chaos", CloneOptions);
        _clones[i] = new Node(ep, store);
    }

    [Fact]
    public async Task Random_kills_and_restarts_end_with_converged_clones_and_every_acknowledged_write_present()
    {
        // BROKER_CHAOS_MINUTES stretches a long run (default 2 minutes with BROKER_LONG_TESTS=1).
        double longMinutes = double.TryParse(Environment.GetEnvironmentVariable("BROKER_CHAOS_MINUTES"), System.Globalization.CultureInfo.InvariantCulture, out var m) ? m : 2;
        var duration = Environment.GetEnvironmentVariable("BROKER_LONG_TESTS") == "1" ? TimeSpan.FromMinutes(longMinutes) : TimeSpan.FromSeconds(8);
        int seed = Environment.TickCount;
        _output.WriteLine($"chaos seed {seed}, duration {duration}");
        var random = new Random(seed);
        var acked = new Dictionary<string, ulong>();

        await StartMasterAsync();
        for (int i = 0; i < 4; i++)
        {
            await StartCloneAsync(i);
        }

        var log = new List<string>();
        var until = DateTime.UtcNow + duration;
        ulong version = 0;
        while (DateTime.UtcNow < until)
        {
            // Writes are interleaved with every kind of failure; only awaited (acknowledged) puts are recorded.
            for (int w = 0; w < 20; w++)
            {
                string key = $"k{random.Next(200)}";
                ulong value = ++version;
                await _master!.Store.PutAsync(key, value);
                acked[key] = value;
            }

            switch (random.Next(4))
            {
                case 0:
                {
                    int i = random.Next(4);
                    log.Add($"restart clone{i}");
                    await StopAsync(_clones[i]);
                    await StartCloneAsync(i);
                    break;
                }

                case 1:
                {
                    int i = random.Next(4);
                    log.Add($"reset link of clone{i}");
                    _proxies[i]!.ResetAll();
                    break;
                }

                case 2:
                    log.Add("restart master");
                    await StopAsync(_master);
                    await StartMasterAsync();
                    break;
                default:
                    log.Add("quiet");
                    break;
            }
        }

        _output.WriteLine(string.Join(", ", log.GroupBy(a => a).Select(g => $"{g.Key} x{g.Count()}")));
        _output.WriteLine($"{version} acknowledged writes over {acked.Count} keys");

        // Every acknowledged write survived the master restarts (SQLite) ...
        foreach (var (key, value) in acked)
        {
            Assert.Equal(BrokerData.Count(value), await _master!.Store.GetAsync(key));
        }

        // ... and every clone converges to the master.
        await Wait.UntilAsync(async () =>
        {
            var expected = await _master!.Store.SnapshotAsync();
            foreach (var c in _clones)
            {
                if (!c!.Store.IsSynchronized || await c.Store.SnapshotAsync() != expected)
                {
                    return false;
                }
            }

            return true;
        }, "all four clones equal the master after the chaos", timeoutMs: 20_000);

        for (int i = 0; i < 4; i++)
        {
            await StopAsync(_clones[i]);
            _clones[i] = null;
        }

        await StopAsync(_master);
        _master = null;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.True(_unobserved.IsEmpty, "unobserved task exceptions: " + string.Join(" | ", _unobserved));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        TaskScheduler.UnobservedTaskException -= OnUnobserved;
        foreach (var c in _clones)
        {
            await StopAsync(c);
        }

        await StopAsync(_master);
        foreach (var p in _proxies)
        {
            if (p is not null)
            {
                await p.DisposeAsync();
            }
        }

        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
