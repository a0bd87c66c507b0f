using Broker.Analyzers.CodeFixes;
using Broker.Analyzers.Stores;
using Broker.Analyzers.Tests.TestSupport;

namespace Broker.Analyzers.Tests;

public class StoreQueryTimeoutAnalyzerTests
{
    // A stand-in handle shaped like the store API (queries return ValueTask<T>, CancellationToken last); the rule
    // keys on the SDK's [StoreQuery] marker only, so it applies to whatever store types carry it.
    private const string Store = """
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        using Broker;
        public sealed class Store
        {
            [StoreQuery] public ValueTask<string?> GetAsync(string key, CancellationToken cancellationToken = default) => default;
            [StoreQuery] public ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => default;
            [StoreQuery] public ValueTask<int> CountAsync() => default;
            public ValueTask PutAsync(string key, string value, CancellationToken cancellationToken = default) => default;
        }
        """;

    private static string InMethod(string body, string parameters = "Store s") => Store + $$"""

        class C
        {
            async Task M({{parameters}})
            {
                {{body}}
            }
        }
        """;

    [Theory]
    [InlineData("await {|BRK0004:s.GetAsync(\"k\")|};")]
    [InlineData("await {|BRK0004:s.GetAsync(\"k\", default)|};")]
    [InlineData("await {|BRK0004:s.GetAsync(\"k\", default(CancellationToken))|};")]
    [InlineData("await {|BRK0004:s.GetAsync(\"k\", CancellationToken.None)|};")]
    [InlineData("await {|BRK0004:s.GetAsync(\"k\", new CancellationToken())|};")]
    [InlineData("await {|BRK0004:s.GetAsync(\"k\", cancellationToken: new CancellationToken(false))|};")]
    [InlineData("await {|BRK0004:s.CountAsync()|};")]
    [InlineData("var pending = {|BRK0004:s.ExistsAsync(\"k\")|}; await pending;")]
    [InlineData("await {|BRK0004:s.GetAsync(\"k\")|}.AsTask().WaitAsync(CancellationToken.None);")]
    public Task Query_without_token_or_timeout_warns(string body) =>
        Verify.AnalyzerAsync<StoreQueryTimeoutAnalyzer>(InMethod(body));

    [Theory]
    [InlineData("await s.GetAsync(\"k\", ct);")]
    [InlineData("await s.GetAsync(\"k\", cancellationToken: ct);")]
    [InlineData("using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5)); await s.GetAsync(\"k\", cts.Token);")]
    [InlineData("await s.GetAsync(\"k\").AsTask().WaitAsync(TimeSpan.FromSeconds(5));")]
    [InlineData("await s.GetAsync(\"k\").AsTask().WaitAsync(ct);")]
    [InlineData("await s.CountAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(1), ct);")]
    [InlineData("await s.PutAsync(\"k\", \"v\");")]
    public Task Query_with_token_or_timeout_is_silent(string body) =>
        Verify.AnalyzerAsync<StoreQueryTimeoutAnalyzer>(InMethod(body, "Store s, CancellationToken ct"));

    [Fact]
    public Task Fix_passes_the_token_in_scope() =>
        Verify.CodeFixAsync<StoreQueryTimeoutAnalyzer, StoreQueryTokenCodeFixProvider>(
            InMethod("await {|BRK0004:s.GetAsync(\"k\")|};", "Store s, CancellationToken token"),
            InMethod("await s.GetAsync(\"k\", token);", "Store s, CancellationToken token"),
            DiagnosticIds.StoreQueryWithoutTimeout);

    [Fact]
    public Task Fix_replaces_an_explicit_none() =>
        Verify.CodeFixAsync<StoreQueryTimeoutAnalyzer, StoreQueryTokenCodeFixProvider>(
            InMethod("await {|BRK0004:s.GetAsync(\"k\", CancellationToken.None)|};", "Store s, CancellationToken token"),
            InMethod("await s.GetAsync(\"k\", token);", "Store s, CancellationToken token"),
            DiagnosticIds.StoreQueryWithoutTimeout);

    [Fact]
    public Task Fix_uses_a_lambda_token() =>
        Verify.CodeFixAsync<StoreQueryTimeoutAnalyzer, StoreQueryTokenCodeFixProvider>(
            InMethod("Func<CancellationToken, Task> f = async c => await {|BRK0004:s.GetAsync(key: \"k\")|}; await f(default);"),
            InMethod("Func<CancellationToken, Task> f = async c => await s.GetAsync(key: \"k\", cancellationToken: c); await f(default);"),
            DiagnosticIds.StoreQueryWithoutTimeout);

    [Fact]
    public Task No_fix_without_a_token_in_scope() =>
        Verify.CodeFixAsync<StoreQueryTimeoutAnalyzer, StoreQueryTokenCodeFixProvider>(
            InMethod("await {|BRK0004:s.GetAsync(\"k\")|};"),
            InMethod("await {|BRK0004:s.GetAsync(\"k\")|};"),
            DiagnosticIds.StoreQueryWithoutTimeout);

    // The SDK's DataStore: handles time out after StoreOptions.DefaultTimeout (10 s) unless attached without one.
    private static string WithSdkStore(string body) => $$"""
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        using Broker;
        using Broker.Stores;
        class C
        {
            async Task M(BrokerEndpoint endpoint, DataStore field, StoreOptions someOptions)
            {
                {{body}}
            }
        }
        """;

    [Theory]
    [InlineData("var store = endpoint.AttachFrontend(\"s\", new StoreOptions { DefaultTimeout = Timeout.InfiniteTimeSpan }); await {|BRK0004:store.GetAsync(\"k\")|};")]
    [InlineData("var store = await endpoint.AttachCloneAsync(\"s\", new CloneOptions { DefaultTimeout = TimeSpan.MaxValue }); await {|BRK0004:store.ExistsAsync(\"k\")|};")]
    [InlineData("var options = someOptions with { DefaultTimeout = TimeSpan.FromMilliseconds(-1) }; var store = await endpoint.AttachMasterAsync(\"s\", null, options); await {|BRK0004:store.KeysAsync()|};")]
    [InlineData("DataStore store; store = endpoint.AttachFrontend(\"s\", options: new() { DefaultTimeout = Timeout.InfiniteTimeSpan }); await {|BRK0004:store.SizeAsync(CancellationToken.None)|};")]
    public Task Sdk_handle_attached_without_timeout_warns(string body) =>
        Verify.AnalyzerAsync<StoreQueryTimeoutAnalyzer>(WithSdkStore(body));

    [Theory]
    [InlineData("var store = endpoint.AttachFrontend(\"s\"); await store.GetAsync(\"k\");")]
    [InlineData("var store = endpoint.AttachFrontend(\"s\", new StoreOptions { DefaultTimeout = TimeSpan.FromSeconds(2) }); await store.GetAsync(\"k\");")]
    [InlineData("await field.GetAsync(\"k\");")]
    [InlineData("var store = endpoint.AttachFrontend(\"s\", new StoreOptions { DefaultTimeout = Timeout.InfiniteTimeSpan }); using var cts = new CancellationTokenSource(1000); await store.GetAsync(\"k\", cts.Token);")]
    [InlineData("var store = endpoint.AttachFrontend(\"s\", new StoreOptions { DefaultTimeout = Timeout.InfiniteTimeSpan }); await store.GetAsync(\"k\").AsTask().WaitAsync(TimeSpan.FromSeconds(1));")]
    public Task Sdk_handle_with_its_default_timeout_or_a_token_is_silent(string body) =>
        Verify.AnalyzerAsync<StoreQueryTimeoutAnalyzer>(WithSdkStore(body));
}
