namespace Broker.Analyzers
{
    /// <summary>
    /// Every BRK diagnostic id, in one place. Ids are stable forever: never renumber, never reuse a retired id.
    /// Each has a page at <c>docs/diagnostics/BRKnnnn.md</c> and a line in the analyzer release files.
    /// </summary>
    public static class DiagnosticIds
    {
        /// <summary>A topic or prefix constant is malformed (empty, white space, <c>//</c>, <c>&lt;$&gt;</c>, misplaced <c>/</c>).</summary>
        public const string MalformedTopic = "BRK0001";

        /// <summary>A subscription prefix does not end at a <c>/</c>, so it also matches sibling topics.</summary>
        public const string PrefixMatchesSiblings = "BRK0002";

        /// <summary>A published topic nothing in the compilation listens on, but a near miss of one that does.</summary>
        public const string LikelyTopicTypo = "BRK0003";

        /// <summary>A store query is made with no cancellation token and no timeout.</summary>
        public const string StoreQueryWithoutTimeout = "BRK0004";

        /// <summary>An event contract parameter or return type the generator cannot map.</summary>
        public const string UnmappableEventType = "BRK0005";

        /// <summary>Two events with the same name under one topic prefix.</summary>
        public const string DuplicateEventName = "BRK0006";

        /// <summary>A <c>[BrokerEvent]</c> method outside a <c>[BrokerEvents]</c> interface.</summary>
        public const string EventOutsideContract = "BRK0007";

        /// <summary>Reserved for the source generator's "generator failed" diagnostic (owned by Broker.Generators).</summary>
        public const string GeneratorFailed = "BRK9999";
    }
}
