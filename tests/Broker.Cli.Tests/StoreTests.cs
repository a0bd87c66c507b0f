using Broker.Cli.Tests.TestSupport;
using Broker.Data;
using Broker.Serialization.Json;

namespace Broker.Cli.Tests;

/// <summary><c>broker store …</c> as separate processes against a master hosted by an in-test endpoint or by <c>broker node --master</c>.</summary>
public sealed class StoreTests
{
    [Fact]
    public async Task Every_operation_against_an_in_test_master_through_a_frontend_and_a_clone()
    {
        var (endpoint, port) = await Endpoints.ListeningAsync("master");
        await using var _ = endpoint;
        await using var master = await endpoint.AttachMasterAsync("kv", options: Endpoints.FastMaster);
        await master.PutAsync("existing", BrokerData.Vector(BrokerData.Count(1), BrokerData.Real(0.5)));
        string[] common = ["--peer", $"127.0.0.1:{port}", "--store", "kv"];

        var put = await Store(["put", .. common, "\"k\"", "{\"@data-type\":\"address\",\"data\":\"10.1.2.3\"}"]);
        Assert.True(put.ExitCode == 0 && put.Stdout.Count == 0, put.ToString());
        Assert.Equal(BrokerJson.ReadValue("{\"@data-type\":\"address\",\"data\":\"10.1.2.3\"}"), await master.GetAsync("k"));

        var get = await Store(["get", .. common, "\"existing\""]);
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Equal(BrokerData.Vector(BrokerData.Count(1), BrokerData.Real(0.5)), BrokerJson.ReadValue(Assert.Single(get.Stdout)));

        var viaClone = await Store(["get", .. common, "--via", "clone", "\"k\""]);
        Assert.True(viaClone.ExitCode == 0, viaClone.ToString());
        Assert.Equal("{\"@data-type\":\"address\",\"data\":\"10.1.2.3\"}", Assert.Single(viaClone.Stdout));

        var keys = await Store(["keys", .. common]);
        Assert.Equal(BrokerData.Set(BrokerData.String("existing"), BrokerData.String("k")), BrokerJson.ReadValue(Assert.Single(keys.Stdout)));

        var size = await Store(["size", .. common]);
        Assert.Equal("{\"@data-type\":\"count\",\"data\":2}", Assert.Single(size.Stdout));

        var erase = await Store(["erase", .. common, "\"k\""]);
        Assert.True(erase.ExitCode == 0, erase.ToString());
        Assert.Null(await master.LookupAsync("k"));

        var missing = await Store(["get", .. common, "\"k\""]);
        Assert.Equal(Exit.NotFound, missing.ExitCode);
        Assert.Empty(missing.Stdout);
        Assert.Equal("broker store get: no such key: k", Assert.Single(missing.Stderr));
    }

    [Fact]
    public async Task A_store_without_a_master_is_exit_6_and_bad_arguments_are_usage_errors()
    {
        var (endpoint, port) = await Endpoints.ListeningAsync("no-master");
        await using var _ = endpoint;
        var ghost = Store(["size", "--peer", $"127.0.0.1:{port}", "--store", "ghost", "--timeout", "3s"]);
        var badKey = Store(["get", "--peer", $"127.0.0.1:{port}", "--store", "ghost", "unquoted"]);
        var noKey = Store(["get", "--peer", $"127.0.0.1:{port}", "--store", "ghost"]);

        var r = await ghost;
        Assert.Equal(Exit.NoMaster, r.ExitCode);
        Assert.Contains("no master of store 'ghost'", Assert.Single(r.Stderr));
        var b = await badKey;
        Assert.Equal(Exit.Usage, b.ExitCode);
        Assert.StartsWith("broker store get: KEY: invalid value", Assert.Single(b.Stderr));
        var n = await noKey;
        Assert.Equal(Exit.Usage, n.ExitCode);
        Assert.StartsWith("broker store get: ", Assert.Single(n.Stderr));
    }

    [Fact]
    public async Task A_node_process_hosts_the_master_for_other_processes()
    {
        string dir = Directory.CreateTempSubdirectory("broker-cli-").FullName;
        try
        {
            string file = Path.Combine(dir, "kv.sqlite");
            await using var node = CliProcess.Start("node", "--listen", "127.0.0.1:0", "--master", "mem", "--master", $"disk={file}");
            int port = await node.WaitForListeningPortAsync();
            string peer = $"127.0.0.1:{port}";

            foreach (var store in new[] { "mem", "disk" })
            {
                var put = await Store(["put", "--peer", peer, "--store", store, "42", "[\"a\", 1]", "--expiry", "1h"]);
                Assert.True(put.ExitCode == 0, put.ToString());
                var get = await Store(["get", "--peer", peer, "--store", store, "42"]);
                Assert.True(get.ExitCode == 0, get.ToString());
                Assert.Equal(BrokerData.Vector(BrokerData.String("a"), BrokerData.Count(1)), BrokerJson.ReadValue(Assert.Single(get.Stdout)));
            }

            node.CloseStdin();
            Assert.Equal(0, await node.WaitForExitAsync());
            Assert.True(new FileInfo(file).Length > 0, "the SQLite master wrote its file");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static Task<CliResult> Store(string[] args) => CliProcess.RunAsync(null, ["store", .. args]);
}
