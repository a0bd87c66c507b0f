using BenchmarkDotNet.Attributes;
using Broker.Topics;

namespace Broker.Benchmarks;

/// <summary>
/// Prefix lookup against 10,000 subscriptions, against a naive scan as the baseline.
/// Run: <c>dotnet run -c Release --project bench/Broker.Benchmarks -- --filter '*PrefixIndex*' --job short</c>
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class PrefixIndexBenchmarks
{
    private const int Subscriptions = 10_000;
    private readonly PrefixIndex<int> _index = new();
    private readonly List<(string Prefix, int Value)> _list = [];
    private readonly List<int> _results = new(16);

    /// <summary>A topic matched by three subscriptions, and one matched by none.</summary>
    [Params("zeek/event/worker-4711/conn/new", "bro/log/Conn::LOG")]
    public string Topic { get; set; } = string.Empty;

    [GlobalSetup]
    public void Setup()
    {
        // Realistic shapes: per-node event topics, a few broad prefixes, log streams.
        for (int i = 0; i < Subscriptions - 3; i++)
        {
            string prefix = (i % 3) switch
            {
                0 => $"zeek/event/worker-{i}/",
                1 => $"zeek/cluster/node-{i}/",
                _ => $"app/{i % 97}/stream-{i}",
            };
            _index.Add(prefix, i);
            _list.Add((prefix, i));
        }

        foreach (var (prefix, value) in new[] { ("zeek/", -1), ("zeek/event/", -2), ("zeek/event/worker-4711/conn", -3) })
        {
            _index.Add(prefix, value);
            _list.Add((prefix, value));
        }
    }

    [Benchmark]
    public int Match()
    {
        _results.Clear();
        _index.Match(Topic, _results);
        return _results.Count;
    }

    [Benchmark]
    public bool HasMatch() => _index.HasMatch(Topic);

    [Benchmark(Baseline = true)]
    public int NaiveScan()
    {
        _results.Clear();
        foreach (var (prefix, value) in _list)
        {
            if (Topic.StartsWith(prefix, StringComparison.Ordinal))
            {
                _results.Add(value);
            }
        }

        return _results.Count;
    }
}
