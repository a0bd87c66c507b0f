using MessagePack;

namespace Broker.Generators.IntegrationTests.Contracts;

/// <summary>A .NET-only payload outside Broker's data model (decimal, nested objects): travels as a MessagePack blob.</summary>
[MessagePackObject]
public sealed class Quote
{
    [Key(0)] public string Symbol { get; set; } = "";

    [Key(1)] public decimal Price { get; set; }

    [Key(2)] public Dictionary<string, decimal[]> History { get; set; } = new();

    [Key(3)] public Guid Id { get; set; }
}

/// <summary>A struct-shaped MessagePack payload.</summary>
[MessagePackObject]
public struct Tick
{
    [Key(0)] public long Sequence;

    [Key(1)] public DateTime At;
}

/// <summary>A Broker record mixing native fields with a blob field.</summary>
[BrokerRecord]
public partial record Envelope(string Kind, Quote Body, Tick? Extra);

[BrokerEvents("itest/blobs/")]
public partial interface IBlobEvents
{
    [BrokerEvent("quote")]
    void OnQuote(Quote quote, Quote? missing, Tick tick, Tick? maybeTick);

    [BrokerEvent("batch")]
    Task Batch(List<Quote> quotes, Envelope envelope, ulong count);
}

/// <summary>A recursive payload: without the untrusted-data depth limit a hostile blob would overflow the stack.</summary>
[MessagePackObject]
public sealed class Node
{
    [Key(0)] public Node? Next { get; set; }
}
