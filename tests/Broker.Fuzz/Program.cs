// Coverage-guided fuzzing of every decoder that reads network input. Usage (see docs/fuzzing.md):
//   Broker.Fuzz <target>                 run under AFL++ (afl-fuzz -i corpus/<target> -o findings -- dotnet Broker.Fuzz.dll <target>)
//   Broker.Fuzz <target> --replay <dir>  run every file in <dir> once in-process (smoke test, reproduce a crash)
//   Broker.Fuzz seed <dir> [golden]      write a seed corpus per target from the golden captures (default ../shared/golden)
using Broker.Fuzz;
using SharpFuzz;

if (args.Length == 0 || (!Targets.All.ContainsKey(args[0]) && args[0] != "seed"))
{
    Console.Error.WriteLine($"usage: Broker.Fuzz <{string.Join('|', Targets.All.Keys)}> [--replay <dir>] | seed <dir>");
    return 2;
}

if (args[0] == "seed")
{
    return Seeds.Write(args.Length > 1 ? args[1] : "corpus", args.Length > 2 ? args[2] : null);
}

var target = Targets.All[args[0]];
if (args.Length > 2 && args[1] == "--replay")
{
    int n = 0;
    foreach (var file in Directory.EnumerateFiles(args[2], "*", SearchOption.AllDirectories))
    {
        target(File.ReadAllBytes(file));
        n++;
    }

    Console.WriteLine($"{n} inputs replayed without an unexpected exception");
    return 0;
}

Fuzzer.OutOfProcess.Run(stream =>
{
    using var ms = new MemoryStream();
    stream.CopyTo(ms);
    target(ms.ToArray());
});
return 0;
