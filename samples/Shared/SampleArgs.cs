namespace Broker.Samples;

/// <summary>The seed scripts' two roles.</summary>
public enum SampleMode
{
    /// <summary>The <c>*-listener.bro</c> script: listens and waits for the connector.</summary>
    Listener,

    /// <summary>The <c>*-connector.bro</c> script: connects (retrying every second) to the listener.</summary>
    Connector,
}

/// <summary>Command line of a sample pair: <c>listener|connector [--host H] [--port P]</c> (defaults as the seed: 127.0.0.1, 9999).</summary>
/// <param name="Mode">Which script of the pair to run.</param>
/// <param name="Host">The address to listen on or connect to.</param>
/// <param name="Port">The TCP port (the seed's <c>broker_port</c>).</param>
public sealed record SampleArgs(SampleMode Mode, string Host, int Port)
{
    /// <summary>The seed's <c>const broker_port: port = 9999/tcp</c>.</summary>
    public const int DefaultPort = 9999;

    /// <summary>The seed listens and connects on loopback.</summary>
    public const string DefaultHost = "127.0.0.1";

    /// <summary>Parses the arguments; null (with <paramref name="error"/>) when they are wrong.</summary>
    public static SampleArgs? Parse(string[] args, out string? error)
    {
        error = null;
        SampleMode? mode = null;
        string host = DefaultHost;
        int port = DefaultPort;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "listener" when mode is null:
                    mode = SampleMode.Listener;
                    break;
                case "connector" when mode is null:
                    mode = SampleMode.Connector;
                    break;
                case "--host" when i + 1 < args.Length:
                    host = args[++i];
                    break;
                case "--port" when i + 1 < args.Length:
                    if (!int.TryParse(args[++i], out port) || port is < 1 or > 65535)
                    {
                        error = $"invalid port '{args[i]}'";
                        return null;
                    }

                    break;
                default:
                    error = $"unexpected argument '{args[i]}'";
                    return null;
            }
        }

        if (mode is null)
        {
            error = "missing mode (listener or connector)";
            return null;
        }

        return new SampleArgs(mode.Value, host, port);
    }

    /// <summary>
    /// Runs the role chosen on the command line. Wrong arguments print the usage on stderr and return 2;
    /// a role that completes returns 0 (as the seed scripts end with <c>terminate()</c>).
    /// </summary>
    public static async Task<int> RunAsync(string[] args, string sample, Func<SampleArgs, Task> listener, Func<SampleArgs, Task> connector)
    {
        var parsed = Parse(args, out var error);
        if (parsed is null)
        {
            Console.Error.WriteLine($"{sample}: {error}");
            Console.Error.WriteLine($"usage: {sample} listener|connector [--host {DefaultHost}] [--port {DefaultPort}]");
            return 2;
        }

        await (parsed.Mode == SampleMode.Listener ? listener(parsed) : connector(parsed));
        return 0;
    }
}
