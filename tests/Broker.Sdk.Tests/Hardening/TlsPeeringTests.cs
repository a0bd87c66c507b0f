using System.Diagnostics;
using Broker.Data;
using Broker.Errors;
using Broker.Sdk.Tests.Peering;
using Xunit;

namespace Broker.Sdk.Tests.Hardening;

/// <summary>Mutual TLS for native peering with Broker's file options, and prompt errors for every kind of mismatch.</summary>
public sealed class TlsPeeringTests : IAsyncLifetime
{
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(2);

    private readonly TestCertificates _ca = new();
    private readonly List<BrokerEndpoint> _endpoints = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var ep in _endpoints)
        {
            await ep.DisposeAsync();
        }

        _ca.Dispose();
    }

    private BrokerEndpoint Endpoint(string name, BrokerTlsOptions? tls)
    {
        // A long handshake timeout proves that errors come from detection, not from the timeout.
        var ep = new BrokerEndpoint(new BrokerEndpointOptions { Name = name, Tls = tls, HandshakeTimeout = TimeSpan.FromSeconds(30) });
        _endpoints.Add(ep);
        return ep;
    }

    private BrokerTlsOptions FilesFor(string name, bool useCaPath = false, string? passphrase = null)
    {
        var (cert, key) = _ca.Issue(name, passphrase);
        return new BrokerTlsOptions
        {
            CertificateFile = cert,
            KeyFile = key,
            Passphrase = passphrase,
            CaFile = useCaPath ? null : _ca.CaFile,
            CaPath = useCaPath ? _ca.CaPath : null,
        };
    }

    [Fact]
    public async Task Endpoints_with_certificates_from_one_CA_peer_over_mutual_TLS()
    {
        var a = Endpoint("a", FilesFor("a"));
        var b = Endpoint("b", FilesFor("b", useCaPath: true, passphrase: "s3cret"));
        await using var sub = a.Subscribe("tls/");
        await PeeringTestKit.ConnectAsync(a, b);
        b.Publish("tls/hello", BrokerData.Vector("over", "tls", 42UL));
        var m = await sub.ReceiveAsync(PeeringTestKit.Deadline);
        Assert.Equal(BrokerData.Vector("over", "tls", 42UL), m.Data);
    }

    [Fact]
    public async Task A_certificate_from_another_CA_is_rejected_promptly_on_both_sides()
    {
        using var otherCa = new TestCertificates("Other CA");
        var (cert, key) = otherCa.Issue("mallory");
        var a = Endpoint("a", FilesFor("a"));
        var b = Endpoint("b", new BrokerTlsOptions { CertificateFile = cert, KeyFile = key, CaFile = _ca.CaFile });
        var aEvents = a.SubscribeEvents();
        var bEvents = b.SubscribeEvents();
        var local = await a.ListenAsync();
        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<BrokerException>(async () => await b.PeerAsync("127.0.0.1", local.Port));
        Assert.Contains("TLS", error.Message);
        await aEvents.NextAsync<ErrorEvent>(e => e.Message.Contains("TLS"), Prompt);
        await bEvents.NextAsync<ErrorEvent>(e => e.Message.Contains("TLS"), Prompt);
        Assert.True(watch.Elapsed < Prompt + Prompt, $"took {watch.Elapsed}");
        Assert.Empty(a.Peers);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_TLS_plaintext_mismatch_is_an_error_event_within_two_seconds_on_both_sides(bool listenerUsesTls)
    {
        var a = Endpoint("listener", listenerUsesTls ? FilesFor("listener") : null);
        var b = Endpoint("dialer", listenerUsesTls ? null : FilesFor("dialer"));
        var aEvents = a.SubscribeEvents();
        var bEvents = b.SubscribeEvents();
        var local = await a.ListenAsync();
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAsync<BrokerException>(async () => await b.PeerAsync("127.0.0.1", local.Port));
        Assert.True(watch.Elapsed < Prompt, $"the dialer noticed only after {watch.Elapsed}");
        var onListener = await aEvents.NextAsync<ErrorEvent>(timeout: Prompt);
        var onDialer = await bEvents.NextAsync<ErrorEvent>(timeout: Prompt);
        Assert.Contains("TLS", listenerUsesTls ? onListener.Message : onDialer.Message);
        Assert.Empty(a.Peers);
        Assert.Empty(b.Peers);

        // The listener keeps serving correctly configured peers.
        var good = Endpoint("good", listenerUsesTls ? FilesFor("good") : null);
        await PeeringTestKit.ConnectToAsync(a, local.Port, good);
    }

    [Fact]
    public void Unreadable_TLS_files_fail_at_construction_with_a_clear_error()
    {
        var error = Assert.Throws<BrokerException>(() => new BrokerEndpoint(new BrokerEndpointOptions
        {
            Tls = new BrokerTlsOptions { CertificateFile = Path.Combine(_ca.Directory, "missing.crt"), CaFile = _ca.CaFile },
        }));
        Assert.Equal(BrokerErrorCode.CannotOpenFile, error.Code);
    }
}
