// Shared source: compiled here (the integration tests send every event over a real connection) and embedded as
// text in Broker.Generators.Tests (the AllTypes snapshot case), so both test the same contract. Keep it
// self-contained: explicit usings, since the snapshot compilation has no implicit ones.
using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Net;
using System.Threading.Tasks;
using Broker.Data;

namespace Broker.Generators.IntegrationTests.Contracts;

public enum Proto
{
    Tcp,
    Udp,
    Icmp,
}

[BrokerRecord]
public partial record Endpoint(IPAddress Host, BrokerPort Port);

/// <summary>A class-shaped Zeek record with optional fields (nil on the wire when null).</summary>
[BrokerRecord]
public partial class Connection
{
    public string Uid { get; set; } = "";

    public Endpoint? Origin { get; set; }

    public Proto Proto { get; init; }

    public TimeSpan? Duration { get; set; }

    public List<string> Services { get; set; } = new();
}

/// <summary>One event per group of mapped types (docs/typed-events.md), so every mapping crosses a real connection.</summary>
[BrokerEvents("itest/all/")]
public partial interface IAllTypes
{
    [BrokerEvent("scalars")]
    void Scalars(bool b, ulong count, long integer, int small, uint usmall, double real, string text);

    [BrokerEvent("small_numbers")]
    void SmallNumbers(ushort u16, byte u8, short i16, sbyte i8, float single);

    [BrokerEvent("network")]
    void Network(IPAddress v4, IPAddress v6, IPNetwork subnet, BrokerPort port);

    [BrokerEvent("time")]
    Task Time(DateTimeOffset at, TimeSpan took);

    [BrokerEvent("enums")]
    ValueTask Enums(Proto proto, Proto? maybe, Proto? none);

    [BrokerEvent("nullables")]
    void Nullables(string? text, string? noText, ulong? count, ulong? noCount, IPAddress? address);

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
