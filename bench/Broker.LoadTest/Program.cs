// Multi-mode load program; one file per mode. Usage: Broker.LoadTest <mode> [options]
//   pubsub  [--count N] [--seconds S]   two processes over loopback: throughput, round trip, memory (see PubSubMode.cs)
//   logs    [--count N] [--api tree|typed] [--recv tree|typed]   remote logging throughput, two processes (see LogsMode.cs)
//   ws      [options]                   WebSocket client -> our server -> native subscriber, and back (see WebSocketMode.cs)
//   stores  [options]                   store puts/lookups, replication, remote lookup latency (see StoresMode.cs)
//   soak    [--minutes N] [--interval S] long run with churn and store traffic; RSS/heap/handles/threads (see SoakMode.cs)
// Add a mode as a new file and one line here.
using Broker.LoadTest;

return args.Length == 0 ? Usage() : args[0] switch
{
    "pubsub" => await PubSubMode.RunAsync(args[1..]),
    PubSubMode.ChildMode => await PubSubMode.RunChildAsync(args[1..]),
    "logs" => await LogsMode.RunAsync(args[1..]),
    LogsMode.ChildMode => await LogsMode.RunChildAsync(args[1..]),
    "ws" => await RunVoid(WebSocketMode.RunAsync(args[1..])),
    "stores" => await StoresMode.RunAsync(args[1..]),
    "soak" => await SoakMode.RunAsync(args[1..]),
    _ => Usage(),
};

static async Task<int> RunVoid(Task mode)
{
    await mode;
    return 0;
}

static int Usage()
{
    Console.Error.WriteLine("usage: Broker.LoadTest pubsub|logs|ws|stores|soak [options]");
    return 2;
}
