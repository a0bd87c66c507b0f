using Broker.Stores;

namespace Broker.Cli.Tests.TestSupport;

/// <summary>In-test endpoints the CLI processes talk to (real TCP on loopback).</summary>
internal static class Endpoints
{
    /// <summary>An endpoint listening on a free loopback port.</summary>
    /// <param name="name">Its name.</param>
    /// <returns>The endpoint and its port.</returns>
    public static async Task<(BrokerEndpoint Endpoint, int Port)> ListeningAsync(string name)
    {
        var endpoint = new BrokerEndpoint(new BrokerEndpointOptions { Name = name });
        var bound = await endpoint.ListenAsync("127.0.0.1", 0);
        return (endpoint, bound.Port);
    }

    /// <summary>Store options that answer quickly in tests.</summary>
    public static StoreOptions FastMaster { get; } = new() { TickInterval = TimeSpan.FromMilliseconds(20) };
}
