if (args.Length > 0 && args[0] == "--cpu")
{
    // Thread-CPU-time figures for a shared, oversubscribed machine (see CpuTimeProbe).
    Broker.Benchmarks.CpuTimeProbe.Run();
    return;
}

BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
