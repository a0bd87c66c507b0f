using System.Text.RegularExpressions;

namespace Broker.Samples.Tests;

/// <summary>What one sample pair prints: the facts both the tests and <c>samples/README.md</c> state.</summary>
/// <param name="Sample">The sample project (folder under <c>samples/</c>).</param>
/// <param name="Listener">The listener's stdout, line by line, in order.</param>
/// <param name="Connector">The connector's stdout, line by line, in order.</param>
public sealed record SamplePair(string Sample, string[] Listener, string[] Connector);

/// <summary>
/// The expected output of every seed script pair. The peer names are the other side's <c>BrokerEndpointOptions.Name</c>
/// (every sample names its endpoints "listener" and "connector"), learned through the SDK's name exchange
/// (docs/peering.md, "Peer names"). <see cref="Port"/> stands for the port given with <c>--port</c> (9999 in the README).
/// </summary>
public static class ExpectedOutput
{
    public const string Port = "<port>";

    private const string Incoming = "Broker::incoming_connection_established, connector";
    private const string Outgoing = "Broker::outgoing_connection_established, 127.0.0.1, " + Port + "/tcp, listener";

    public static readonly SamplePair Connecting = new(
        "Connecting",
        [Incoming, "Broker::incoming_connection_broken, connector"],
        [Outgoing]);

    public static readonly SamplePair Printing = new(
        "Printing",
        [Incoming, "got print message, hello", "got print message, ...", "got print message, goodbye"],
        [Outgoing]);

    public static readonly SamplePair Events = new(
        "Events",
        [
            Incoming,
            "got my_event, hi, 0",
            "got my_auto_event, stuff, 88",
            "got my_event, ..., 1",
            "got my_auto_event, more stuff, 51",
            "got my_event, bye, 2",
        ],
        [Outgoing]);

    public static readonly SamplePair Logs = new(
        "Logs",
        [
            Incoming,
            "wrote log, [msg=ping, num=0]",
            "wrote log, [msg=ping, num=1]",
            "wrote log, [msg=ping, num=2]",
            "wrote log, [msg=ping, num=3]",
            "wrote log, [msg=ping, num=4]",
            "wrote log, [msg=ping, num=5]",
        ],
        [Outgoing]);

    // The seed's store scripts print no connection events.
    public static readonly SamplePair Stores = new(
        "Stores",
        [
            "clone keys, [myset, myvec, one, two]",
            "lookup, myset, {a, c, d}",
            "lookup, myvec, [delta, alpha, beta, gamma, omega]",
            "lookup, one, 111",
            "lookup, two, 222",
        ],
        ["master size, 4"]);

    public static readonly IReadOnlyDictionary<string, SamplePair> Pairs =
        new[] { Connecting, Printing, Events, Logs, Stores }.ToDictionary(p => p.Sample);

    /// <summary>The line as the README shows it (default port 9999).</summary>
    public static string ForReadme(string line) => line.Replace(Port, "9999", StringComparison.Ordinal);

    /// <summary>Whether <paramref name="actual"/> is <paramref name="expected"/> with its placeholders filled in.</summary>
    public static bool Matches(string expected, string actual, int port)
    {
        var pattern = Regex.Escape(expected.Replace(Port, port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        return Regex.IsMatch(actual, "^" + pattern + "$");
    }
}
