namespace Broker.Generators.Tests.TestSupport;

/// <summary>Representative contract sources shared by snapshot, incrementality and failure tests.</summary>
internal static class Contracts
{
    public const string Demo = """
        using Broker;

        namespace Demo;

        [BrokerEvents("bro/event/")]
        public partial interface IDemoEvents
        {
            [BrokerEvent("my_event")]
            void MyEvent(string msg, ulong c);

            [BrokerEvent("my_auto_event", AutoPublish = true)]
            void MyAutoEvent(string msg, ulong c);
        }

        [LogStream("Test::LOG", Path = "test")]
        public partial record TestInfo(string Msg, ulong Num);
        """;

    /// <summary>
    /// The integration tests' contract (tests/Broker.Generators.IntegrationTests/Contracts/AllTypesContract.cs,
    /// embedded at build time): the snapshots show the code those tests run over a real connection.
    /// </summary>
    public static readonly string AllTypes = Embedded("Contracts/AllTypesContract.cs");

    public const string BaseContract = """
        using Broker;

        namespace Inheritance;

        [BrokerEvents("zeek/base/")]
        public partial interface IBaseEvents
        {
            [BrokerEvent("ping")]
            void Ping(ulong seq);
        }
        """;

    public const string DerivedContract = """
        using Broker;

        namespace Inheritance;

        public partial class Outer
        {
            [BrokerEvents("zeek/derived/")]
            public partial interface IDerivedEvents : IBaseEvents
            {
                [BrokerEvent("pong", Topic = "zeek/replies/pong")]
                void Pong(ulong seq, string @from);
            }
        }
        """;

    public const string GlobalRecord = """
        using Broker;

        [LogStream("Conn::LOG", Path = "conn", TopicPrefix = "zeek/logs/")]
        public partial record struct ConnRecord(string Uid, ulong? Bytes);
        """;

    public const string MessagePackBlob = """
        using System.Collections.Generic;
        using Broker;
        using MessagePack;

        namespace Blobs;

        [MessagePackObject]
        public sealed class Telemetry
        {
            [Key(0)] public string Sensor { get; set; } = "";
            [Key(1)] public Dictionary<string, double[]> Series { get; set; } = new();
        }

        [MessagePackObject]
        public struct Sample
        {
            [Key(0)] public long At;
        }

        // [BrokerRecord] wins over [MessagePackObject]: native Broker data stays readable by Zeek.
        [BrokerRecord, MessagePackObject]
        public partial record Both([property: Key(0)] string Name);

        [BrokerRecord]
        public partial record Envelope(string Kind, Telemetry Body, Sample? Extra);

        [BrokerEvents("dotnet/blobs/")]
        public partial interface IBlobEvents
        {
            [BrokerEvent("telemetry")]
            void Telemetry(Telemetry data, Telemetry? maybe, Sample sample, Sample? maybeSample);

            [BrokerEvent("batch")]
            void Batch(List<Telemetry> items, Envelope envelope, Both both);
        }
        """;

    private static string Embedded(string name)
    {
        using var stream = typeof(Contracts).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded contract {name} is missing (see Broker.Generators.Tests.csproj)");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
