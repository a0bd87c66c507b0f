using System.Collections.Immutable;
using System.Composition;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Broker.Analyzers.Common;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Broker.Analyzers.CodeFixes
{
    /// <summary>
    /// Fixes BRK0002 (append '/') and BRK0003 (use the near match) by rewriting the string literal, const field
    /// initializer or interpolated-string text the analyzer pointed at. The analyzer computes the new text; this
    /// provider only applies it, so the fix and the diagnostic cannot disagree.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(TopicLiteralCodeFixProvider)), Shared]
    public sealed class TopicLiteralCodeFixProvider : CodeFixProvider
    {
        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds { get; } =
            ImmutableArray.Create(DiagnosticIds.PrefixMatchesSiblings, DiagnosticIds.LikelyTopicTypo);

        /// <inheritdoc />
        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        /// <inheritdoc />
        public override Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            foreach (Diagnostic diagnostic in context.Diagnostics)
            {
                if (diagnostic.AdditionalLocations.Count == 0
                    || !diagnostic.Properties.TryGetValue(FixProperties.Replacement, out string? replacement)
                    || replacement is null)
                {
                    continue;
                }

                Location target = diagnostic.AdditionalLocations[0];
                Document? document = context.Document.Project.Solution.GetDocument(target.SourceTree);
                if (document is null)
                {
                    continue;
                }

                string title = diagnostic.Id == DiagnosticIds.PrefixMatchesSiblings
                    ? "End the prefix with '/'"
                    : "Use the subscribed topic \"" + replacement + "\"";
                context.RegisterCodeFix(
                    CodeAction.Create(
                        title,
                        ct => ReplaceAsync(document, target, replacement, ct),
                        equivalenceKey: diagnostic.Id),
                    diagnostic);
            }

            return Task.CompletedTask;
        }

        private static async Task<Solution> ReplaceAsync(Document document, Location target, string replacement, CancellationToken cancellationToken)
        {
            SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
            SyntaxNode? node = root?.FindNode(target.SourceSpan, getInnermostNodeForTie: true);
            if (root is null || node is null)
            {
                return document.Project.Solution;
            }

            SyntaxNode newRoot;
            if (node is LiteralExpressionSyntax literal)
            {
                newRoot = root.ReplaceNode(literal, literal.WithToken(SyntaxFactory.Literal(replacement).WithTriviaFrom(literal.Token)));
            }
            else if (node is InterpolatedStringTextSyntax text)
            {
                SyntaxToken token = SyntaxFactory.Token(
                    text.TextToken.LeadingTrivia,
                    SyntaxKind.InterpolatedStringTextToken,
                    EscapeInterpolatedText(replacement),
                    replacement,
                    text.TextToken.TrailingTrivia);
                newRoot = root.ReplaceNode(text, text.WithTextToken(token));
            }
            else
            {
                return document.Project.Solution;
            }

            return document.WithSyntaxRoot(newRoot).Project.Solution;
        }

        // Text of a regular $"..." string: escape what would otherwise end the string or open a hole.
        private static string EscapeInterpolatedText(string value)
        {
            var text = new StringBuilder(value.Length + 4);
            foreach (char c in value)
            {
                switch (c)
                {
                    case '{': text.Append("{{"); break;
                    case '}': text.Append("}}"); break;
                    case '\\': text.Append("\\\\"); break;
                    case '"': text.Append("\\\""); break;
                    default: text.Append(c); break;
                }
            }

            return text.ToString();
        }
    }
}
