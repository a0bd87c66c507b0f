if (args.Length > 0 && args[0] == "--cpu")
{
    // Thread-CPU-time figures for a shared, oversubscribed machine (see CpuTimeProbe).
    // An optional second argument keeps only the rows whose name contains it, e.g. --cpu Codec.
    Broker.Benchmarks.CpuTimeProbe.Run(args.Length > 1 ? args[1] : null);
    return;
}

BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
