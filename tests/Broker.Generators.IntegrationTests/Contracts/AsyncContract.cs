namespace Broker.Generators.IntegrationTests.Contracts;

/// <summary>A contract whose handler completes later (exercises handlers that fail after returning).</summary>
[BrokerEvents("itest/async/")]
public partial interface IAsyncEvents
{
    [BrokerEvent("later")]
    Task Later(string msg);
}
