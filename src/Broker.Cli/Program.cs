using System.CommandLine;
using Broker.Cli.Commands;

namespace Broker.Cli;

/// <summary>The <c>broker</c> tool: node, publish, subscribe, store (docs/cli.md).</summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        var root = new RootCommand("broker: talk to Zeek/Broker endpoints (native peering and the JSON API v1)")
        {
            CommonOptions.LogLevel,
            CommonOptions.Verbose,
            NodeCommand.Create(),
            PublishCommand.Create(),
            SubscribeCommand.Create(),
            StoreCommand.Create(),
        };

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // One clear line (the first problem) instead of the library's error list plus full help.
            string command = string.Join(' ', parse.CommandResult.Command == root ? [] : CommandPath(parse.CommandResult));
            Console.Error.WriteLine($"broker{(command.Length > 0 ? " " + command : "")}: {parse.Errors[0].Message.ReplaceLineEndings(" ")} (see --help)");
            return ExitCodes.Usage;
        }

        return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }).ConfigureAwait(false);
    }

    private static IEnumerable<string> CommandPath(System.CommandLine.Parsing.CommandResult result)
    {
        var names = new Stack<string>();
        for (var r = result; r is not null && r.Parent is not null; r = r.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Push(r.Command.Name);
        }

        return names;
    }
}
