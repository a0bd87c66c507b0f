// One rulebook for topics, compiled by link into Broker.Sdk (runtime validation) and
// Broker.Analyzers (compile-time diagnostics), so the two can never disagree.
// netstandard2.0-compatible on purpose: no spans in the signatures, no newer BCL APIs.
#nullable enable
namespace Broker.Topics
{
    /// <summary>What is wrong with a topic string, as judged by <see cref="TopicRules"/>.</summary>
#if BROKER_SHARED_INTERNAL
    internal
#else
    public
#endif
    enum TopicProblem
    {
        /// <summary>The topic is acceptable.</summary>
        None = 0,
        /// <summary>The topic is empty (allowed only as the match-everything subscription prefix).</summary>
        Empty,
        /// <summary>The topic contains white space or a control character.</summary>
        WhiteSpace,
        /// <summary>The topic contains an empty component (<c>//</c>).</summary>
        EmptyComponent,
        /// <summary>The topic contains Broker's reserved marker <c>&lt;$&gt;</c>.</summary>
        Reserved,
        /// <summary>The topic is longer than the 65,535 bytes the wire format can carry.</summary>
        TooLong,
        /// <summary>A full topic ends with the separator, so it reads like a prefix. Advisory: see <see cref="TopicRules.CheckLayout"/>.</summary>
        TrailingSeparator,
    }

    /// <summary>
    /// Broker's topic rules. Matching is a raw string prefix (<c>a/b</c> matches <c>a/bc</c>), exactly
    /// as Broker's <c>topic::is_prefix</c>; the separator <c>/</c> carries no meaning for matching.
    /// </summary>
#if BROKER_SHARED_INTERNAL
    internal
#else
    public
#endif
    static class TopicRules
    {
        /// <summary>The conventional component separator.</summary>
        public const char Separator = '/';

        /// <summary>Broker's reserved marker; it must not appear in a user topic.</summary>
        public const string ReservedMarker = "<$>";

        /// <summary>The largest topic the native wire format can carry (a u16 length), in UTF-8 bytes.</summary>
        public const int MaxTopicBytes = 65535;

        /// <summary>Prefix of Broker's endpoint-local topics, which are never forwarded to peers.</summary>
        public const string LocalTopicPrefix = "<$>/local/";

        /// <summary>Checks a topic a message is published on.</summary>
        /// <param name="topic">The topic.</param>
        /// <returns><see cref="TopicProblem.None"/> when the topic may be published on.</returns>
        public static TopicProblem CheckPublishTopic(string? topic)
        {
            if (topic is null || topic.Length == 0)
            {
                return TopicProblem.Empty;
            }

            return CheckCommon(topic);
        }

        /// <summary>
        /// Checks a subscription prefix. The empty prefix is allowed and matches everything. Broker's endpoint-local
        /// topics (<see cref="LocalTopicPrefix"/>..., e.g. <c>&lt;$&gt;/local/data/statuses</c>) may be subscribed to
        /// (they are never advertised); every other use of the reserved marker is rejected.
        /// </summary>
        /// <param name="prefix">The prefix.</param>
        /// <returns><see cref="TopicProblem.None"/> when the prefix may be subscribed to.</returns>
        public static TopicProblem CheckSubscriptionPrefix(string? prefix)
        {
            if (prefix is null)
            {
                return TopicProblem.Empty;
            }

            if (prefix.StartsWith(LocalTopicPrefix, System.StringComparison.Ordinal))
            {
                string rest = prefix.Substring(LocalTopicPrefix.Length);
                return rest.Length == 0 ? TopicProblem.None : CheckCommon(rest);
            }

            return prefix.Length == 0 ? TopicProblem.None : CheckCommon(prefix);
        }

        /// <summary>
        /// True when <paramref name="prefix"/> does not end at a component boundary, so it also matches sibling
        /// topics (<c>bro/event</c> matches <c>bro/events</c>). Such prefixes are legal but often a mistake.
        /// </summary>
        /// <param name="prefix">The subscription prefix.</param>
        /// <returns>True when the prefix ends inside a component.</returns>
        public static bool EndsInsideComponent(string prefix)
        {
            return prefix.Length > 0 && prefix[prefix.Length - 1] != Separator;
        }

        /// <summary>
        /// Advisory layout check on top of the validity checks: a full topic that ends with <c>/</c> is a prefix where
        /// a topic was meant. Broker accepts it, so the runtime does not reject it; the analyzers report it. (A leading
        /// <c>/</c> is Broker's own convention, <c>/foo/bar</c>, and is not reported.)
        /// </summary>
        /// <param name="topic">A topic or prefix that already passed the validity checks.</param>
        /// <param name="isPrefix">True for a subscription or contract prefix, where a trailing separator is intended.</param>
        /// <returns><see cref="TopicProblem.None"/> or <see cref="TopicProblem.TrailingSeparator"/>.</returns>
        public static TopicProblem CheckLayout(string topic, bool isPrefix)
        {
            return !isPrefix && topic.Length > 0 && topic[topic.Length - 1] == Separator
                ? TopicProblem.TrailingSeparator
                : TopicProblem.None;
        }

        /// <summary>Broker's matching rule: a raw ordinal string prefix test.</summary>
        /// <param name="prefix">The subscription prefix.</param>
        /// <param name="topic">The message topic.</param>
        /// <returns>True when <paramref name="topic"/> starts with <paramref name="prefix"/>.</returns>
        public static bool Matches(string prefix, string topic)
        {
            return topic.StartsWith(prefix, System.StringComparison.Ordinal);
        }

        /// <summary>True for Broker's internal topics (anything containing the reserved marker).</summary>
        /// <param name="topic">The topic.</param>
        /// <returns>True when the topic is internal.</returns>
        public static bool IsInternal(string topic)
        {
            return topic.IndexOf(ReservedMarker, System.StringComparison.Ordinal) >= 0;
        }

        /// <summary>A human-readable explanation of a problem, used by exceptions and diagnostics alike.</summary>
        /// <param name="problem">The problem.</param>
        /// <returns>The explanation.</returns>
        public static string Describe(TopicProblem problem)
        {
            switch (problem)
            {
                case TopicProblem.None: return "the topic is valid";
                case TopicProblem.Empty: return "a topic must not be empty";
                case TopicProblem.WhiteSpace: return "a topic must not contain white space or control characters";
                case TopicProblem.EmptyComponent: return "a topic must not contain an empty component ('//')";
                case TopicProblem.Reserved: return "a topic must not contain Broker's reserved marker '<$>'";
                case TopicProblem.TooLong: return "a topic must not be longer than 65535 UTF-8 bytes";
                case TopicProblem.TrailingSeparator: return "a published topic must not end with '/' (that is a prefix)";
                default: return "the topic is invalid";
            }
        }

        private static TopicProblem CheckCommon(string topic)
        {
            // UTF-8 length is at most 3 bytes per UTF-16 char: only count precisely when it could matter.
            if (topic.Length > MaxTopicBytes / 3 && System.Text.Encoding.UTF8.GetByteCount(topic) > MaxTopicBytes)
            {
                return TopicProblem.TooLong;
            }

            char previous = '\0';
            for (int i = 0; i < topic.Length; i++)
            {
                char c = topic[i];
                if (char.IsWhiteSpace(c) || char.IsControl(c))
                {
                    return TopicProblem.WhiteSpace;
                }

                if (c == Separator && previous == Separator)
                {
                    return TopicProblem.EmptyComponent;
                }

                previous = c;
            }

            return topic.IndexOf(ReservedMarker, System.StringComparison.Ordinal) >= 0
                ? TopicProblem.Reserved
                : TopicProblem.None;
        }
    }
}
