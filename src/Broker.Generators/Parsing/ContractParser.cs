using System;
using System.Collections.Generic;
using System.Threading;
using Broker.Generators.Common;
using Broker.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Broker.Generators.Parsing;

/// <summary>Turns a <c>[BrokerEvents]</c> interface (and the interfaces it inherits) into a <see cref="ContractModel"/>.</summary>
internal static class ContractParser
{
    public static ParseResult<ContractModel> Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var symbol = (INamedTypeSymbol)context.TargetSymbol;
        try
        {
            return new ParseResult<ContractModel>(Build(symbol, context.Attributes[0], cancellationToken), null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            string reason = ex is GenerationException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}";
            return new ParseResult<ContractModel>(null, new GeneratorFailure(TypeMapper.MetadataName(symbol), reason, Hierarchy.Location(symbol)));
        }
    }

    private static ContractModel Build(INamedTypeSymbol contract, AttributeData attribute, CancellationToken cancellationToken)
    {
        var hierarchy = Hierarchy.From(contract);
        string prefix = attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is string p
            ? p
            : throw new GenerationException("[BrokerEvents] needs a constant topic prefix");

        var events = new List<EventModel>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var prefixes = new List<string> { prefix };
        bool hidesBase = false;

        var interfaces = new List<INamedTypeSymbol> { contract };
        interfaces.AddRange(contract.AllInterfaces);
        foreach (var declaring in interfaces)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string declaringPrefix = prefix;
            if (!SymbolEqualityComparer.Default.Equals(declaring, contract)
                && TypeMapper.GetAttribute(declaring, KnownNames.BrokerEventsAttribute) is { } baseAttribute
                && baseAttribute.ConstructorArguments.Length == 1 && baseAttribute.ConstructorArguments[0].Value is string bp)
            {
                declaringPrefix = bp;
                prefixes.Add(bp);
                hidesBase = true;
            }

            foreach (var member in declaring.GetMembers())
            {
                if (member.IsStatic || !member.IsAbstract)
                {
                    continue; // Static members and default implementations need nothing generated.
                }

                if (member is not IMethodSymbol { MethodKind: MethodKind.Ordinary } method)
                {
                    if (member is IMethodSymbol)
                    {
                        continue; // Accessors are reported through their property or event.
                    }

                    throw new GenerationException($"'{declaring.Name}.{member.Name}' is not a method; event contracts may only declare [BrokerEvent] methods");
                }

                var model = ParseEvent(method, declaring, declaringPrefix);
                if (!names.Add(model.EventName))
                {
                    throw new GenerationException($"the event name '{model.EventName}' is declared twice");
                }

                events.Add(model);
                if (model.Topic != declaringPrefix + model.EventName)
                {
                    prefixes.Add(model.Topic);
                }
            }
        }

        return new ContractModel(hierarchy, prefix, events.ToEquatableArray(), MinimalPrefixes(prefixes).ToEquatableArray(), hidesBase);
    }

    private static EventModel ParseEvent(IMethodSymbol method, INamedTypeSymbol declaring, string prefix)
    {
        string where = $"'{declaring.Name}.{method.Name}'";
        var attribute = TypeMapper.GetAttribute(method, KnownNames.BrokerEventAttribute)
            ?? throw new GenerationException($"{where} has no [BrokerEvent] attribute");
        if (attribute.ConstructorArguments.Length != 1 || attribute.ConstructorArguments[0].Value is not string eventName || eventName.Length == 0)
        {
            throw new GenerationException($"{where} needs a constant, non-empty event name");
        }

        bool autoPublish = false;
        string? topic = null;
        foreach (var named in attribute.NamedArguments)
        {
            if (named.Key == "AutoPublish" && named.Value.Value is bool b)
            {
                autoPublish = b;
            }
            else if (named.Key == "Topic" && named.Value.Value is string t)
            {
                topic = t;
            }
        }

        if (method.IsGenericMethod)
        {
            throw new GenerationException($"{where} is generic; events cannot be generic");
        }

        var returns = method.ReturnsVoid
            ? ReturnKind.Void
            : TypeMapper.MetadataName(method.ReturnType) switch
            {
                "System.Threading.Tasks.Task" => ReturnKind.Task,
                "System.Threading.Tasks.ValueTask" => ReturnKind.ValueTask,
                _ => throw new GenerationException($"{where} returns '{method.ReturnType.ToDisplayString()}'; events return void, Task or ValueTask"),
            };

        var parameters = new List<MemberModel>();
        foreach (var parameter in method.Parameters)
        {
            if (parameter.RefKind != RefKind.None)
            {
                throw new GenerationException($"parameter '{parameter.Name}' of {where} is passed by reference; event arguments are passed by value");
            }

            parameters.Add(new MemberModel(parameter.Name, TypeMapper.Map(parameter.Type, $"Parameter '{parameter.Name}' of {where}")));
        }

        return new EventModel(TypeMapper.FullName(declaring), method.Name, eventName, topic ?? prefix + eventName, autoPublish, returns, parameters.ToEquatableArray());
    }

    /// <summary>Sorted, distinct prefixes with every prefix covered by a shorter one removed (so no message arrives twice).</summary>
    internal static List<string> MinimalPrefixes(List<string> prefixes)
    {
        prefixes.Sort(StringComparer.Ordinal);
        var result = new List<string>();
        foreach (string candidate in prefixes)
        {
            bool covered = false;
            foreach (string kept in result)
            {
                if (candidate.StartsWith(kept, StringComparison.Ordinal))
                {
                    covered = true;
                    break;
                }
            }

            if (!covered)
            {
                result.Add(candidate);
            }
        }

        return result;
    }
}
