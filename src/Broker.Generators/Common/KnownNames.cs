namespace Broker.Generators.Common;

/// <summary>Metadata names the generator looks for and the runtime names it emits.</summary>
internal static class KnownNames
{
    public const string BrokerEventsAttribute = "Broker.BrokerEventsAttribute";
    public const string BrokerEventAttribute = "Broker.BrokerEventAttribute";
    public const string LogStreamAttribute = "Broker.LogStreamAttribute";
    public const string BrokerRecordAttribute = "Broker.BrokerRecordAttribute";

    public const string Convert = "global::Broker.Typed.BrokerConvert";
    public const string Data = "global::Broker.Data.BrokerData";
    public const string Endpoint = "global::Broker.BrokerEndpoint";
    public const string Publisher = "global::Broker.IBrokerPublisher";
    public const string Reader = "global::Broker.Serialization.BrokerReader";
    public const string Writer = "global::Broker.Serialization.BrokerWriter";
    public const string ZeekEvent = "global::Broker.Zeek.ZeekEvent";
    public const string ImmutableArray = "global::System.Collections.Immutable.ImmutableArray";
    public const string Typed = "global::Broker.Typed";
}
