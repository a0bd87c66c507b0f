namespace Broker.Generators.Common;

/// <summary>Names of the pipeline steps, so tests can check each stage's caching.</summary>
internal static class TrackingNames
{
    public const string Contracts = nameof(Contracts);
    public const string ContractModels = nameof(ContractModels);
    public const string ContractErrors = nameof(ContractErrors);
    public const string LogStreams = nameof(LogStreams);
    public const string Records = nameof(Records);
    public const string RecordModels = nameof(RecordModels);
    public const string RecordErrors = nameof(RecordErrors);

    public static readonly string[] All = { Contracts, ContractModels, ContractErrors, LogStreams, Records, RecordModels, RecordErrors };
}
