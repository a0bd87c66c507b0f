using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using Broker.Analyzers.Common;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Broker.Analyzers.Stores
{
    /// <summary>
    /// BRK0004: a <c>[StoreQuery]</c> method called with no cancellation token (omitted, <c>default</c>,
    /// <c>CancellationToken.None</c>, <c>new CancellationToken()</c>), whose result is not bounded by
    /// <c>WaitAsync(timeout)</c>, on a handle without a timeout. A query whose master went away would otherwise wait
    /// forever; the seed requires a timeout for every store query.
    /// <para>
    /// SDK store handles (<c>DataStore</c>) time out after <c>StoreOptions.DefaultTimeout</c> (10 s by default), so on
    /// them the rule fires only when the handle is visibly attached with an infinite timeout
    /// (<c>Timeout.InfiniteTimeSpan</c>, <c>TimeSpan.MaxValue</c>, -1 ms) in the same method. Any other
    /// <c>[StoreQuery]</c> method has no handle timeout, so a missing token is enough.
    /// </para>
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class StoreQueryTimeoutAnalyzer : DiagnosticAnalyzer
    {
        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(Descriptors.StoreQueryWithoutTimeout);

        /// <inheritdoc />
        public override void Initialize(AnalysisContext context)
        {
            context.EnableConcurrentExecution();
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.RegisterCompilationStartAction(start =>
            {
                KnownSymbols? symbols = KnownSymbols.TryCreate(start.Compilation);
                if (symbols?.StoreQueryAttribute is null || symbols.CancellationToken is null)
                {
                    return;
                }

                var analyzer = new Analyzer(symbols);
                start.RegisterOperationAction(analyzer.AnalyzeInvocation, OperationKind.Invocation);
            });
        }

        private sealed class Analyzer
        {
            private readonly KnownSymbols symbols;
            private readonly ConcurrentDictionary<IMethodSymbol, bool> queries =
                new ConcurrentDictionary<IMethodSymbol, bool>(SymbolEqualityComparer.Default);

            // Created once: a capturing lambda would allocate on every invocation analyzed.
            private readonly System.Func<IMethodSymbol, bool> isQuery;

            public Analyzer(KnownSymbols symbols)
            {
                this.symbols = symbols;
                isQuery = method => KnownSymbols.Find(method, symbols.StoreQueryAttribute) is not null;
            }

            public void AnalyzeInvocation(OperationAnalysisContext context)
            {
                var invocation = (IInvocationOperation)context.Operation;
                IMethodSymbol method = invocation.TargetMethod.OriginalDefinition;
                if (!queries.GetOrAdd(method, isQuery))
                {
                    return;
                }

                foreach (IArgumentOperation argument in invocation.Arguments)
                {
                    if (SymbolEqualityComparer.Default.Equals(argument.Parameter?.Type, symbols.CancellationToken)
                        && argument.ArgumentKind == ArgumentKind.Explicit
                        && !IsNoToken(argument.Value))
                    {
                        return; // a real token was passed
                    }
                }

                if (IsBoundedByWaitAsync(invocation) || HandleHasTimeout(invocation))
                {
                    return;
                }

                ImmutableDictionary<string, string?> properties = ImmutableDictionary<string, string?>.Empty;
                string? tokenInScope = FindTokenInScope(invocation, context.ContainingSymbol);
                if (tokenInScope is not null && HasTokenParameter(invocation.TargetMethod))
                {
                    properties = properties.Add(FixProperties.TokenName, tokenInScope);
                }

                context.ReportDiagnostic(Diagnostic.Create(
                    Descriptors.StoreQueryWithoutTimeout, invocation.Syntax.GetLocation(), properties, invocation.TargetMethod.Name));
            }

            private bool HasTokenParameter(IMethodSymbol method)
            {
                foreach (IParameterSymbol parameter in method.Parameters)
                {
                    if (SymbolEqualityComparer.Default.Equals(parameter.Type, symbols.CancellationToken))
                    {
                        return true;
                    }
                }

                return false;
            }

            // default, default(CancellationToken), CancellationToken.None, new CancellationToken() / (false).
            private bool IsNoToken(IOperation value)
            {
                while (value is IConversionOperation { IsImplicit: true } conversion)
                {
                    value = conversion.Operand;
                }

                switch (value)
                {
                    case IDefaultValueOperation:
                        return true;
                    case IPropertyReferenceOperation property:
                        return property.Property.IsStatic && property.Property.Name == "None"
                            && SymbolEqualityComparer.Default.Equals(property.Property.ContainingType, symbols.CancellationToken);
                    case IObjectCreationOperation creation:
                        return SymbolEqualityComparer.Default.Equals(creation.Type, symbols.CancellationToken)
                            && (creation.Arguments.Length == 0
                                || (creation.Arguments[0].Value.ConstantValue.HasValue && creation.Arguments[0].Value.ConstantValue.Value is false));
                    default:
                        return false;
                }
            }

            // query(...).AsTask().WaitAsync(timeout) or .WaitAsync(token), possibly through ConfigureAwait/Preserve.
            private bool IsBoundedByWaitAsync(IOperation query)
            {
                IOperation current = query;
                for (int hops = 0; hops < 4; hops++)
                {
                    IOperation? parent = current.Parent;
                    while (parent is IConversionOperation)
                    {
                        current = parent;
                        parent = parent.Parent;
                    }

                    if (parent is not IInvocationOperation next || next.Instance != current)
                    {
                        return false;
                    }

                    INamedTypeSymbol? type = next.TargetMethod.ContainingType?.OriginalDefinition;
                    bool onTask = SymbolEqualityComparer.Default.Equals(type, symbols.Task) || SymbolEqualityComparer.Default.Equals(type, symbols.TaskOfT);
                    bool onValueTask = SymbolEqualityComparer.Default.Equals(type, symbols.ValueTask) || SymbolEqualityComparer.Default.Equals(type, symbols.ValueTaskOfT);
                    if (!onTask && !onValueTask)
                    {
                        return false;
                    }

                    if (onTask && next.TargetMethod.Name == "WaitAsync")
                    {
                        foreach (IArgumentOperation argument in next.Arguments)
                        {
                            ITypeSymbol? parameterType = argument.Parameter?.Type;
                            if (SymbolEqualityComparer.Default.Equals(parameterType, symbols.TimeSpan)
                                || (SymbolEqualityComparer.Default.Equals(parameterType, symbols.CancellationToken)
                                    && argument.ArgumentKind == ArgumentKind.Explicit && !IsNoToken(argument.Value)))
                            {
                                return true;
                            }
                        }

                        return false;
                    }

                    current = next; // AsTask(), Preserve(), ConfigureAwait(...)
                }

                return false;
            }

            // SDK handles carry a timeout unless they were attached with an infinite one; other receivers have none.
            private bool HandleHasTimeout(IInvocationOperation query)
            {
                if (symbols.DataStore is null || query.Instance is null
                    || !SymbolEqualityComparer.Default.Equals(query.Instance.Type, symbols.DataStore))
                {
                    return false;
                }

                return !MayWaitForever(query.Instance, query, depth: 0);
            }

            // Follows the handle back to its attach call (through locals and await) and looks for infinite options.
            private bool MayWaitForever(IOperation value, IOperation context, int depth)
            {
                value = Unwrap(value);
                if (depth > 4)
                {
                    return false;
                }

                switch (value)
                {
                    case IAwaitOperation awaited:
                        return MayWaitForever(awaited.Operation, context, depth + 1);
                    case ILocalReferenceOperation local:
                        foreach (IOperation source in LocalSources(local.Local, context))
                        {
                            if (MayWaitForever(source, context, depth + 1))
                            {
                                return true;
                            }
                        }

                        return false;
                    case IInvocationOperation attach:
                        foreach (IArgumentOperation argument in attach.Arguments)
                        {
                            if (argument.ArgumentKind == ArgumentKind.Explicit && IsStoreOptions(argument.Parameter?.Type)
                                && OptionsAreInfinite(argument.Value, context, depth + 1))
                            {
                                return true;
                            }
                        }

                        return false;
                    default:
                        return false;
                }
            }

            private bool OptionsAreInfinite(IOperation value, IOperation context, int depth)
            {
                value = Unwrap(value);
                if (depth > 6)
                {
                    return false;
                }

                IObjectOrCollectionInitializerOperation? initializer = value switch
                {
                    IObjectCreationOperation creation => creation.Initializer,
                    IWithOperation with => with.Initializer as IObjectOrCollectionInitializerOperation,
                    _ => null,
                };

                if (value is ILocalReferenceOperation local)
                {
                    foreach (IOperation source in LocalSources(local.Local, context))
                    {
                        if (OptionsAreInfinite(source, context, depth + 1))
                        {
                            return true;
                        }
                    }

                    return false;
                }

                if (value is IWithOperation { Operand: { } operand } && OptionsAreInfinite(operand, context, depth + 1))
                {
                    return true;
                }

                if (initializer is null)
                {
                    return false;
                }

                foreach (IOperation member in initializer.Initializers)
                {
                    if (member is ISimpleAssignmentOperation { Target: IPropertyReferenceOperation target } assignment
                        && target.Property.Name == "DefaultTimeout"
                        && IsStoreOptions(target.Property.ContainingType)
                        && IsInfinite(assignment.Value))
                    {
                        return true;
                    }
                }

                return false;
            }

            // Timeout.InfiniteTimeSpan, TimeSpan.MaxValue, TimeSpan.FromMilliseconds(-1).
            private bool IsInfinite(IOperation value)
            {
                value = Unwrap(value);
                switch (value)
                {
                    case IFieldReferenceOperation field:
                        return (field.Field.Name == "InfiniteTimeSpan" && SymbolEqualityComparer.Default.Equals(field.Field.ContainingType, symbols.Timeout))
                            || (field.Field.Name == "MaxValue" && SymbolEqualityComparer.Default.Equals(field.Field.ContainingType, symbols.TimeSpan));
                    case IInvocationOperation call when SymbolEqualityComparer.Default.Equals(call.TargetMethod.ContainingType, symbols.TimeSpan)
                        && call.TargetMethod.Name == "FromMilliseconds" && call.Arguments.Length >= 1:
                        object? constant = Unwrap(call.Arguments[0].Value).ConstantValue.Value;
                        return constant is double d ? d == -1 : constant is long l ? l == -1 : constant is int i && i == -1;
                    default:
                        return false;
                }
            }

            private bool IsStoreOptions(ITypeSymbol? type)
            {
                for (ITypeSymbol? current = type; current is not null; current = current.BaseType)
                {
                    if (SymbolEqualityComparer.Default.Equals(current, symbols.StoreOptions))
                    {
                        return true;
                    }
                }

                return false;
            }

            // Every value a local gets in the enclosing body: its initializer and its simple assignments.
            private static IEnumerable<IOperation> LocalSources(ILocalSymbol local, IOperation context)
            {
                IOperation root = context;
                while (root.Parent is not null)
                {
                    root = root.Parent;
                }

                foreach (IOperation operation in root.Descendants())
                {
                    if (operation is IVariableDeclaratorOperation declarator
                        && SymbolEqualityComparer.Default.Equals(declarator.Symbol, local)
                        && declarator.Initializer is not null)
                    {
                        yield return declarator.Initializer.Value;
                    }
                    else if (operation is ISimpleAssignmentOperation { Target: ILocalReferenceOperation target } assignment
                        && SymbolEqualityComparer.Default.Equals(target.Local, local))
                    {
                        yield return assignment.Value;
                    }
                }
            }

            private static IOperation Unwrap(IOperation value)
            {
                while (value is IConversionOperation { IsImplicit: true } || value is IParenthesizedOperation)
                {
                    value = value is IConversionOperation conversion ? conversion.Operand : ((IParenthesizedOperation)value).Operand;
                }

                return value;
            }

            // The single CancellationToken parameter of the innermost enclosing lambda, local function or member.
            private string? FindTokenInScope(IOperation operation, ISymbol containing)
            {
                for (IOperation? current = operation; current is not null; current = current.Parent)
                {
                    IMethodSymbol? scope = current switch
                    {
                        IAnonymousFunctionOperation lambda => lambda.Symbol,
                        ILocalFunctionOperation local => local.Symbol,
                        _ => null,
                    };

                    if (scope is not null && TryFindToken(scope, out string? name))
                    {
                        return name;
                    }
                }

                return containing is IMethodSymbol member && TryFindToken(member, out string? memberToken) ? memberToken : null;
            }

            // True when the scope has CancellationToken parameters: name is the single one, or null when ambiguous.
            private bool TryFindToken(IMethodSymbol scope, out string? name)
            {
                name = null;
                int count = 0;
                foreach (IParameterSymbol parameter in scope.Parameters)
                {
                    if (SymbolEqualityComparer.Default.Equals(parameter.Type, symbols.CancellationToken))
                    {
                        name = parameter.Name;
                        count++;
                    }
                }

                if (count > 1)
                {
                    name = null;
                }

                return count > 0;
            }
        }
    }
}
