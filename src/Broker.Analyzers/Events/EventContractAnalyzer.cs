using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using Broker.Analyzers.Common;
using Broker.Typing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Broker.Analyzers.Events
{
    /// <summary>
    /// Event contracts: BRK0005 (a parameter or return type the generator cannot map, judged by the shared
    /// <see cref="TypeMappingRules"/>), BRK0006 (two events with one name under one prefix, across the whole
    /// compilation) and BRK0007 (a <c>[BrokerEvent]</c> outside a <c>[BrokerEvents]</c> interface).
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class EventContractAnalyzer : DiagnosticAnalyzer
    {
        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
            Descriptors.UnmappableEventType, Descriptors.DuplicateEventName, Descriptors.EventOutsideContract);

        /// <inheritdoc />
        public override void Initialize(AnalysisContext context)
        {
            context.EnableConcurrentExecution();
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.RegisterCompilationStartAction(start =>
            {
                KnownSymbols? symbols = KnownSymbols.TryCreate(start.Compilation);
                if (symbols?.BrokerEventAttribute is null || symbols.BrokerEventsAttribute is null)
                {
                    return;
                }

                var state = new State(symbols);
                start.RegisterSymbolAction(state.AnalyzeMethod, SymbolKind.Method);
                start.RegisterCompilationEndAction(state.ReportDuplicates);
            });
        }

        private sealed class State
        {
            private readonly KnownSymbols symbols;
            private readonly ConcurrentBag<Declared> declared = new ConcurrentBag<Declared>();

            public State(KnownSymbols symbols)
            {
                this.symbols = symbols;
            }

            public void AnalyzeMethod(SymbolAnalysisContext context)
            {
                var method = (IMethodSymbol)context.Symbol;
                AttributeData? eventAttribute = KnownSymbols.Find(method, symbols.BrokerEventAttribute);
                if (eventAttribute is null)
                {
                    return;
                }

                INamedTypeSymbol container = method.ContainingType;
                AttributeData? contract = container.TypeKind == TypeKind.Interface
                    ? KnownSymbols.Find(container, symbols.BrokerEventsAttribute)
                    : null;
                if (contract is null)
                {
                    context.ReportDiagnostic(Diagnostic.Create(
                        Descriptors.EventOutsideContract, AttributeLocation(eventAttribute, method, context), method.Name, container.Name));
                    return;
                }

                string? name = eventAttribute.ConstructorArguments.Length == 1 ? eventAttribute.ConstructorArguments[0].Value as string : null;
                CheckTypes(context, method, name ?? method.Name);

                string? prefix = contract.ConstructorArguments.Length == 1 ? contract.ConstructorArguments[0].Value as string : null;
                string? topic = null;
                foreach (KeyValuePair<string, TypedConstant> named in eventAttribute.NamedArguments)
                {
                    if (named.Key == "Topic")
                    {
                        topic = named.Value.Value as string;
                    }
                }

                string? scope = topic ?? prefix;
                if (name is not null && scope is not null)
                {
                    declared.Add(new Declared(scope, name, AttributeLocation(eventAttribute, method, context)));
                }
            }

            public void ReportDuplicates(CompilationAnalysisContext context)
            {
                var groups = new Dictionary<(string Scope, string Name), List<Declared>>();
                foreach (Declared item in declared)
                {
                    if (!groups.TryGetValue((item.Scope, item.Name), out List<Declared>? list))
                    {
                        groups[(item.Scope, item.Name)] = list = new List<Declared>();
                    }

                    list.Add(item);
                }

                foreach (List<Declared> list in groups.Values)
                {
                    if (list.Count < 2)
                    {
                        continue;
                    }

                    list.Sort(static (a, b) => CompareLocations(a.Location, b.Location));
                    for (int i = 0; i < list.Count; i++)
                    {
                        Declared other = list[i == 0 ? 1 : 0];
                        context.ReportDiagnostic(Diagnostic.Create(
                            Descriptors.DuplicateEventName,
                            list[i].Location,
                            ImmutableArray.Create(other.Location),
                            list[i].Name,
                            list[i].Scope,
                            Describe(other.Location)));
                    }
                }
            }

            private static void CheckTypes(SymbolAnalysisContext context, IMethodSymbol method, string eventName)
            {
                foreach (IParameterSymbol parameter in method.Parameters)
                {
                    string? reason = null;
                    if (parameter.RefKind == RefKind.Ref || parameter.RefKind == RefKind.Out)
                    {
                        reason = " (ref and out parameters cannot be event arguments)";
                    }
                    else if (!TypeMappingRules.IsMappable(parameter.Type, out ITypeSymbol? offending))
                    {
                        reason = offending is not null && !SymbolEqualityComparer.Default.Equals(offending, parameter.Type)
                            ? $" (its part '{offending.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)}' does not map)"
                            : string.Empty;
                    }

                    if (reason is not null && parameter.Type.TypeKind != TypeKind.Error)
                    {
                        Location location = parameter.DeclaringSyntaxReferences.Length > 0
                            && parameter.DeclaringSyntaxReferences[0].GetSyntax(context.CancellationToken) is ParameterSyntax { Type: { } typeSyntax }
                            ? typeSyntax.GetLocation()
                            : parameter.Locations[0];
                        context.ReportDiagnostic(Diagnostic.Create(
                            Descriptors.UnmappableEventType,
                            location,
                            "Parameter '" + parameter.Name + "'",
                            eventName,
                            parameter.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat),
                            reason));
                    }
                }

                if (!TypeMappingRules.IsEventReturnType(method.ReturnType) && method.ReturnType.TypeKind != TypeKind.Error)
                {
                    Location location = method.DeclaringSyntaxReferences.Length > 0
                        && method.DeclaringSyntaxReferences[0].GetSyntax(context.CancellationToken) is MethodDeclarationSyntax declaration
                        ? declaration.ReturnType.GetLocation()
                        : method.Locations[0];
                    context.ReportDiagnostic(Diagnostic.Create(
                        Descriptors.UnmappableEventType,
                        location,
                        "The return type",
                        eventName,
                        method.ReturnType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat),
                        " (event methods return void, Task or ValueTask)"));
                }
            }

            private static Location AttributeLocation(AttributeData attribute, IMethodSymbol method, SymbolAnalysisContext context)
            {
                SyntaxReference? reference = attribute.ApplicationSyntaxReference;
                return reference is not null
                    ? Location.Create(reference.SyntaxTree, reference.Span)
                    : method.Locations[0];
            }

            private static int CompareLocations(Location a, Location b)
            {
                int byFile = string.CompareOrdinal(a.SourceTree?.FilePath, b.SourceTree?.FilePath);
                return byFile != 0 ? byFile : a.SourceSpan.Start.CompareTo(b.SourceSpan.Start);
            }

            private static string Describe(Location location)
            {
                FileLinePositionSpan span = location.GetLineSpan();
                string file = span.Path is { Length: > 0 } path ? System.IO.Path.GetFileName(path) : "source";
                return file + "(" + (span.StartLinePosition.Line + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) + ")";
            }
        }

        private readonly struct Declared
        {
            public Declared(string scope, string name, Location location)
            {
                Scope = scope;
                Name = name;
                Location = location;
            }

            public string Scope { get; }

            public string Name { get; }

            public Location Location { get; }
        }
    }
}
