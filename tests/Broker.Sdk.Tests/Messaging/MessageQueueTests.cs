using System.Threading.Channels;
using Broker.Errors;
using Xunit;

namespace Broker.Sdk.Tests.Messaging;

/// <summary>The subscription queue must behave like the bounded channel it replaced.</summary>
public sealed class MessageQueueTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(OverflowPolicy.DropOldest, new[] { 3, 4, 5 }, 2)]
    [InlineData(OverflowPolicy.DropNewest, new[] { 1, 2, 3 }, 2)]
    [InlineData(OverflowPolicy.Disconnect, new[] { 1, 2, 3 }, 0)]
    public void Policies_keep_the_right_items(OverflowPolicy policy, int[] kept, long dropped)
    {
        var queue = new MessageQueue<int>(3, policy);
        for (int i = 1; i <= 5; i++)
        {
            Assert.Equal(i <= 3 || policy != OverflowPolicy.Disconnect, queue.TryWrite(i));
        }

        Assert.Equal(dropped, queue.DroppedCount);
        Assert.Equal(3, queue.Count);
        Assert.Equal(kept, Drain(queue));
    }

    [Theory]
    [InlineData(OverflowPolicy.DropOldest)]
    [InlineData(OverflowPolicy.DropNewest)]
    [InlineData(OverflowPolicy.Disconnect)]
    public void A_batch_is_the_same_as_single_writes(OverflowPolicy policy)
    {
        // Capacity 100 (not a power of two) with wrap-around and growth: batches and single writes agree.
        var single = new MessageQueue<int>(100, policy);
        var batched = new MessageQueue<int>(100, policy);
        int next = 0;
        for (int round = 0; round < 20; round++)
        {
            var items = Enumerable.Range(next, 7 + round * 3).ToArray();
            next += items.Length;
            int singles = items.TakeWhile(i => single.TryWrite(i)).Count();
            Assert.Equal(singles, batched.WriteMany(items));
            for (int r = 0; r < round % 4 * 5; r++)
            {
                Assert.Equal(single.TryRead(out int a), batched.TryRead(out int b));
                Assert.Equal(a, b);
            }
        }

        Assert.Equal(single.DroppedCount, batched.DroppedCount);
        Assert.Equal(Drain(single), Drain(batched));
    }

    [Fact]
    public async Task A_waiting_reader_wakes_for_a_write_and_readers_drain_after_completion()
    {
        var queue = new MessageQueue<int>(10, OverflowPolicy.DropOldest);
        var pending = queue.ReadAsync(default).AsTask();
        Assert.False(pending.IsCompleted);
        queue.WriteMany([7, 8]);
        Assert.Equal(7, await pending.WaitAsync(Deadline));

        Assert.True(queue.TryComplete());
        Assert.False(queue.TryWrite(9));
        Assert.Equal(8, await queue.ReadAsync(default));
        await Assert.ThrowsAsync<ChannelClosedException>(async () => await queue.ReadAsync(default));
        Assert.False(await queue.WaitToReadAsync(default));
    }

    [Fact]
    public async Task Completion_with_an_error_reaches_readers_and_enumerations_as_channels_report_it()
    {
        var queue = new MessageQueue<int>(10, OverflowPolicy.Disconnect);
        var pending = queue.ReadAsync(default).AsTask();
        var error = new BrokerException(BrokerErrorCode.Unspecified, "overflowed");
        queue.TryComplete(error);
        var closed = await Assert.ThrowsAsync<ChannelClosedException>(() => pending.WaitAsync(Deadline));
        Assert.Same(error, closed.InnerException);
        var thrown = await Assert.ThrowsAsync<BrokerException>(async () =>
        {
            await foreach (var _ in ReadAll(queue))
            {
            }
        });
        Assert.Same(error, thrown);
    }

    [Fact]
    public async Task A_cancelled_wait_leaves_the_queue_usable()
    {
        var queue = new MessageQueue<int>(10, OverflowPolicy.DropOldest);
        using var cts = new CancellationTokenSource();
        var waiting = queue.ReadAsync(cts.Token).AsTask();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Deadline));
        queue.TryWrite(1);
        Assert.Equal(1, await queue.ReadAsync(default).AsTask().WaitAsync(Deadline));
    }

    [Fact]
    public async Task Concurrent_writers_and_readers_lose_nothing()
    {
        const int Writers = 4, PerWriter = 20_000;
        var queue = new MessageQueue<int>(Writers * PerWriter, OverflowPolicy.Disconnect);
        var seen = new bool[Writers * PerWriter];
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            await foreach (int i in ReadAll(queue))
            {
                Assert.False(seen[i]);
                seen[i] = true;
            }
        })).ToArray();
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(() =>
        {
            for (int i = 0; i < PerWriter; i += 10)
            {
                Assert.Equal(10, queue.WriteMany(Enumerable.Range(w * PerWriter + i, 10).ToArray()));
            }
        })));
        queue.TryComplete();
        await Task.WhenAll(readers).WaitAsync(Deadline);
        Assert.All(seen, Assert.True);
    }

    private static List<int> Drain(MessageQueue<int> queue)
    {
        var items = new List<int>();
        while (queue.TryRead(out int i))
        {
            items.Add(i);
        }

        return items;
    }

    // How subscriptions read a queue: wait for items, then take what is there, until completed (or its error).
    private static async IAsyncEnumerable<T> ReadAll<T>(MessageQueue<T> queue)
    {
        while (await queue.WaitToReadAsync(default))
        {
            while (queue.TryRead(out var item))
            {
                yield return item;
            }
        }
    }
}
