using System.Collections.Immutable;
using System.Composition;
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
    /// Fixes BRK0004 when the obvious fix exists: the enclosing method or lambda has exactly one CancellationToken
    /// parameter, so the query passes it (replacing a <c>default</c>/<c>CancellationToken.None</c> argument, or adding a
    /// named <c>cancellationToken:</c> argument).
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(StoreQueryTokenCodeFixProvider)), Shared]
    public sealed class StoreQueryTokenCodeFixProvider : CodeFixProvider
    {
        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.StoreQueryWithoutTimeout);

        /// <inheritdoc />
        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        /// <inheritdoc />
        public override Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            foreach (Diagnostic diagnostic in context.Diagnostics)
            {
                if (diagnostic.Properties.TryGetValue(FixProperties.TokenName, out string? token) && token is not null)
                {
                    context.RegisterCodeFix(
                        CodeAction.Create(
                            "Pass '" + token + "'",
                            ct => PassTokenAsync(context.Document, diagnostic.Location, token, ct),
                            equivalenceKey: DiagnosticIds.StoreQueryWithoutTimeout),
                        diagnostic);
                }
            }

            return Task.CompletedTask;
        }

        private static async Task<Document> PassTokenAsync(Document document, Location location, string token, CancellationToken cancellationToken)
        {
            SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
            SemanticModel? model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
            if (root?.FindNode(location.SourceSpan, getInnermostNodeForTie: true) is not InvocationExpressionSyntax invocation
                || model?.GetSymbolInfo(invocation, cancellationToken).Symbol is not IMethodSymbol method)
            {
                return document;
            }

            INamedTypeSymbol? tokenType = model.Compilation.GetTypeByMetadataName("System.Threading.CancellationToken");
            IParameterSymbol? parameter = null;
            foreach (IParameterSymbol candidate in method.Parameters)
            {
                if (SymbolEqualityComparer.Default.Equals(candidate.Type, tokenType))
                {
                    parameter = candidate;
                    break;
                }
            }

            if (parameter is null)
            {
                return document;
            }

            ExpressionSyntax tokenExpression = SyntaxFactory.IdentifierName(token);
            ArgumentListSyntax arguments = invocation.ArgumentList;

            // Replace an explicit "no token" argument in place (positional or named).
            for (int i = 0; i < arguments.Arguments.Count; i++)
            {
                ArgumentSyntax argument = arguments.Arguments[i];
                bool isTokenArgument = argument.NameColon is not null
                    ? argument.NameColon.Name.Identifier.ValueText == parameter.Name
                    : i == parameter.Ordinal && !method.Parameters[i].IsParams;
                if (isTokenArgument)
                {
                    ArgumentSyntax replaced = argument.WithExpression(tokenExpression.WithTriviaFrom(argument.Expression));
                    return document.WithSyntaxRoot(root.ReplaceNode(argument, replaced));
                }
            }

            // Omitted: positional when every earlier parameter is given positionally, otherwise named.
            bool positional = arguments.Arguments.Count == parameter.Ordinal;
            foreach (ArgumentSyntax argument in arguments.Arguments)
            {
                positional &= argument.NameColon is null;
            }

            ArgumentSyntax added = positional
                ? SyntaxFactory.Argument(tokenExpression)
                : SyntaxFactory.Argument(SyntaxFactory.NameColon(parameter.Name), default, tokenExpression);
            return document.WithSyntaxRoot(root.ReplaceNode(arguments, arguments.AddArguments(added)));
        }
    }
}
