using System.CommandLine;
using Broker.Stores;
using Broker.Topics;

namespace Broker.Cli.Commands;

/// <summary>
/// <c>broker node</c>: a long-running endpoint that prints every received message and every status/error event as
/// JSON lines until Ctrl-C, SIGTERM or the end of stdin.
/// </summary>
internal static class NodeCommand
{
    public static Command Create()
    {
        var listen = new Option<HostPort?>("--listen", "-l")
        {
            Description = "Accept native Broker peers on host:port (port 0 picks a free one; see the 'listening' line)",
            HelpName = "host:port",
            CustomParser = r => CommonOptions.ParseHostPort(r),
        };
        var wsListen = new Option<HostPort?>("--ws-listen")
        {
            Description = "Serve the WebSocket JSON API v1 on host:port (ws://host:port/v1/messages/json)",
            HelpName = "host:port",
            CustomParser = r => CommonOptions.ParseHostPort(r),
        };
        var peers = new Option<HostPort[]>("--peer")
        {
            Description = "Peer with host:port (repeatable); retried every --retry until it answers, re-established when lost",
            HelpName = "host:port",
            CustomParser = r => r.Tokens.Select(t => HostPort.TryParse(t.Value, out var v, out var err) ? v : Fail(r, err!)).ToArray(),
        };
        var subscribe = new Option<string[]>("--subscribe", "-s")
        {
            Description = "Print messages whose topic starts with this prefix (repeatable)",
            HelpName = "prefix",
        };
        var forward = new Option<bool>("--forward")
        {
            Description = "Relay messages between peers (Broker forwarding); the node attracts the topics it subscribes to",
        };
        var masters = new Option<string[]>("--master")
        {
            Description = "Host a store master: NAME (memory) or NAME=PATH (SQLite file); repeatable",
            HelpName = "name[=path]",
        };
        var name = new Option<string?>("--name") { Description = "The endpoint's name (default broker-node-<pid>)", HelpName = "name" };
        var retry = new Option<TimeSpan?>("--retry")
        {
            Description = "Retry interval for --peer (default 1s)",
            HelpName = "duration",
            CustomParser = r => CommonOptions.ParseDuration(r),
        };
        var ignoreStdin = new Option<bool>("--ignore-stdin") { Description = "Keep running when stdin closes (stop with Ctrl-C or SIGTERM only)" };
        var brokerFormat = CommonOptions.BrokerFormat();
        var command = new Command("node", "Run an endpoint that prints received messages and status/error events as JSON lines")
        {
            listen, wsListen, peers, subscribe, forward, masters, name, retry, ignoreStdin, brokerFormat,
        };
        command.Validators.Add(r =>
        {
            foreach (var p in r.GetValue(subscribe) ?? [])
            {
                if (TopicRules.CheckSubscriptionPrefix(p) is var problem && problem != TopicProblem.None)
                {
                    r.AddError($"invalid --subscribe '{p}': {TopicRules.Describe(problem)}");
                }
            }

            foreach (var m in r.GetValue(masters) ?? [])
            {
                if (m.Split('=', 2)[0].Length == 0)
                {
                    r.AddError($"invalid --master '{m}': expected NAME or NAME=PATH");
                }
            }
        });
        CommandRunner.SetBody(command, "node", (ctx, ct) =>
        {
            var p = ctx.Parse;
            var settings = new Settings(p.GetValue(listen), p.GetValue(wsListen), p.GetValue(peers) ?? [], p.GetValue(subscribe) ?? [],
                p.GetValue(forward), p.GetValue(masters) ?? [], p.GetValue(name) ?? $"broker-node-{Environment.ProcessId}",
                p.GetValue(retry) ?? TimeSpan.FromSeconds(1), p.GetValue(ignoreStdin));
            return RunAsync(ctx, settings, ct);
        }, brokerFormat);
        return command;
    }

    private static HostPort Fail(System.CommandLine.Parsing.ArgumentResult r, string error)
    {
        r.AddError(error);
        return default;
    }

    private sealed record Settings(HostPort? Listen, HostPort? WsListen, HostPort[] Peers, string[] Prefixes, bool Forward,
        string[] Masters, string Name, TimeSpan Retry, bool IgnoreStdin);

    private static async Task<int> RunAsync(CommandContext ctx, Settings s, CancellationToken ct)
    {
        await using var endpoint = new BrokerEndpoint(new BrokerEndpointOptions { Name = s.Name, ForwardMessages = s.Forward, LoggerFactory = ctx.Loggers });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var events = endpoint.SubscribeEvents();
        var subscriptions = Prefixes.Minimise(s.Prefixes).Select(prefix => endpoint.Subscribe(prefix)).ToList();
        var printers = new List<Task> { PrintEventsAsync(ctx, events, stop.Token) };
        printers.AddRange(subscriptions.Select(sub => PrintMessagesAsync(ctx, sub, stop.Token)));
        var stores = new List<DataStore>();
        try
        {
            foreach (var m in s.Masters)
            {
                var parts = m.Split('=', 2);
                var backend = parts.Length == 2 ? StoreBackendOptions.Sqlite(parts[1]) : StoreBackendOptions.Memory;
                stores.Add(await endpoint.AttachMasterAsync(parts[0], backend, cancellationToken: ct).ConfigureAwait(false));
            }

            if (s.Listen is { } l)
            {
                var bound = await endpoint.ListenAsync(l.Host, l.Port, ct).ConfigureAwait(false);
                ctx.Output.Listening("native", bound.Address.ToString(), bound.Port, endpoint.Id, endpoint.Name);
            }

            if (s.WsListen is { } w)
            {
                var bound = await endpoint.ListenWebSocketAsync(w.Host, w.Port, cancellationToken: ct).ConfigureAwait(false);
                ctx.Output.Listening("websocket", bound.Address.ToString(), bound.Port, endpoint.Id, endpoint.Name);
            }

            foreach (var peer in s.Peers)
            {
                endpoint.StartPeering(peer.Host, peer.Port, s.Retry);
            }

            if (s.IgnoreStdin)
            {
                await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
            }
            else
            {
                // stdin closing is the portable "stop" for scripts and test harnesses; its content is ignored.
                while (await Console.In.ReadLineAsync(ct).ConfigureAwait(false) is not null)
                {
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Ctrl-C / SIGTERM: a normal stop.
        }
        catch (FormatException ex)
        {
            // The SDK binds IP literals only: "localhost:9999" ends up here.
            throw new CliException(ExitCodes.Usage, $"listen addresses must be IP literals such as 127.0.0.1 or [::]: {ex.Message}", ex);
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync().ConfigureAwait(false);
            }

            await endpoint.ShutdownAsync(CancellationToken.None).ConfigureAwait(false);

            // Print what the shutdown itself produced (peer_removed), then stop the printers.
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(printers).ConfigureAwait(false);
            while (events.TryReceive(out var e) && e is not null)
            {
                ctx.Output.Event(e);
            }

            await events.DisposeAsync().ConfigureAwait(false);
            foreach (var sub in subscriptions)
            {
                await sub.DisposeAsync().ConfigureAwait(false);
            }
        }

        return ExitCodes.Ok;
    }

    private static async Task PrintMessagesAsync(CommandContext ctx, BrokerSubscription subscription, CancellationToken ct)
    {
        try
        {
            await foreach (var m in subscription.WithCancellation(ct).ConfigureAwait(false))
            {
                ctx.Output.Message(m.Topic, m.Data);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task PrintEventsAsync(CommandContext ctx, EventSubscription events, CancellationToken ct)
    {
        try
        {
            await foreach (var e in events.WithCancellation(ct).ConfigureAwait(false))
            {
                ctx.Output.Event(e);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
