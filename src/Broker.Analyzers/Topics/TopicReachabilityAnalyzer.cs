using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using Broker.Analyzers.Common;
using Broker.Topics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Broker.Analyzers.Topics
{
    /// <summary>
    /// Which topics reach which subscribers, over the whole compilation (so both rules report at compilation end):
    /// <list type="bullet">
    /// <item>BRK0002: a subscription or contract prefix that does not end at a <c>/</c> while another topic named in
    /// the same file shows it matching a sibling (<c>bro/event</c> next to <c>bro/events/x</c>). Without such evidence
    /// the prefix is taken as meant: exact-topic subscriptions such as the seed's
    /// <c>subscribe_to_events("bro/event/ready")</c> are common, and appending <c>/</c> would break them. Evidence is
    /// looked for in the same file so that unrelated programs in one compilation (test classes) do not count.</item>
    /// <item>BRK0003: a constant published topic that no subscription prefix, event contract or log stream matches,
    /// and that is a near miss of one that does (a likely typo). Silent when any subscription prefix is not known at
    /// compile time (that subscription could match anything).</item>
    /// </list>
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class TopicReachabilityAnalyzer : DiagnosticAnalyzer
    {
        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(Descriptors.PrefixMatchesSiblings, Descriptors.LikelyTopicTypo);

        /// <inheritdoc />
        public override void Initialize(AnalysisContext context)
        {
            context.EnableConcurrentExecution();
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.RegisterCompilationStartAction(start =>
            {
                KnownSymbols? symbols = KnownSymbols.TryCreate(start.Compilation);
                if (symbols is null)
                {
                    return;
                }

                var state = new State(new TopicSiteFinder(symbols));
                start.RegisterOperationAction(state.Collect, OperationKind.Invocation, OperationKind.ObjectCreation, OperationKind.Attribute);
                start.RegisterCompilationEndAction(state.Report);
            });
        }

        private sealed class State
        {
            private readonly TopicSiteFinder finder;
            private readonly ConcurrentBag<string> listeners = new ConcurrentBag<string>();
            private readonly ConcurrentBag<string> partialListenerHeads = new ConcurrentBag<string>();
            private readonly ConcurrentBag<Published> published = new ConcurrentBag<Published>();
            private readonly ConcurrentBag<Published> rawPrefixes = new ConcurrentBag<Published>();
            private readonly ConcurrentBag<(SyntaxTree Tree, string Name)> named = new ConcurrentBag<(SyntaxTree, string)>();
            private int unknownListener;

            public State(TopicSiteFinder finder)
            {
                this.finder = finder;
            }

            public void Collect(OperationAnalysisContext context)
            {
                List<TopicSite>? sites = null;
                switch (context.Operation)
                {
                    case IInvocationOperation invocation:
                        finder.AddArgumentSites(invocation.TargetMethod, invocation.Arguments, ref sites);
                        break;
                    case IObjectCreationOperation creation:
                        finder.AddArgumentSites(creation.Constructor, creation.Arguments, ref sites);
                        break;
                    case IAttributeOperation attribute:
                        finder.AddAttributeSites(attribute, ref sites);
                        if (finder.IsLogStreamWithDefaultPrefix(attribute))
                        {
                            listeners.Add(TopicSiteFinder.DefaultLogTopicPrefix);
                        }

                        break;
                }

                if (sites is null)
                {
                    return;
                }

                foreach (TopicSite site in sites)
                {
                    TopicValue? value = TopicValue.Evaluate(site.Value, context.CancellationToken);
                    if (value is not null && value.Head.Length > 0)
                    {
                        named.Add((site.ReportNode.SyntaxTree, value.Head));
                    }

                    if (site.Role != TopicRole.Publish)
                    {
                        if (value is null || (!value.IsComplete && value.Head.Length == 0))
                        {
                            System.Threading.Interlocked.Exchange(ref unknownListener, 1);
                        }
                        else if (value.IsComplete)
                        {
                            listeners.Add(value.Head);
                            if (site.IsPrefix && TopicRules.EndsInsideComponent(value.Head)
                                && TopicConstantAnalyzer.Check(value, isPrefix: true) == TopicProblem.None)
                            {
                                rawPrefixes.Add(new Published(value, site.ReportNode.GetLocation()));
                            }
                        }
                        else
                        {
                            partialListenerHeads.Add(value.Head);
                        }
                    }
                    else if (value is not null && value.Head.Length > 0
                        && TopicConstantAnalyzer.Check(value, isPrefix: false) == TopicProblem.None
                        && !TopicRules.IsInternal(value.Head))
                    {
                        published.Add(new Published(value, site.ReportNode.GetLocation()));
                    }
                }
            }

            public void Report(CompilationAnalysisContext context)
            {
                // Distinct and ordinally sorted, so results do not depend on analysis order.
                var known = new List<string>(new SortedSet<string>(listeners, StringComparer.Ordinal));
                var partial = new List<string>(partialListenerHeads);
                ReportSiblingMatches(context);
                if (unknownListener != 0 || known.Count == 0)
                {
                    return;
                }

                foreach (Published item in published)
                {
                    context.CancellationToken.ThrowIfCancellationRequested();
                    TopicValue value = item.Value;
                    if (MayBeMatched(value, known, partial))
                    {
                        continue;
                    }

                    NearMiss.Match? match = NearMiss.Find(value.Head, known);
                    if (match is not { } found)
                    {
                        continue;
                    }

                    string suggestion = found.FixedHead + value.Display.Substring(found.ReplacedLength);
                    ImmutableArray<Location> additional = ImmutableArray<Location>.Empty;
                    ImmutableDictionary<string, string?> properties = ImmutableDictionary<string, string?>.Empty;
                    if (value.EditNode is not null && found.ReplacedLength < value.EditLength)
                    {
                        additional = ImmutableArray.Create(value.EditNode.GetLocation());
                        properties = properties.Add(
                            FixProperties.Replacement,
                            found.FixedHead + value.Head.Substring(found.ReplacedLength, value.EditLength - found.ReplacedLength));
                    }

                    context.ReportDiagnostic(Diagnostic.Create(
                        Descriptors.LikelyTopicTypo, item.Location, additional, properties, value.Display, found.Listener, suggestion));
                }
            }

            // BRK0002: a raw prefix with a visible sibling among the topics and prefixes named in its file.
            private void ReportSiblingMatches(CompilationAnalysisContext context)
            {
                if (rawPrefixes.IsEmpty)
                {
                    return;
                }

                var byFile = new Dictionary<SyntaxTree, SortedSet<string>>();
                foreach ((SyntaxTree tree, string name) in named)
                {
                    if (!byFile.TryGetValue(tree, out SortedSet<string>? set))
                    {
                        byFile[tree] = set = new SortedSet<string>(StringComparer.Ordinal);
                    }

                    set.Add(name);
                }

                foreach (Published prefix in rawPrefixes)
                {
                    string head = prefix.Value.Head;
                    string? sibling = null;
                    if (prefix.Location.SourceTree is not { } tree || !byFile.TryGetValue(tree, out SortedSet<string>? names))
                    {
                        continue;
                    }

                    foreach (string name in names.GetViewBetween(head, head + char.MaxValue))
                    {
                        if (name.Length > head.Length && name[head.Length] != TopicRules.Separator && TopicRules.Matches(head, name))
                        {
                            sibling = name;
                            break;
                        }
                    }

                    if (sibling is null)
                    {
                        continue;
                    }

                    ImmutableArray<Location> additional = ImmutableArray<Location>.Empty;
                    ImmutableDictionary<string, string?> properties = ImmutableDictionary<string, string?>.Empty;
                    if (prefix.Value.EditNode is not null && prefix.Value.EditLength == head.Length)
                    {
                        additional = ImmutableArray.Create(prefix.Value.EditNode.GetLocation());
                        properties = properties.Add(FixProperties.Replacement, head + TopicRules.Separator);
                    }

                    context.ReportDiagnostic(Diagnostic.Create(
                        Descriptors.PrefixMatchesSiblings, prefix.Location, additional, properties, head, sibling));
                }
            }

            private static bool MayBeMatched(TopicValue value, List<string> known, List<string> partialHeads)
            {
                string head = value.Head;
                foreach (string listener in known)
                {
                    if (TopicRules.Matches(listener, head) || (!value.IsComplete && TopicRules.Matches(head, listener)))
                    {
                        return true;
                    }
                }

                // A prefix only partly known at compile time may match anything that agrees with its known start.
                foreach (string listenerHead in partialHeads)
                {
                    if (TopicRules.Matches(listenerHead, head) || TopicRules.Matches(head, listenerHead))
                    {
                        return true;
                    }
                }

                return false;
            }
        }

        private readonly struct Published
        {
            public Published(TopicValue value, Location location)
            {
                Value = value;
                Location = location;
            }

            public TopicValue Value { get; }

            public Location Location { get; }
        }
    }
}
