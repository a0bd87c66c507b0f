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

    public const string AllTypes = """
        using System;
        using System.Collections.Generic;
        using System.Collections.Immutable;
        using System.Net;
        using System.Threading.Tasks;
        using Broker;
        using Broker.Data;

        namespace Typed.Samples;

        public enum Proto { Tcp, Udp, Icmp }

        [BrokerRecord]
        public partial record Endpoint(IPAddress Host, BrokerPort Port);

        [BrokerRecord]
        public partial class Connection
        {
            public string Uid { get; set; } = "";
            public Endpoint? Origin { get; set; }
            public Proto Proto { get; init; }
            public TimeSpan? Duration { get; set; }
            public List<string> Services { get; set; } = new();
        }

        [BrokerEvents("demo/all/")]
        public partial interface IAllTypes
        {
            [BrokerEvent("scalars")]
            void Scalars(bool b, ulong count, long integer, int small, uint usmall, double real, string text);

            [BrokerEvent("small_numbers")]
            void SmallNumbers(ushort u16, byte u8, short i16, sbyte i8, float single);

            [BrokerEvent("network")]
            void Network(IPAddress address, IPNetwork subnet, BrokerPort port);

            [BrokerEvent("time")]
            Task Time(DateTimeOffset at, TimeSpan took);

            [BrokerEvent("enums")]
            ValueTask Enums(Proto proto, Proto? maybe);

            [BrokerEvent("nullables")]
            void Nullables(string? text, ulong? count, IPAddress? address);

            [BrokerEvent("collections")]
            void Collections(List<ulong> list, string[] array, ImmutableArray<long> immutable, IReadOnlyList<double> readOnly,
                HashSet<string> set, ISet<IPAddress> addresses, Dictionary<string, ulong> table, IReadOnlyDictionary<BrokerPort, List<string>> nested);

            [BrokerEvent("records")]
            void Records(Endpoint endpoint, Connection connection, List<Endpoint> endpoints, Endpoint? missing);

            [BrokerEvent("raw")]
            void Raw(BrokerData anything);

            [BrokerEvent("nothing")]
            void Nothing();
        }
        """;

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
}
