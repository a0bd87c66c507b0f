// Multi-mode load program; one file per mode. Usage: Broker.LoadTest <mode> [options]
//   pubsub  [--count N] [--seconds S]   two processes over loopback: throughput, round trip, memory (see PubSubMode.cs)
// Other engineers add modes (stores, soak) as new files and a line here.
using Broker.LoadTest;

return args.Length == 0 ? Usage() : args[0] switch
{
    "pubsub" => await PubSubMode.RunAsync(args[1..]),
    PubSubMode.ChildMode => await PubSubMode.RunChildAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Broker.LoadTest pubsub [--count N] [--seconds S]");
    return 2;
}
