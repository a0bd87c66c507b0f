using System.CommandLine;
using Broker.Cli.Values;
using Broker.Data;
using Broker.Errors;
using Broker.Stores;

namespace Broker.Cli.Commands;

/// <summary><c>broker store get|put|erase|keys|size</c>: one operation on a remote master through a frontend or clone.</summary>
internal static class StoreCommand
{
    private enum Via
    {
        Frontend,
        Clone,
    }

    public static Command Create()
    {
        var store = new Command("store", "Run one data-store operation against a remote master");
        store.Add(Operation("get", "Print the value of KEY (exit 3 when missing)", key: true, value: false,
            async (s, key, _, _, ct) => (BrokerData?)await s.LookupAsync(key, ct).ConfigureAwait(false) ?? throw new CliException(ExitCodes.NotFound, $"no such key: {key}")));
        store.Add(Operation("put", "Store VALUE under KEY", key: true, value: true,
            async (s, key, value, expiry, ct) =>
            {
                await s.PutAsync(key, value, expiry, ct).ConfigureAwait(false);
                return null;
            }));
        store.Add(Operation("erase", "Remove KEY (no error when missing)", key: true, value: false,
            async (s, key, _, _, ct) =>
            {
                await s.EraseAsync(key, ct).ConfigureAwait(false);
                return null;
            }));
        store.Add(Operation("keys", "Print all keys (a set)", key: false, value: false,
            async (s, _, _, _, ct) => await s.KeysAsync(ct).ConfigureAwait(false)));
        store.Add(Operation("size", "Print the number of entries (a count)", key: false, value: false,
            async (s, _, _, _, ct) => BrokerData.Count(await s.SizeAsync(ct).ConfigureAwait(false))));
        return store;
    }

    private static Command Operation(string name, string description, bool key, bool value,
        Func<DataStore, BrokerData, BrokerData, StoreExpiry?, CancellationToken, Task<BrokerData?>> run)
    {
        var peer = CommonOptions.Peer("The node hosting (or reaching) the store's master");
        var storeName = new Option<string>("--store", "-s") { Description = "The store name", Required = true, HelpName = "name" };
        var timeout = CommonOptions.Timeout("Overall deadline: peering, finding the master and the answer (default 5s)");
        var via = new Option<Via>("--via")
        {
            Description = "Reach the master through a frontend (default; no local data) or a clone (full replica, then a local read)",
            DefaultValueFactory = _ => Via.Frontend,
            HelpName = "frontend|clone",
        };
        var brokerFormat = CommonOptions.BrokerFormat();
        var command = new Command(name, description) { peer, storeName, timeout, via, brokerFormat };
        var keyArg = new Argument<string>("KEY") { Description = "The key (value syntax, e.g. '\"name\"' or 42)" };
        var valueArg = new Argument<string>("VALUE") { Description = "The value (value syntax)" };
        var expiry = new Option<TimeSpan?>("--expiry")
        {
            Description = "Expire the entry this long after the write",
            HelpName = "duration",
            CustomParser = r => CommonOptions.ParseDuration(r),
        };
        if (key)
        {
            command.Add(keyArg);
        }

        if (value)
        {
            command.Add(valueArg);
            command.Add(expiry);
        }

        CommandRunner.SetBody(command, "store " + name, async (ctx, ct) =>
        {
            var p = ctx.Parse;
            var k = key ? ParseArgument("KEY", p.GetRequiredValue(keyArg)) : default;
            var v = value ? ParseArgument("VALUE", p.GetRequiredValue(valueArg)) : default;
            StoreExpiry? e = value && p.GetValue(expiry) is { } after ? StoreExpiry.After(after) : null;
            var result = await RunAsync(ctx, p.GetRequiredValue(peer), p.GetRequiredValue(storeName), p.GetValue(timeout), p.GetValue(via),
                (s, token) => run(s, k, v, e, token), ct).ConfigureAwait(false);
            if (result is { } r)
            {
                ctx.Output.Value(r);
            }

            return ExitCodes.Ok;
        }, brokerFormat);
        return command;
    }

    private static BrokerData ParseArgument(string what, string text)
    {
        try
        {
            return ValueSyntax.Parse(text).Data;
        }
        catch (FormatException ex)
        {
            throw new CliException(ExitCodes.Usage, $"{what}: {ex.Message}");
        }
    }

    private static async Task<BrokerData?> RunAsync(CommandContext ctx, HostPort peer, string name, TimeSpan? timeout, Via via,
        Func<DataStore, CancellationToken, Task<BrokerData?>> operation, CancellationToken ct)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(5);
        var started = TimeProvider.System.GetTimestamp();
        using var deadline = Peering.Deadline(limit);
        using var both = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, ct);
        await using var endpoint = new BrokerEndpoint(new BrokerEndpointOptions { Name = $"broker-store-{Environment.ProcessId}", LoggerFactory = ctx.Loggers });
        await Peering.ConnectAsync(endpoint, peer, limit, deadline.Token, ct).ConfigureAwait(false);
        TimeSpan Remaining() => limit - TimeProvider.System.GetElapsedTime(started) is var r && r > TimeSpan.Zero ? r : TimeSpan.FromMilliseconds(1);

        StoreException? noMaster = null;
        try
        {
            if (via == Via.Clone)
            {
                await using var clone = await endpoint.AttachCloneAsync(name,
                    new CloneOptions { AttachTimeout = Remaining(), DefaultTimeout = Remaining() }, both.Token).ConfigureAwait(false);
                return await operation(clone, both.Token).ConfigureAwait(false);
            }

            await using var frontend = endpoint.AttachFrontend(name, new StoreOptions { DefaultTimeout = Remaining() });
            while (true)
            {
                try
                {
                    return await operation(frontend, both.Token).ConfigureAwait(false);
                }
                catch (StoreException ex) when (ex.Code == BrokerErrorCode.NoSuchMaster && !both.IsCancellationRequested)
                {
                    noMaster = ex;
                    // The master's topic may reach us in a routing update just after the handshake: look again
                    // until the deadline rather than failing on the first glance.
                    await Task.Delay(TimeSpan.FromMilliseconds(50), both.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested && noMaster is not null)
        {
            throw new CliException(ExitCodes.NoMaster, $"no master of store '{name}' is reachable through {peer} (waited {Durations.Format(limit)})", noMaster);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new CliException(ExitCodes.Timeout, $"timed out after {Durations.Format(limit)}: no answer from a master of store '{name}'");
        }
    }
}
