using System.CommandLine;
using Broker.Topics;

namespace Broker.Cli.Commands;

/// <summary><c>broker subscribe</c>: prints the messages a peer sends for a prefix, then exits after N or a timeout.</summary>
internal static class SubscribeCommand
{
    public static Command Create()
    {
        var peer = CommonOptions.Peer("The node to subscribe at");
        var prefix = new Option<string[]>("--prefix", "-p")
        {
            Description = "Topic prefix to receive (repeatable; raw string prefix: /a also matches /ab)",
            Required = true,
            HelpName = "prefix",
            AllowMultipleArgumentsPerToken = false,
        };
        var count = new Option<int?>("--count", "-n") { Description = "Exit after this many messages", HelpName = "N" };
        var timeout = CommonOptions.Timeout("Exit after this long (peering included); with --count, reaching it first is a timeout (exit 4)");
        var brokerFormat = CommonOptions.BrokerFormat();
        var command = new Command("subscribe", "Print messages received for a topic prefix as JSON lines") { peer, prefix, count, timeout, brokerFormat };
        command.Validators.Add(r =>
        {
            foreach (var p in r.GetValue(prefix) ?? [])
            {
                if (TopicRules.CheckSubscriptionPrefix(p) is var problem && problem != TopicProblem.None)
                {
                    r.AddError($"invalid --prefix '{p}': {TopicRules.Describe(problem)}");
                }
            }

            if (r.GetValue(count) is < 1)
            {
                r.AddError("--count must be at least 1");
            }
        });
        CommandRunner.SetBody(command, "subscribe",
            (ctx, ct) => RunAsync(ctx, ctx.Parse.GetRequiredValue(peer), ctx.Parse.GetRequiredValue(prefix), ctx.Parse.GetValue(count), ctx.Parse.GetValue(timeout), ct),
            brokerFormat);
        return command;
    }

    private static async Task<int> RunAsync(CommandContext ctx, HostPort peer, string[] prefixes, int? count, TimeSpan? timeout, CancellationToken ct)
    {
        using var deadline = Peering.Deadline(timeout);
        await using var endpoint = new BrokerEndpoint(new BrokerEndpointOptions { Name = $"broker-subscribe-{Environment.ProcessId}", LoggerFactory = ctx.Loggers });

        // Subscribe before peering so the handshake already carries our filter: nothing sent after it is missed.
        var subscriptions = new List<BrokerSubscription>(prefixes.Length);
        foreach (var p in Prefixes.Minimise(prefixes))
        {
            subscriptions.Add(endpoint.Subscribe(p));
        }

        await using var events = endpoint.SubscribeEvents();
        var info = await Peering.ConnectAsync(endpoint, peer, timeout, deadline.Token, ct).ConfigureAwait(false);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, ct);
        var merged = System.Threading.Channels.Channel.CreateUnbounded<BrokerMessage>();
        var pumps = subscriptions.Select(s => PumpAsync(s, merged.Writer, stop.Token)).ToArray();
        var lost = WatchPeerAsync(events, info, stop.Token);

        int received = 0;
        try
        {
            while (count is null || received < count)
            {
                var next = merged.Reader.ReadAsync(stop.Token).AsTask();
                if (await Task.WhenAny(next, lost).ConfigureAwait(false) == lost)
                {
                    // Print what already arrived before reporting the loss.
                    while (merged.Reader.TryRead(out var m) && (count is null || received < count))
                    {
                        ctx.Output.Message(m.Topic, m.Data);
                        received++;
                    }

                    if (count is null || received < count)
                    {
                        ctx.Error($"lost the peering with {peer} after {received} messages");
                        return ExitCodes.Error;
                    }

                    break;
                }

                var message = await next.ConfigureAwait(false);
                ctx.Output.Message(message.Topic, message.Data);
                received++;
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            if (count is { } n)
            {
                ctx.Error($"timed out after {Durations.Format(timeout!.Value)} with {received} of {n} messages");
                return ExitCodes.Timeout;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Ctrl-C / SIGTERM: a normal way to end an open-ended subscription.
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(pumps).ConfigureAwait(false);
            foreach (var s in subscriptions)
            {
                await s.DisposeAsync().ConfigureAwait(false);
            }
        }

        return ExitCodes.Ok;
    }

    private static async Task PumpAsync(BrokerSubscription subscription, System.Threading.Channels.ChannelWriter<BrokerMessage> target, CancellationToken ct)
    {
        try
        {
            await foreach (var message in subscription.WithCancellation(ct).ConfigureAwait(false))
            {
                await target.WriteAsync(message, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    // Completes when the peering we depend on goes away (the one-shot peering is not re-established).
    private static async Task WatchPeerAsync(EventSubscription events, PeerInfo peer, CancellationToken ct)
    {
        try
        {
            await foreach (var e in events.WithCancellation(ct).ConfigureAwait(false))
            {
                if (e is StatusEvent { Code: StatusCode.PeerLost or StatusCode.PeerRemoved } s && s.Peer?.Id == peer.Id)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        // Cancelled or the endpoint closed: never complete, the caller's own token reports the reason.
        await new TaskCompletionSource().Task.ConfigureAwait(false);
    }
}
