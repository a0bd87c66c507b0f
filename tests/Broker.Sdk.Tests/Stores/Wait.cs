using System.Diagnostics;
using Broker.Stores;

namespace Broker.Sdk.Tests.Stores;

/// <summary>Awaits a condition with a deadline; fails with a clear message instead of sleeping for a fixed time.</summary>
internal static class Wait
{
    public static async Task UntilAsync(Func<bool> condition, string what, int timeoutMs = 10_000)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.ElapsedMilliseconds > timeoutMs)
            {
                throw new TimeoutException($"Timed out after {timeoutMs} ms waiting for: {what}");
            }

            await Task.Yield();
            await Task.Delay(5);
        }
    }

    public static async Task UntilAsync(Func<Task<bool>> condition, string what, int timeoutMs = 10_000)
    {
        var sw = Stopwatch.StartNew();
        while (!await condition())
        {
            if (sw.ElapsedMilliseconds > timeoutMs)
            {
                throw new TimeoutException($"Timed out after {timeoutMs} ms waiting for: {what}");
            }

            await Task.Delay(5);
        }
    }

    /// <summary>Waits until every clone is synchronized and holds exactly the master's snapshot.</summary>
    public static Task ConvergedAsync(DataStore master, IReadOnlyList<DataStore> clones, int timeoutMs = 10_000) =>
        UntilAsync(async () =>
        {
            var expected = await master.SnapshotAsync();
            foreach (var c in clones)
            {
                if (!c.IsSynchronized || await c.SnapshotAsync() != expected)
                {
                    return false;
                }
            }

            return true;
        }, "every clone equals the master", timeoutMs);
}
