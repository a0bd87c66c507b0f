using System.Diagnostics;
using Broker.Data;
using Broker.Sdk.Tests.TestSupport;
using Broker.Stores;
using Microsoft.Data.Sqlite;
using Xunit;

namespace Broker.Sdk.Tests.Stores;

public sealed class CrashRecoveryTests
{
    private static string LoadTestDll()
    {
        // tests/Broker.Sdk.Tests/bin/<Configuration>/net10.0/ -> the same configuration of bench/Broker.LoadTest.
        var baseDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string configuration = baseDir.Parent!.Name;
        string dll = Path.Combine(Golden.RepoRoot, "bench", "Broker.LoadTest", "bin", configuration, baseDir.Name, "Broker.LoadTest.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: the test project references bench/Broker.LoadTest so building the tests builds it");
        return dll;
    }

    [Fact]
    public async Task A_process_killed_with_SIGKILL_right_after_an_acknowledged_write_loses_nothing()
    {
        var dir = Directory.CreateTempSubdirectory("broker-crash-").FullName;
        try
        {
            string file = Path.Combine(dir, "crash.sqlite");
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { LoadTestDll(), "stores", "crash-writer", file, "1000000" })
            {
                psi.ArgumentList.Add(a);
            }

            using var child = Process.Start(psi)!;
            _ = child.StandardError.ReadToEndAsync(); // drain, so the child never blocks on a full pipe
            int lastAck = -1;
            using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
            {
                while (lastAck < 300)
                {
                    string? line = await child.StandardOutput.ReadLineAsync(deadline.Token);
                    Assert.True(line is not null, "the writer exited early");
                    if (line.StartsWith("ack ", StringComparison.Ordinal))
                    {
                        lastAck = int.Parse(line.AsSpan(4));
                    }
                }
            }

            child.Kill(entireProcessTree: true); // SIGKILL on Linux: no flush, no finalizers
            Assert.True(child.WaitForExit(30_000), "the killed writer did not exit");
            Assert.NotEqual(0, child.ExitCode);

            await using var network = new LoopbackNetwork();
            await using var store = network.AddNode().Host.AttachMaster("crash", StoreBackendOptions.Sqlite(file), null);
            ulong size = await store.SizeAsync();
            Assert.True(size >= (ulong)lastAck + 1, $"{size} entries after the crash, but {lastAck + 1} writes were acknowledged");
            for (int i = 0; i <= lastAck; i++)
            {
                Assert.Equal(BrokerData.Count((ulong)i), await store.GetAsync("k" + i));
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(dir, true);
        }
    }
}
