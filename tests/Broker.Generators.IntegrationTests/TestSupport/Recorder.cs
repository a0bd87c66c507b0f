using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Net;
using Broker.Data;
using Broker.Generators.IntegrationTests.Contracts;

namespace Broker.Generators.IntegrationTests.TestSupport;

/// <summary>Records every call by event name, so a test can await one and inspect its arguments.</summary>
internal sealed class Recorder : IAllTypes, IDemoEvents
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<object?[]>> _calls = new();
    private readonly ConcurrentQueue<string> _order = new();

    public IReadOnlyCollection<string> Order => _order;

    public Task<object?[]> Next(string name) => Slot(name).Task;

    public Task<object?[]> Await(string name) => Loopback.WithDeadline(Slot(name).Task, $"the handler to receive '{name}'");

    public bool Received(string name) => _calls.TryGetValue(name, out var tcs) && tcs.Task.IsCompleted;

    private TaskCompletionSource<object?[]> Slot(string name) =>
        _calls.GetOrAdd(name, _ => new TaskCompletionSource<object?[]>(TaskCreationOptions.RunContinuationsAsynchronously));

    private void Record(string name, params object?[] args)
    {
        _order.Enqueue(name);
        Slot(name).TrySetResult(args);
    }

    public void Scalars(bool b, ulong count, long integer, int small, uint usmall, double real, string text) =>
        Record("scalars", b, count, integer, small, usmall, real, text);

    public void SmallNumbers(ushort u16, byte u8, short i16, sbyte i8, float single) => Record("small_numbers", u16, u8, i16, i8, single);

    public void Network(IPAddress v4, IPAddress v6, IPNetwork subnet, BrokerPort port) => Record("network", v4, v6, subnet, port);

    public Task Time(DateTimeOffset at, TimeSpan took)
    {
        Record("time", at, took);
        return Task.CompletedTask;
    }

    public async ValueTask Enums(Proto proto, Proto? maybe, Proto? none)
    {
        await Task.Yield(); // an asynchronous handler completes before the next event is dispatched
        Record("enums", proto, maybe, none);
    }

    public void Nullables(string? text, string? noText, ulong? count, ulong? noCount, IPAddress? address) =>
        Record("nullables", text, noText, count, noCount, address);

    public void Collections(List<ulong> list, string[] array, ImmutableArray<long> immutable, IReadOnlyList<double> readOnly,
        HashSet<string> set, ISet<IPAddress> addresses, Dictionary<string, ulong> table, IReadOnlyDictionary<BrokerPort, List<string>> nested) =>
        Record("collections", list, array, immutable, readOnly, set, addresses, table, nested);

    public void Records(Endpoint endpoint, Connection connection, List<Endpoint> endpoints, Endpoint? missing) =>
        Record("records", endpoint, connection, endpoints, missing);

    public void Raw(BrokerData anything) => Record("raw", anything);

    public void Nothing() => Record("nothing");

    public void MyEvent(string msg, ulong c) => Record("my_event", msg, c);

    public void MyAutoEvent(string msg, ulong c) => Record("my_auto_event", msg, c);
}
