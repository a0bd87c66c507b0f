namespace Broker.Generators.IntegrationTests.Contracts;

/// <summary>The seed's demo contract (DESIGN §5).</summary>
[BrokerEvents("bro/event/")]
public partial interface IDemoEvents
{
    [BrokerEvent("my_event")]
    void MyEvent(string msg, ulong c);

    [BrokerEvent("my_auto_event", AutoPublish = true)]
    void MyAutoEvent(string msg, ulong c);
}

/// <summary>The seed's demo log stream.</summary>
[LogStream("Test::LOG", Path = "test")]
public partial record TestInfo(string Msg, ulong Num, string? Note = null);
