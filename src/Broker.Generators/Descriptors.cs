using Microsoft.CodeAnalysis;

namespace Broker.Generators;

/// <summary>The generator's only diagnostic; every other check belongs to Broker.Analyzers.</summary>
internal static class Descriptors
{
    public const string GeneratorFailedId = "BRK9999";

    public static readonly DiagnosticDescriptor GeneratorFailed = new(
        GeneratorFailedId,
        title: "Broker.Sdk could not generate code for a contract",
        messageFormat: "Broker.Sdk could not generate code for '{0}': {1}",
        category: "Broker.Generators",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The source generator skipped this contract; other contracts are still generated.",
        helpLinkUri: "https://github.com/broker-sdk/broker-sdk/blob/main/docs/diagnostics/BRK9999.md");
}
