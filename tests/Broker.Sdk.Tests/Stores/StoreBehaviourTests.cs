using Broker.Data;
using Broker.Errors;
using Broker.Stores;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Broker.Sdk.Tests.Stores;

/// <summary>One behavioural suite for every backend (spec §5.2 modern semantics, §5.3 seed extras, §5.4 expiry).</summary>
public abstract class StoreBehaviourTests : IAsyncLifetime
{
    protected readonly FakeTimeProvider Clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly LoopbackNetwork _network = new();
    private DataStore _store = null!;

    protected DataStore Store => _store;

    protected abstract StoreBackendOptions Backend();

    public async Task InitializeAsync()
    {
        var node = _network.AddNode(Clock);
        _store = node.Host.AttachMaster("s", Backend(), new StoreOptions { TimeProvider = Clock });
        await Task.CompletedTask;
    }

    public virtual async Task DisposeAsync() => await _network.DisposeAsync();

    private async Task<BrokerErrorCode> ErrorOf(Func<ValueTask> action)
    {
        var ex = await Assert.ThrowsAsync<StoreException>(async () => await action());
        Assert.Equal("s", ex.Store);
        return ex.Code;
    }

    private async Task<BrokerData?> Get(BrokerData key) => await Store.LookupAsync(key);

    [Fact]
    public async Task Put_get_overwrite_erase_clear()
    {
        Store.Put("a", 1UL);
        Store.Insert("b", "x");
        Assert.Equal(BrokerData.Count(1), await Store.GetAsync("a"));
        Store.Put("a", "replaced");
        Assert.Equal(BrokerData.String("replaced"), await Store.GetAsync("a"));
        Assert.True(await Store.ExistsAsync("b"));
        Store.Erase("b");
        Store.Erase("never-there");
        Assert.False(await Store.ExistsAsync("b"));
        Assert.Null(await Store.LookupAsync("b"));
        Assert.Equal(BrokerErrorCode.NoSuchKey, await ErrorOf(async () => await Store.GetAsync("b")));
        Store.Put(BrokerData.Vector(1UL, "composite"), BrokerData.Table((BrokerData.String("t"), BrokerData.Boolean(true))));
        Assert.Equal(2UL, await Store.SizeAsync());
        Assert.Equal(BrokerData.Set("a", BrokerData.Vector(1UL, "composite")), await Store.KeysAsync());
        var snapshot = await Store.SnapshotAsync();
        Assert.True(snapshot.TryGetTableValue("a", out var a) && a == BrokerData.String("replaced"));
        Store.Clear();
        Assert.Equal(0UL, await Store.SizeAsync());
        Assert.Equal(BrokerData.Set(), await Store.KeysAsync());
    }

    [Fact]
    public async Task Put_unique_inserts_once()
    {
        Assert.True(await Store.PutUniqueAsync("u", 7UL));
        Assert.False(await Store.PutUniqueAsync("u", 8UL));
        Assert.Equal(BrokerData.Count(7), await Store.GetAsync("u"));
    }

    [Fact]
    public async Task Increment_creates_zero_of_the_amount_type_and_never_promotes()
    {
        Store.Increment("c", BrokerData.Count(5));
        Store.Increment("c", BrokerData.Count(1));
        Assert.Equal(BrokerData.Count(6), await Get("c"));
        Store.Increment("i", BrokerData.Integer(-3));
        Assert.Equal(BrokerData.Integer(-3), await Get("i"));
        Store.Increment("r", BrokerData.Real(1.5));
        Store.Increment("r", BrokerData.Real(1.0));
        Assert.Equal(BrokerData.Real(2.5), await Get("r"));
        Store.Increment("ts", BrokerData.Timespan(1_000L));
        Assert.Equal(BrokerData.Timestamp(1_000L), await Get("ts"));
        Store.Put("span", BrokerData.Timespan(5L));
        Store.Increment("span", BrokerData.Timespan(5L));
        Assert.Equal(BrokerData.Timespan(10L), await Get("span"));

        Assert.Equal(BrokerErrorCode.TypeClash, await ErrorOf(() => Store.IncrementAsync("str", "x")));
        Assert.False(await Store.ExistsAsync("str"));
        Assert.Equal(BrokerErrorCode.TypeClash, await ErrorOf(() => Store.IncrementAsync("c", BrokerData.Integer(1))));
        Store.Increment("c", BrokerData.Real(1)); // fire-and-forget failure: logged, unchanged, never thrown
        Assert.Equal(BrokerData.Count(6), await Get("c"));
    }

    [Fact]
    public async Task Decrement_requires_the_key_and_counts_wrap()
    {
        Assert.Equal(BrokerErrorCode.NoSuchKey, await ErrorOf(() => Store.DecrementAsync("n", BrokerData.Count(1))));
        Assert.False(await Store.ExistsAsync("n"));
        Store.Put("n", 1UL);
        await Store.DecrementAsync("n", BrokerData.Count(2));
        Assert.Equal(BrokerData.Count(ulong.MaxValue), await Get("n"));
        Store.Put("r", 1.0);
        await Store.DecrementAsync("r", BrokerData.Real(0.5));
        Assert.Equal(BrokerData.Real(0.5), await Get("r"));
        Assert.Equal(BrokerErrorCode.TypeClash, await ErrorOf(() => Store.DecrementAsync("r", BrokerData.Integer(1))));
    }

    [Fact]
    public async Task Append_concatenates_strings()
    {
        Store.Append("s", "ab");
        await Store.AppendAsync("s", "cd");
        Assert.Equal(BrokerData.String("abcd"), await Get("s"));
        Store.Put("n", 1UL);
        Assert.Equal(BrokerErrorCode.TypeClash, await ErrorOf(() => Store.AppendAsync("n", "x")));
        Assert.Equal(BrokerData.Count(1), await Get("n"));
    }

    [Fact]
    public async Task Insert_into_sets_tables_and_vectors()
    {
        Store.InsertInto("set", "a");
        Store.InsertInto("set", "b");
        Store.InsertInto("set", "a");
        Assert.Equal(BrokerData.Set("a", "b"), await Get("set"));
        Store.InsertInto("tab", "k", 1UL);
        Store.InsertInto("tab", "k", 2UL);
        Store.InsertInto("tab", "j", 3UL);
        Assert.Equal(BrokerData.Table(("k", 2UL), ("j", 3UL)), await Get("tab"));
        // Broker quirks: the table form on a set inserts [idx, val]; on a vector it pushes [idx, val].
        Store.InsertInto("set", "x", 1UL);
        Assert.True((await Store.GetAsync("set")).SetContains(BrokerData.Vector("x", 1UL)));
        Store.Put("vec", BrokerData.Vector());
        Store.InsertInto("vec", "e");
        Store.InsertInto("vec", "x", 1UL);
        Assert.Equal(BrokerData.Vector("e", BrokerData.Vector("x", 1UL)), await Get("vec"));
        // The set form on a table needs a [key, value] pair.
        Assert.Equal(BrokerErrorCode.TypeClash, await ErrorOf(() => Store.InsertIntoAsync("tab", "lonely")));
        await Store.InsertIntoAsync("tab", BrokerData.Vector("p", 9UL));
        Assert.Equal(BrokerData.Count(9), await Store.GetIndexAsync("tab", "p"));
        Store.Put("scalar", 1UL);
        Assert.Equal(BrokerErrorCode.TypeClash, await ErrorOf(() => Store.InsertIntoAsync("scalar", "a", "b")));
    }

    [Fact]
    public async Task Remove_from_push_and_pop()
    {
        Assert.Equal(BrokerErrorCode.NoSuchKey, await ErrorOf(() => Store.RemoveFromAsync("missing", "a")));
        Store.Put("set", BrokerData.Set("a", "b"));
        Store.RemoveFrom("set", "a");
        Store.RemoveFrom("set", "absent");
        Assert.Equal(BrokerData.Set("b"), await Get("set"));
        Store.Put("tab", BrokerData.Table(("k", 1UL), ("j", 2UL)));
        await Store.RemoveFromAsync("tab", "k");
        Assert.Equal(BrokerData.Table(("j", 2UL)), await Get("tab"));
        Store.Push("vec", "a");
        Store.Push("vec", "b");
        Store.Push("vec", "c");
        Assert.Equal(BrokerData.Vector("a", "b", "c"), await Get("vec"));
        Store.RemoveFrom("vec", "ignored"); // Broker pops the last element and ignores the index
        Assert.Equal(BrokerData.Vector("a", "b"), await Get("vec"));
        await Store.PopAsync("vec");
        Assert.Equal(BrokerData.Vector("a"), await Get("vec"));
        Store.Push("set", "z");
        Assert.Equal(BrokerData.Set("b", "z"), await Get("set"));
        Assert.Equal(BrokerErrorCode.NoSuchKey, await ErrorOf(() => Store.PopAsync("nothing")));
        Store.Put("empty", BrokerData.Vector());
        await Store.PopAsync("empty");
        Assert.Equal(BrokerData.Vector(), await Get("empty"));
        Store.Put("scalar", "s");
        Assert.Equal(BrokerErrorCode.TypeClash, await ErrorOf(() => Store.PushAsync("scalar", 1UL)));
        Assert.Equal(BrokerErrorCode.TypeClash, await ErrorOf(() => Store.PopAsync("scalar")));
    }

    [Fact]
    public async Task Get_index_follows_broker()
    {
        Store.Put("vec", BrokerData.Vector("a", "b"));
        Assert.Equal(BrokerData.String("b"), await Store.GetIndexAsync("vec", BrokerData.Count(1)));
        Assert.Equal(BrokerData.String("a"), await Store.GetIndexAsync("vec", BrokerData.Integer(0)));
        Assert.Equal(BrokerErrorCode.NoSuchKey, await ErrorOf(async () => await Store.GetIndexAsync("vec", BrokerData.Count(2))));
        Assert.Equal(BrokerErrorCode.TypeClash, await ErrorOf(async () => await Store.GetIndexAsync("vec", BrokerData.Integer(-1))));
        Assert.Equal(BrokerErrorCode.TypeClash, await ErrorOf(async () => await Store.GetIndexAsync("vec", "x")));
        Store.Put("set", BrokerData.Set("a"));
        Assert.Equal(BrokerData.Boolean(true), await Store.GetIndexAsync("set", "a"));
        Assert.Equal(BrokerData.Boolean(false), await Store.GetIndexAsync("set", "b"));
        Store.Put("tab", BrokerData.Table(("k", 1UL)));
        Assert.Equal(BrokerData.Count(1), await Store.GetIndexAsync("tab", "k"));
        Assert.Equal(BrokerErrorCode.NoSuchKey, await ErrorOf(async () => await Store.GetIndexAsync("tab", "zz")));
        Store.Put("scalar", 5UL);
        Assert.Equal(BrokerData.Count(5), await Store.GetIndexAsync("scalar", "ignored"));
        Assert.Equal(BrokerErrorCode.NoSuchKey, await ErrorOf(async () => await Store.GetIndexAsync("missing", 0UL)));
    }

    [Fact]
    public async Task Seed_operations()
    {
        Store.AddToSet("s", "a");
        await Store.AddToSetAsync("s", "b");
        Assert.Equal(BrokerData.Set("a", "b"), await Get("s"));
        Store.RemoveFromSet("s", "a");
        Assert.Equal(BrokerData.Set("b"), await Get("s"));
        await Store.RemoveFromSetAsync("fresh", "x");
        Assert.Equal(BrokerData.Set(), await Get("fresh"));

        Store.PushRight("v", "b", "c");
        Store.PushLeft("v", "a");
        await Store.PushRightAsync("v", BrokerData.Vector("d"));
        Assert.Equal(BrokerData.Vector("a", "b", "c", "d"), await Get("v"));
        Assert.Equal(BrokerData.String("a"), await Store.PopLeftAsync("v"));
        Assert.Equal(BrokerData.String("d"), await Store.PopRightAsync("v"));
        Assert.Equal(BrokerData.Vector("b", "c"), await Get("v"));
        Assert.Null(await Store.PopLeftAsync("nothing"));
        Store.Put("e", BrokerData.Vector());
        Assert.Null(await Store.PopRightAsync("e"));

        Store.Increment("n");
        Store.Increment("n", 4);
        Assert.Equal(BrokerData.Integer(5), await Get("n"));
        Store.Put("c", 110UL);
        Store.Increment("c");
        Store.Decrement("c", 2);
        Assert.Equal(BrokerData.Count(109), await Get("c"));

        Store.Put("str", "x");
        Assert.Equal(BrokerErrorCode.TypeClash, await ErrorOf(() => Store.AddToSetAsync("str", "a")));
        Assert.Equal(BrokerErrorCode.TypeClash, await ErrorOf(() => Store.PushLeftAsync("str", BrokerData.Vector("a"))));
        Assert.Equal(BrokerErrorCode.TypeClash, await ErrorOf(() => Store.IncrementByAsync("str", 1)));
        Assert.Equal(BrokerErrorCode.TypeClash, await ErrorOf(async () => await Store.PopLeftAsync("str")));
        Assert.Equal(BrokerErrorCode.InvalidData, await ErrorOf(() => Store.PushLeftAsync("v", "not-a-vector")));
        Assert.Equal(BrokerData.String("x"), await Get("str"));
    }

    [Fact]
    public async Task Seed_store_example_on_the_master()
    {
        Store.Insert("one", 110UL);
        Store.Insert("two", 223UL);
        Store.Insert("myset", BrokerData.Set("a", "b", "c"));
        Store.Insert("myvec", BrokerData.Vector("alpha", "beta", "gamma"));
        Store.Increment("one");
        Store.Decrement("two");
        Store.AddToSet("myset", "d");
        Store.RemoveFromSet("myset", "b");
        Store.PushLeft("myvec", "delta");
        Store.PushRight("myvec", "omega");
        Assert.Equal(4UL, await Store.SizeAsync());
        Assert.Equal(BrokerData.Count(111), await Get("one"));
        Assert.Equal(BrokerData.Count(222), await Get("two"));
        Assert.Equal(BrokerData.Set("a", "c", "d"), await Get("myset"));
        Assert.Equal(BrokerData.Vector("delta", "alpha", "beta", "gamma", "omega"), await Get("myvec"));
    }

    [Fact]
    public async Task Expiry_after_a_span()
    {
        Store.Put("k", 1UL, StoreExpiry.After(TimeSpan.FromSeconds(10)));
        Store.Put("keep", 1UL);
        Clock.Advance(TimeSpan.FromSeconds(9));
        Assert.True(await Store.ExistsAsync("k"));
        Clock.Advance(TimeSpan.FromSeconds(1.1));
        Assert.False(await Store.ExistsAsync("k"));
        Assert.Equal(1UL, await Store.SizeAsync()); // the tick erased it
        Assert.True(await Store.ExistsAsync("keep"));
    }

    [Fact]
    public async Task Expiry_at_an_absolute_time()
    {
        var at = Clock.GetUtcNow().AddMinutes(5);
        Store.Put("k", 1UL, StoreExpiry.At(at));
        Clock.Advance(TimeSpan.FromMinutes(4.9));
        Assert.True(await Store.ExistsAsync("k"));
        Clock.Advance(TimeSpan.FromMinutes(0.2));
        Assert.False(await Store.ExistsAsync("k"));
        Assert.Equal(0UL, await Store.SizeAsync());
    }

    [Fact]
    public async Task Expiry_since_last_modification_is_pushed_by_every_change()
    {
        Store.Put("k", 1UL, StoreExpiry.SinceLastModification(TimeSpan.FromSeconds(10)));
        for (int i = 0; i < 5; i++)
        {
            Clock.Advance(TimeSpan.FromSeconds(8));
            Store.Increment("k", BrokerData.Count(1)); // no expiry given: the sliding deadline moves
        }

        Assert.Equal(BrokerData.Count(6), await Get("k"));
        Clock.Advance(TimeSpan.FromSeconds(9));
        Assert.True(await Store.ExistsAsync("k"));
        Clock.Advance(TimeSpan.FromSeconds(1.5));
        Assert.False(await Store.ExistsAsync("k"));
    }

    [Fact]
    public async Task A_mutation_without_expiry_clears_a_span_expiry_and_one_with_expiry_rearms_it()
    {
        Store.Put("cleared", 1UL, StoreExpiry.After(TimeSpan.FromSeconds(1)));
        Store.Increment("cleared", BrokerData.Count(1));
        Store.Put("rearmed", 1UL, StoreExpiry.After(TimeSpan.FromSeconds(1)));
        Clock.Advance(TimeSpan.FromSeconds(0.5));
        Store.Increment("rearmed", BrokerData.Count(1), StoreExpiry.After(TimeSpan.FromSeconds(2)));
        Clock.Advance(TimeSpan.FromSeconds(1.5));
        Assert.True(await Store.ExistsAsync("cleared"));
        Assert.True(await Store.ExistsAsync("rearmed"));
        Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(await Store.ExistsAsync("rearmed"));
        Assert.True(await Store.ExistsAsync("cleared"));
    }

    [Fact]
    public async Task Queries_observe_the_callers_cancellation()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Store.GetAsync("a", cts.Token));
    }
}

public sealed class MemoryStoreBehaviourTests : StoreBehaviourTests
{
    protected override StoreBackendOptions Backend() => StoreBackendOptions.Memory;
}

public sealed class SqliteStoreBehaviourTests : StoreBehaviourTests
{
    private readonly string _dir = Directory.CreateTempSubdirectory("broker-stores-").FullName;

    protected override StoreBackendOptions Backend() => StoreBackendOptions.Sqlite(Path.Combine(_dir, "s.sqlite"));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}
