if (args.Length > 0 && args[0] == "--cpu")
{
    // Thread-CPU-time figures for a shared, oversubscribed machine (see CpuTimeProbe).
    // An optional second argument keeps only the rows whose name contains it, e.g. --cpu Codec.
    Broker.Benchmarks.CpuTimeProbe.Run(args.Length > 1 ? args[1] : null);
    return;
}

if (args.Length >= 3 && args[0] == "--paired")
{
    // Before/after in one process: two builds of Broker.Sdk, paired rounds (see PairedCodecProbe).
    // Optional: an operation filter ("all" for every operation) and the number of rounds.
    string? filter = args.Length > 3 && args[3] != "all" ? args[3] : null;
    Broker.Benchmarks.PairedCodecProbe.Run(args[1], args[2], filter, args.Length > 4 ? int.Parse(args[4]) : 200);
    return;
}

BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
