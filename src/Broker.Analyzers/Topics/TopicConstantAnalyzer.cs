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
    /// BRK0001 (malformed topic), for every constant topic that flows into a <c>[TopicParameter]</c> or one of the
    /// SDK's contract attributes. Validity comes from the shared <see cref="TopicRules"/>, so the analyzer and the
    /// runtime agree.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class TopicConstantAnalyzer : DiagnosticAnalyzer
    {
        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(Descriptors.MalformedTopic);

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
                    return; // the SDK is not referenced
                }

                var finder = new TopicSiteFinder(symbols);
                start.RegisterOperationAction(
                    operation =>
                    {
                        List<TopicSite>? sites = null;
                        switch (operation.Operation)
                        {
                            case IInvocationOperation invocation:
                                finder.AddArgumentSites(invocation.TargetMethod, invocation.Arguments, ref sites);
                                break;
                            case IObjectCreationOperation creation:
                                finder.AddArgumentSites(creation.Constructor, creation.Arguments, ref sites);
                                break;
                            case IAttributeOperation attribute:
                                finder.AddAttributeSites(attribute, ref sites);
                                break;
                        }

                        if (sites is not null)
                        {
                            foreach (TopicSite site in sites)
                            {
                                Analyze(operation, site);
                            }
                        }
                    },
                    OperationKind.Invocation,
                    OperationKind.ObjectCreation,
                    OperationKind.Attribute);
            });
        }

        private static void Analyze(OperationAnalysisContext context, TopicSite site)
        {
            TopicValue? value = TopicValue.Evaluate(site.Value, context.CancellationToken);
            if (value is null)
            {
                return;
            }

            TopicProblem problem = Check(value, site.IsPrefix);
            if (problem != TopicProblem.None)
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    Descriptors.MalformedTopic, site.ReportNode.GetLocation(), value.Display, TopicRules.Describe(problem)));
            }
        }

        /// <summary>The first problem of a (possibly partial) topic value.</summary>
        internal static TopicProblem Check(TopicValue value, bool isPrefix)
        {
            if (value.IsComplete)
            {
                TopicProblem problem = isPrefix ? TopicRules.CheckSubscriptionPrefix(value.Head) : TopicRules.CheckPublishTopic(value.Head);
                return problem != TopicProblem.None ? problem : TopicRules.CheckLayout(value.Head, isPrefix);
            }

            List<TopicValue.Piece> pieces = value.Pieces!;
            for (int i = 0; i < pieces.Count; i++)
            {
                string? text = pieces[i].Text;
                if (text is null || text.Length == 0)
                {
                    continue;
                }

                // Each constant piece on its own: white space, '//' and '<$>' are wrong wherever they appear.
                TopicProblem problem = TopicRules.CheckSubscriptionPrefix(text);
                if (problem != TopicProblem.None && problem != TopicProblem.TooLong)
                {
                    return problem;
                }

                if (i == pieces.Count - 1 && !isPrefix && text[text.Length - 1] == TopicRules.Separator)
                {
                    return TopicProblem.TrailingSeparator;
                }
            }

            return TopicProblem.None;
        }
    }
}
