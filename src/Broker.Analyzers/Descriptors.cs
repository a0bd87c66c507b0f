using Microsoft.CodeAnalysis;

namespace Broker.Analyzers
{
    /// <summary>The descriptor of every BRK diagnostic. Titles and messages are written for the person reading them in an IDE.</summary>
    public static class Descriptors
    {
        /// <summary>Where the per-id pages live; <c>{id}.md</c> is appended. One place to change when the repository moves.</summary>
        public const string HelpLinkBase = "https://github.com/broker-sdk/broker-sdk/blob/main/docs/diagnostics/";

        internal const string Usage = "Usage";
        internal const string Reliability = "Reliability";
        internal const string Performance = "Performance";

        /// <summary>BRK0001: malformed topic constant.</summary>
        public static readonly DiagnosticDescriptor MalformedTopic = Create(
            DiagnosticIds.MalformedTopic,
            "Malformed topic",
            "Topic \"{0}\" is malformed: {1}",
            Usage,
            DiagnosticSeverity.Error,
            "Broker rejects or silently misroutes such topics. Topics are relative, '/'-separated names without white space, empty components or the reserved marker '<$>'.");

        /// <summary>BRK0002: a subscription prefix that does not end at a separator.</summary>
        public static readonly DiagnosticDescriptor PrefixMatchesSiblings = Create(
            DiagnosticIds.PrefixMatchesSiblings,
            "Prefix also matches sibling topics",
            "Prefix \"{0}\" does not end with '/', so it also matches the sibling topic \"{1}\"; use \"{0}/\" to match only its own sub-topics",
            Usage,
            DiagnosticSeverity.Info,
            "Broker matches subscriptions by raw string prefix: 'bro/event' matches 'bro/events/x' too. Reported when the compilation names such a sibling.",
            WellKnownDiagnosticTags.CompilationEnd);

        /// <summary>BRK0003: a published topic that nothing listens on but is a near miss of one that does.</summary>
        public static readonly DiagnosticDescriptor LikelyTopicTypo = Create(
            DiagnosticIds.LikelyTopicTypo,
            "Published topic matches no subscription (likely typo)",
            "Nothing in this compilation subscribes to \"{0}\", but \"{1}\" is subscribed; did you mean \"{2}\"?",
            Usage,
            DiagnosticSeverity.Warning,
            "The topic matches no subscription prefix, event contract or log stream in the compilation and is within a small edit distance of one that does, so the message is most likely published where nobody listens.",
            WellKnownDiagnosticTags.CompilationEnd);

        /// <summary>BRK0004: a store query with no cancellation token and no timeout.</summary>
        public static readonly DiagnosticDescriptor StoreQueryWithoutTimeout = Create(
            DiagnosticIds.StoreQueryWithoutTimeout,
            "Store query without cancellation or timeout",
            "Store query '{0}' is made without a cancellation token or timeout; a lost master makes it wait forever",
            Reliability,
            DiagnosticSeverity.Warning,
            "Every store query needs a bound: the handle's DefaultTimeout (unless attached with an infinite one), a CancellationToken (for example from a CancellationTokenSource with a timeout), or WaitAsync(timeout) on the returned task.");

        /// <summary>BRK0005: an event contract type the generator cannot map.</summary>
        public static readonly DiagnosticDescriptor UnmappableEventType = Create(
            DiagnosticIds.UnmappableEventType,
            "Event contract type cannot be mapped to Broker data",
            "{0} of event '{1}' has type '{2}', which cannot be mapped to Broker data{3}",
            Usage,
            DiagnosticSeverity.Error,
            "Event parameters must map to Broker data (numbers, bool, string, address, subnet, port, timestamp, timespan, enums, sets, tables, vectors, records, nullables, BrokerData) and event methods return void, Task or ValueTask.");

        /// <summary>BRK0006: two events with one name under one prefix.</summary>
        public static readonly DiagnosticDescriptor DuplicateEventName = Create(
            DiagnosticIds.DuplicateEventName,
            "Duplicate event name under one prefix",
            "Event \"{0}\" is declared more than once under prefix \"{1}\" (also at {2}); incoming events could not be routed",
            Usage,
            DiagnosticSeverity.Error,
            "A Zeek event is identified by its name on its topic: two declarations under the same prefix make dispatch ambiguous.",
            WellKnownDiagnosticTags.CompilationEnd);

        /// <summary>BRK0007: an event declared outside an event contract.</summary>
        public static readonly DiagnosticDescriptor EventOutsideContract = Create(
            DiagnosticIds.EventOutsideContract,
            "[BrokerEvent] outside a [BrokerEvents] interface",
            "'{0}' is marked [BrokerEvent] but '{1}' is not an interface marked [BrokerEvents]; no proxy or handler is generated for it",
            Usage,
            DiagnosticSeverity.Warning,
            "The generator only reads [BrokerEvent] methods declared on interfaces marked [BrokerEvents(prefix)].");

        private static DiagnosticDescriptor Create(
            string id, string title, string message, string category, DiagnosticSeverity severity, string description, params string[] tags)
        {
            return new DiagnosticDescriptor(
                id, title, message, category, severity, isEnabledByDefault: true, description, HelpLinkBase + id + ".md", tags);
        }
    }
}
