using Broker.Data;
using Broker.Stores;
using Xunit;

namespace Broker.Sdk.Tests.Stores;

/// <summary>The seed page's store example (insert, increment, decrement, set and vector edits) and what it leaves behind.</summary>
internal static class SeedStoreScript
{
    /// <summary>The store's contents after <see cref="WriteAsync"/>.</summary>
    public static readonly IReadOnlyDictionary<string, BrokerData> Expected = new Dictionary<string, BrokerData>
    {
        ["one"] = BrokerData.Count(111),
        ["two"] = BrokerData.Count(222),
        ["myset"] = BrokerData.Set("a", "c", "d"),
        ["myvec"] = BrokerData.Vector("delta", "alpha", "beta", "gamma", "omega"),
    };

    /// <summary>Runs the seed's writes against a master and checks it holds four keys.</summary>
    public static async Task WriteAsync(DataStore master)
    {
        master.Insert("one", 110UL);
        master.Insert("two", 223UL);
        master.Insert("myset", BrokerData.Set("a", "b", "c"));
        master.Insert("myvec", BrokerData.Vector("alpha", "beta", "gamma"));
        master.Increment("one");
        master.Decrement("two");
        master.AddToSet("myset", "d");
        master.RemoveFromSet("myset", "b");
        master.PushLeft("myvec", "delta");
        master.PushRight("myvec", "omega");
        Assert.Equal(4UL, await master.SizeAsync());
    }
}
