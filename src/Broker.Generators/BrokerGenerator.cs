using System;
using Broker.Generators.Common;
using Broker.Generators.Emitting;
using Broker.Generators.Model;
using Broker.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace Broker.Generators;

/// <summary>
/// Generates typed Broker code: for each <c>[BrokerEvents]</c> interface its contract description, dispatch table and
/// publisher/auto-publisher proxy; for each <c>[LogStream]</c> or <c>[BrokerRecord]</c> type its converters (and log
/// writer/subscription). This file only wires the pipeline: parsing is in Parsing/, emitting in Emitting/.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class BrokerGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var contracts = context.SyntaxProvider.ForAttributeWithMetadataName(
                KnownNames.BrokerEventsAttribute,
                static (node, _) => node is InterfaceDeclarationSyntax,
                ContractParser.Parse)
            .WithTrackingName(TrackingNames.Contracts);

        var contractModels = contracts
            .Select(static (r, _) => r.Model)
            .Where(static m => m is not null)
            .WithTrackingName(TrackingNames.ContractModels);
        context.RegisterSourceOutput(contractModels, static (spc, model) =>
            Emit(spc, model!.Type.FullName, () => (ContractEmitter.HintName(model), ContractEmitter.Emit(model))));
        context.RegisterSourceOutput(
            contracts.Select(static (r, _) => r.Failure).Where(static f => f is not null).WithTrackingName(TrackingNames.ContractErrors),
            static (spc, failure) => Report(spc, failure!));

        var logStreams = context.SyntaxProvider.ForAttributeWithMetadataName(
                KnownNames.LogStreamAttribute,
                static (node, _) => node is TypeDeclarationSyntax,
                RecordParser.ParseLogStream)
            .WithTrackingName(TrackingNames.LogStreams);
        var records = context.SyntaxProvider.ForAttributeWithMetadataName(
                KnownNames.BrokerRecordAttribute,
                static (node, _) => node is TypeDeclarationSyntax,
                RecordParser.ParseRecord)
            .Where(static r => r is not null)
            .Select(static (r, _) => r!)
            .WithTrackingName(TrackingNames.Records);

        foreach (var source in new[] { logStreams, records })
        {
            context.RegisterSourceOutput(
                source.Select(static (r, _) => r!.Model).Where(static m => m is not null).WithTrackingName(TrackingNames.RecordModels),
                static (spc, model) => Emit(spc, model!.Type.FullName, () => (RecordEmitter.HintName(model), RecordEmitter.Emit(model))));
            context.RegisterSourceOutput(
                source.Select(static (r, _) => r!.Failure).Where(static f => f is not null).WithTrackingName(TrackingNames.RecordErrors),
                static (spc, failure) => Report(spc, failure!));
        }
    }

    // One contract's emit failure is reported and skipped; the other contracts' files are unaffected.
    private static void Emit(SourceProductionContext context, string contract, Func<(string Hint, string Source)> emit)
    {
        (string Hint, string Source) output;
        try
        {
            output = emit();
        }
        catch (Exception ex)
        {
            Report(context, new GeneratorFailure(contract, $"{ex.GetType().Name}: {ex.Message}", null));
            return;
        }

        context.AddSource(output.Hint, SourceText.From(output.Source, System.Text.Encoding.UTF8));
    }

    private static void Report(SourceProductionContext context, GeneratorFailure failure)
    {
        var location = failure.Location is { } l ? Location.Create(l.FilePath, l.Span, l.LineSpan) : Location.None;
        context.ReportDiagnostic(Diagnostic.Create(Descriptors.GeneratorFailed, location, failure.Contract, failure.Reason));
    }
}
