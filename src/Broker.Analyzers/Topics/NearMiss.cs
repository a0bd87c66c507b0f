using System;
using System.Collections.Generic;
using Broker.Topics;

namespace Broker.Analyzers.Topics
{
    /// <summary>
    /// Finds the subscribed prefix a published topic most likely meant. Only whole leading components are compared
    /// ("bro/evnt" against "bro/event", never "ping" against "pong" inside a component), with an edit distance of at
    /// most 1 (2 for prefixes of 10+ characters), so unrelated topics are not flagged.
    /// </summary>
    internal static class NearMiss
    {
        /// <summary>A likely intended prefix.</summary>
        internal readonly struct Match
        {
            public Match(string listener, string fixedHead, int replacedLength, int distance)
            {
                Listener = listener;
                FixedHead = fixedHead;
                ReplacedLength = replacedLength;
                Distance = distance;
            }

            /// <summary>The subscribed prefix the topic nearly matches.</summary>
            public string Listener { get; }

            /// <summary>The listener's components that replace the topic's first <see cref="ReplacedLength"/> characters.</summary>
            public string FixedHead { get; }

            /// <summary>How many leading characters of the topic are replaced by <see cref="FixedHead"/>.</summary>
            public int ReplacedLength { get; }

            /// <summary>The edit distance.</summary>
            public int Distance { get; }
        }

        /// <summary>The best near match of <paramref name="head"/> (a topic or its known beginning) among <paramref name="listeners"/>.</summary>
        public static Match? Find(string head, IReadOnlyList<string> listeners)
        {
            Match? best = null;
            foreach (string listener in listeners)
            {
                string stem = listener.Length > 0 && listener[listener.Length - 1] == TopicRules.Separator
                    ? listener.Substring(0, listener.Length - 1)
                    : listener;
                if (stem.Length < 3)
                {
                    continue; // too short to call anything a typo of it
                }

                int maxDistance = stem.Length < 10 ? 1 : 2;
                for (int k = head.IndexOf(TopicRules.Separator); k >= 0; k = head.IndexOf(TopicRules.Separator, k + 1))
                {
                    if (k < stem.Length - maxDistance)
                    {
                        continue;
                    }

                    if (k > stem.Length + maxDistance)
                    {
                        break;
                    }

                    int distance = Distance(head, k, stem, maxDistance);
                    if (distance == 0 || distance > maxDistance)
                    {
                        continue;
                    }

                    if (best is null || IsBetter(distance, listener, best.Value))
                    {
                        best = new Match(listener, stem, k, distance);
                    }
                }
            }

            return best;
        }

        private static bool IsBetter(int distance, string listener, Match current)
        {
            if (distance != current.Distance)
            {
                return distance < current.Distance;
            }

            if (listener.Length != current.Listener.Length)
            {
                return listener.Length > current.Listener.Length;
            }

            return string.CompareOrdinal(listener, current.Listener) < 0;
        }

        /// <summary>
        /// Optimal-string-alignment distance between <c>a[0..aLength)</c> and <paramref name="b"/>; returns
        /// <c>bound + 1</c> as soon as the distance must exceed <paramref name="bound"/>.
        /// </summary>
        internal static int Distance(string a, int aLength, string b, int bound)
        {
            if (Math.Abs(aLength - b.Length) > bound)
            {
                return bound + 1;
            }

            int columns = b.Length + 1;
            int[] previous2 = new int[columns];
            int[] previous = new int[columns];
            int[] current = new int[columns];
            for (int j = 0; j < columns; j++)
            {
                previous[j] = j;
            }

            for (int i = 1; i <= aLength; i++)
            {
                current[0] = i;
                int rowMinimum = i;
                for (int j = 1; j < columns; j++)
                {
                    int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                    int value = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
                    if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    {
                        value = Math.Min(value, previous2[j - 2] + 1); // transposition
                    }

                    current[j] = value;
                    rowMinimum = Math.Min(rowMinimum, value);
                }

                if (rowMinimum > bound)
                {
                    return bound + 1;
                }

                int[] recycled = previous2;
                previous2 = previous;
                previous = current;
                current = recycled;
            }

            return previous[b.Length];
        }
    }
}
