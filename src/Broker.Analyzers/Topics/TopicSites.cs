using System.Collections.Concurrent;
using System.Collections.Generic;
using Broker.Analyzers.Common;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Broker.Analyzers.Topics
{
    /// <summary>What a topic string is used for at one site.</summary>
    internal enum TopicRole
    {
        /// <summary>A full topic a message is published on (<c>[TopicParameter(TopicUsage.Publish)]</c>).</summary>
        Publish,
        /// <summary>A subscription prefix (<c>[TopicParameter(TopicUsage.SubscribePrefix)]</c>).</summary>
        SubscribePrefix,
        /// <summary>A contract's prefix (<c>[BrokerEvents(prefix)]</c>, <c>[LogStream(TopicPrefix=)]</c>): published under and subscribed to.</summary>
        ContractPrefix,
        /// <summary>An event's explicit topic (<c>[BrokerEvent(Topic=)]</c>): published on and subscribed to.</summary>
        EventTopic,
    }

    /// <summary>One place where a topic value flows into the SDK.</summary>
    internal readonly struct TopicSite
    {
        public TopicSite(TopicRole role, IOperation value, SyntaxNode reportNode)
        {
            Role = role;
            Value = value;
            ReportNode = reportNode;
        }

        public TopicRole Role { get; }

        /// <summary>The operation producing the topic string.</summary>
        public IOperation Value { get; }

        /// <summary>Where a diagnostic about this site goes (the argument's expression).</summary>
        public SyntaxNode ReportNode { get; }

        public bool IsPrefix => Role == TopicRole.SubscribePrefix || Role == TopicRole.ContractPrefix;
    }

    /// <summary>
    /// Finds topic sites through the operation API: arguments bound to parameters marked <c>[TopicParameter]</c>
    /// (no method-name matching) and the topic-bearing arguments of the SDK's contract attributes. One instance per
    /// compilation; the per-method answer is cached so an invocation costs one dictionary lookup.
    /// </summary>
    internal sealed class TopicSiteFinder
    {
        /// <summary>Mirrors the default of <c>LogStreamAttribute.TopicPrefix</c> (the seed's log topic prefix).</summary>
        public const string DefaultLogTopicPrefix = "bro/log/";

        private static readonly TopicRole?[] NoTopics = new TopicRole?[0];

        private readonly KnownSymbols symbols;
        private readonly ConcurrentDictionary<IMethodSymbol, TopicRole?[]> methods =
            new ConcurrentDictionary<IMethodSymbol, TopicRole?[]>(SymbolEqualityComparer.Default);

        // Created once: a method-group argument would allocate a delegate on every invocation analyzed.
        private readonly System.Func<IMethodSymbol, TopicRole?[]> classify;

        public TopicSiteFinder(KnownSymbols symbols)
        {
            this.symbols = symbols;
            classify = Classify;
        }

        /// <summary>Adds the topic arguments of an invocation or object creation to <paramref name="sites"/>.</summary>
        public void AddArgumentSites(IMethodSymbol? method, System.Collections.Immutable.ImmutableArray<IArgumentOperation> arguments, ref List<TopicSite>? sites)
        {
            if (method is null || arguments.IsDefaultOrEmpty)
            {
                return;
            }

            TopicRole?[] roles = methods.GetOrAdd(method.OriginalDefinition, classify);
            if (roles.Length == 0)
            {
                return;
            }

            foreach (IArgumentOperation argument in arguments)
            {
                if (argument.ArgumentKind != ArgumentKind.Explicit || argument.Parameter is null)
                {
                    continue; // defaults are the SDK's business; params arrays carry no topics
                }

                int ordinal = argument.Parameter.Ordinal;
                if (ordinal < roles.Length && roles[ordinal] is TopicRole role)
                {
                    (sites ??= new List<TopicSite>()).Add(new TopicSite(role, argument.Value, argument.Value.Syntax));
                }
            }
        }

        /// <summary>Adds the topic arguments of one of the SDK's contract attributes.</summary>
        public void AddAttributeSites(IAttributeOperation attribute, ref List<TopicSite>? sites)
        {
            if (attribute.Operation is not IObjectCreationOperation creation || creation.Constructor is null)
            {
                return;
            }

            INamedTypeSymbol type = creation.Constructor.ContainingType;
            if (SymbolEqualityComparer.Default.Equals(type, symbols.BrokerEventsAttribute))
            {
                foreach (IArgumentOperation argument in creation.Arguments)
                {
                    if (argument.ArgumentKind == ArgumentKind.Explicit && argument.Parameter?.Type.SpecialType == SpecialType.System_String)
                    {
                        (sites ??= new List<TopicSite>()).Add(new TopicSite(TopicRole.ContractPrefix, argument.Value, argument.Value.Syntax));
                    }
                }
            }
            else if (SymbolEqualityComparer.Default.Equals(type, symbols.BrokerEventAttribute))
            {
                AddNamed(creation, "Topic", TopicRole.EventTopic, ref sites);
            }
            else if (SymbolEqualityComparer.Default.Equals(type, symbols.LogStreamAttribute))
            {
                AddNamed(creation, "TopicPrefix", TopicRole.ContractPrefix, ref sites);
            }
        }

        /// <summary>True when the attribute is <c>[LogStream]</c> without an explicit <c>TopicPrefix</c> (it listens on the default).</summary>
        public bool IsLogStreamWithDefaultPrefix(IAttributeOperation attribute)
        {
            if (attribute.Operation is not IObjectCreationOperation creation
                || !SymbolEqualityComparer.Default.Equals(creation.Constructor?.ContainingType, symbols.LogStreamAttribute))
            {
                return false;
            }

            return FindNamed(creation, "TopicPrefix") is null;
        }

        private static void AddNamed(IObjectCreationOperation creation, string property, TopicRole role, ref List<TopicSite>? sites)
        {
            ISimpleAssignmentOperation? assignment = FindNamed(creation, property);
            if (assignment is not null)
            {
                (sites ??= new List<TopicSite>()).Add(new TopicSite(role, assignment.Value, assignment.Value.Syntax));
            }
        }

        private static ISimpleAssignmentOperation? FindNamed(IObjectCreationOperation creation, string property)
        {
            if (creation.Initializer is null)
            {
                return null;
            }

            foreach (IOperation initializer in creation.Initializer.Initializers)
            {
                if (initializer is ISimpleAssignmentOperation assignment
                    && assignment.Target is IPropertyReferenceOperation target
                    && target.Property.Name == property)
                {
                    return assignment;
                }
            }

            return null;
        }

        private TopicRole?[] Classify(IMethodSymbol method)
        {
            TopicRole?[]? roles = null;
            System.Collections.Immutable.ImmutableArray<IParameterSymbol> parameters = method.Parameters;
            for (int i = 0; i < parameters.Length; i++)
            {
                AttributeData? marker = KnownSymbols.Find(parameters[i], symbols.TopicParameterAttribute);
                if (marker is null)
                {
                    continue;
                }

                // TopicUsage: 0 = Publish, 1 = SubscribePrefix (Broker.TopicUsage in the SDK).
                object? usage = marker.ConstructorArguments.Length == 1 ? marker.ConstructorArguments[0].Value : null;
                roles ??= new TopicRole?[parameters.Length];
                roles[i] = usage is int value && value == 1 ? TopicRole.SubscribePrefix : TopicRole.Publish;
            }

            return roles ?? NoTopics;
        }
    }
}
