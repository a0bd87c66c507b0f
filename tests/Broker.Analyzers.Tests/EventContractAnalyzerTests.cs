using Broker.Analyzers.Events;
using Broker.Analyzers.Tests.TestSupport;

namespace Broker.Analyzers.Tests;

public class EventContractAnalyzerTests
{
    private const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Collections.Immutable;
        using System.Net;
        using System.Threading.Tasks;
        using Broker;
        using Broker.Data;

        """;

    [Fact]
    public Task Every_mapped_type_is_accepted() =>
        Verify.AnalyzerAsync<EventContractAnalyzer>(Usings + """
            public enum Color { Red, Green }
            [BrokerRecord] public partial record Point(long X, long Y);
            [LogStream("Test::LOG")] public partial record TestInfo(string Msg);
            [BrokerEvents("bro/event/")]
            public partial interface IEvents
            {
                [BrokerEvent("numbers")] void Numbers(ulong a, uint b, ushort c, byte d, long e, int f, short g, sbyte h, double i, float j);
                [BrokerEvent("scalars")] Task Scalars(bool a, string b, IPAddress c, IPNetwork d, BrokerPort e, DateTimeOffset f, TimeSpan g, Color h, BrokerData i);
                [BrokerEvent("containers")] ValueTask Containers(ISet<string> a, HashSet<int> b, IReadOnlySet<ulong> c,
                    IDictionary<string, long> d, Dictionary<string, Point> e, IReadOnlyDictionary<int, List<string>> f,
                    List<Point> g, IList<TestInfo> h, IReadOnlyList<double> i, string[] j, ImmutableArray<IPAddress> k);
                [BrokerEvent("optionals")] void Optionals(int? a, string? b, Point? c, List<int?>? d);
            }
            """);

    [Fact]
    public Task MessagePackObject_types_are_accepted_as_blobs() =>
        Verify.AnalyzerAsync<EventContractAnalyzer>(Usings + """
            using MessagePack;
            [MessagePackObject] public class Telemetry { [Key(0)] public string Sensor { get; set; } = ""; }
            [MessagePackObject] public struct Sample { [Key(0)] public long At; }
            [BrokerRecord] public partial record Envelope(string Kind, Telemetry Body);
            [BrokerEvents("dotnet/blobs/")]
            public partial interface IBlobs
            {
                [BrokerEvent("one")] void One(Telemetry t, Telemetry? maybe, Sample s, Sample? maybeSample);
                [BrokerEvent("many")] Task Many(List<Telemetry> items, Dictionary<string, Sample> byName, Envelope envelope);
            }
            """);

    [Fact]
    public Task A_foreign_MessagePackObject_attribute_does_not_make_a_type_mappable() =>
        Verify.AnalyzerAsync<EventContractAnalyzer>(Usings + """
            namespace Fake { public sealed class MessagePackObjectAttribute : System.Attribute { } }
            [Fake.MessagePackObject] public class NotABlob { }
            [BrokerEvents("dotnet/blobs/")]
            public partial interface IBlobs
            {
                [BrokerEvent("one")] void One({|BRK0005:NotABlob|} n);
            }
            """);

    [Fact]
    public Task Unmappable_parameter_and_return_types_are_errors() =>
        Verify.AnalyzerAsync<EventContractAnalyzer>(Usings + """
            public class Plain { }
            [BrokerEvents("bro/event/")]
            public partial interface IEvents
            {
                [BrokerEvent("a")] void A({|BRK0005:object|} o);
                [BrokerEvent("b")] void B({|BRK0005:List<Plain>|} items);
                [BrokerEvent("c")] void C({|BRK0005:decimal|} d, {|BRK0005:Dictionary<Plain, int>|} t);
                [BrokerEvent("d")] {|BRK0005:int|} D(int x);
                [BrokerEvent("e")] {|BRK0005:Task<int>|} E();
                [BrokerEvent("f")] void F({|BRK0005:int[,]|} grid);
                [BrokerEvent("g")] void G<T>({|BRK0005:T|} value);
                [BrokerEvent("h")] void H(out {|BRK0005:int|} x);
            }
            """);

    [Fact]
    public Task Duplicate_names_under_one_prefix_are_errors() =>
        Verify.AnalyzerAsync<EventContractAnalyzer>(Usings + """
            [BrokerEvents("bro/event/")]
            public partial interface IOne
            {
                [{|BRK0006:BrokerEvent("ping")|}] void Ping();
                [{|BRK0006:BrokerEvent("ping")|}] void Ping(string s);
                [{|BRK0006:BrokerEvent("pong")|}] void Pong();
            }
            [BrokerEvents("bro/event/")]
            public partial interface ITwo
            {
                [{|BRK0006:BrokerEvent("pong")|}] void Pong();
            }
            [BrokerEvents("zeek/event/")]
            public partial interface IThree
            {
                [BrokerEvent("ping")] void Ping();
                [BrokerEvent("pong", Topic = "zeek/special/")] void Pong();
            }
            """);

    [Fact]
    public Task Events_outside_a_contract_are_warnings() =>
        Verify.AnalyzerAsync<EventContractAnalyzer>(Usings + """
            public interface INotAContract
            {
                [{|BRK0007:BrokerEvent("a")|}] void A();
            }
            public class NotAnInterface
            {
                [{|BRK0007:BrokerEvent("b")|}] public void B() { }
            }
            [BrokerEvents("bro/event/")]
            public partial interface IContract
            {
                [BrokerEvent("c")] void C();
                void NotAnEvent(object anything);
            }
            """);
}
