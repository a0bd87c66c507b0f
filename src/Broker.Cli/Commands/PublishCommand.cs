using System.CommandLine;
using Broker.Cli.Values;
using Broker.Topics;

namespace Broker.Cli.Commands;

/// <summary><c>broker publish</c>: values from stdin, one per line, published to a peer.</summary>
internal static class PublishCommand
{
    public static Command Create()
    {
        var peer = CommonOptions.Peer("The node to publish to");
        var topic = new Option<string?>("--topic", "-t")
        {
            Description = "Topic for every line; without it each line must be a data message with a \"topic\" (as node/subscribe print)",
            HelpName = "topic",
        };
        var timeout = CommonOptions.Timeout("How long to wait for the peering (default 10s)");
        var command = new Command("publish", "Publish values read from stdin (one per line: JSON v1 value object or short form) and exit when stdin ends")
        {
            peer, topic, timeout,
        };
        command.Validators.Add(r =>
        {
            if (r.GetValue(topic) is { } t && TopicRules.CheckPublishTopic(t) is var problem && problem != TopicProblem.None)
            {
                r.AddError($"invalid --topic '{t}': {TopicRules.Describe(problem)}");
            }
        });
        CommandRunner.SetBody(command, "publish", (ctx, ct) => RunAsync(ctx, ctx.Parse.GetRequiredValue(peer), ctx.Parse.GetValue(topic), ctx.Parse.GetValue(timeout) ?? TimeSpan.FromSeconds(10), ct));
        return command;
    }

    private static async Task<int> RunAsync(CommandContext ctx, HostPort peer, string? topic, TimeSpan? timeout, CancellationToken ct)
    {
        await using var endpoint = new BrokerEndpoint(new BrokerEndpointOptions { Name = $"broker-publish-{Environment.ProcessId}", LoggerFactory = ctx.Loggers });
        await using var events = endpoint.SubscribeEvents();
        using (var deadline = Peering.Deadline(timeout))
        {
            await Peering.ConnectAsync(endpoint, peer, timeout, deadline.Token, ct).ConfigureAwait(false);
        }

        int lineNumber = 0, published = 0, rejected = 0;
        var stdin = Console.In;
        while (!ct.IsCancellationRequested)
        {
            string? line;
            try
            {
                line = await stdin.ReadLineAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            if (line is null)
            {
                break;
            }

            lineNumber++;
            if (line.AsSpan().Trim().IsEmpty || line.AsSpan().TrimStart().StartsWith("#"))
            {
                continue;
            }

            try
            {
                var value = ValueSyntax.Parse(line);
                string target = topic ?? value.Topic ?? throw new FormatException("no --topic given and the line has no \"topic\"");
                endpoint.Publish(target, value.Data);
                published++;
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException)
            {
                rejected++;
                ctx.Error($"line {lineNumber}: {ex.Message}");
            }
        }

        // Graceful shutdown flushes what was accepted to the peer before the BYE.
        await endpoint.ShutdownAsync(CancellationToken.None).ConfigureAwait(false);
        bool lost = false;
        while (events.TryReceive(out var e))
        {
            if (e is StatusEvent { Code: StatusCode.PeerLost })
            {
                lost = true;
            }
        }

        if (lost)
        {
            ctx.Error($"lost the peering with {peer}; some of the {published} published values may not have arrived");
            return ExitCodes.Error;
        }

        if (rejected > 0)
        {
            ctx.Error($"published {published} values, rejected {rejected} lines");
            return ExitCodes.Error;
        }

        return ExitCodes.Ok;
    }
}
