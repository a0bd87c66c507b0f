using Broker.Data;
using Xunit;
using static Broker.Sdk.Tests.Peering.PeeringTestKit;

namespace Broker.Sdk.Tests.Peering;

public sealed class FlagsAndAclTests
{
    [Fact]
    public async Task Self_flag_delivers_locally_and_the_default_does_not()
    {
        await using var a = new BrokerEndpoint();
        await using var sub = a.Subscribe("/self");
        a.Publish("/self", 1L);                                 // default: peers only
        a.Publish("/self", 2L, SendFlags.Self);                 // local only
        a.Publish("/self", 3L, SendFlags.Self | SendFlags.Peers);
        var first = await sub.ReceiveAsync(Deadline);
        Assert.Equal(2L, first.Data.AsInteger());
        Assert.True(first.Sender.IsNil);
        Assert.Equal(3L, (await sub.ReceiveAsync(Deadline)).Data.AsInteger());
    }

    [Fact]
    public async Task Unsolicited_reaches_peers_that_did_not_advertise()
    {
        await using var a = new BrokerEndpoint();
        await using var b = new BrokerEndpoint(new BrokerEndpointOptions { Flags = EndpointFlags.AutoPublish });
        await using var sub = b.Subscribe("/quiet"); // not advertised: B's auto-advertise is off
        await ConnectAsync(a, b);
        Assert.False(a.AnyPeerSubscribes("/quiet"));
        a.Publish("/quiet", 1L);                                             // not sent: no filter match
        a.Publish("/quiet", 2L, SendFlags.Peers | SendFlags.Unsolicited);    // sent anyway
        a.Publish("/quiet", 3L, SendFlags.None);                            // goes nowhere
        a.Publish("/quiet", 4L, SendFlags.Peers | SendFlags.Unsolicited);
        Assert.Equal(2L, (await sub.ReceiveAsync(Deadline)).Data.AsInteger());
        Assert.Equal(4L, (await sub.ReceiveAsync(Deadline)).Data.AsInteger());
    }

    [Fact]
    public async Task Publish_allow_list_applies_when_auto_publish_is_off()
    {
        await using var a = new BrokerEndpoint(new BrokerEndpointOptions { Flags = EndpointFlags.AutoAdvertise });
        await using var b = new BrokerEndpoint();
        await using var sub = b.Subscribe("/acl");
        await ConnectAsync(a, b);
        await WaitForFilterAsync(a, "/acl");
        a.AllowPublish("/acl/ok");
        a.Publish("/acl/no", 1L);
        a.Publish("/acl/ok/sub", 2L); // exact topics only
        a.Publish("/acl/ok", 3L);
        Assert.Equal(3L, (await sub.ReceiveAsync(Deadline)).Data.AsInteger());

        a.DisallowPublish("/acl/ok");
        a.Publish("/acl/ok", 4L);
        a.Flags = EndpointFlags.Default;
        a.Publish("/acl/no", 5L);
        Assert.Equal(5L, (await sub.ReceiveAsync(Deadline)).Data.AsInteger());
    }

    [Fact]
    public async Task Advertise_allow_list_applies_when_auto_advertise_is_off()
    {
        await using var a = new BrokerEndpoint();
        await using var b = new BrokerEndpoint(new BrokerEndpointOptions { Flags = EndpointFlags.AutoPublish });
        await using var hidden = b.Subscribe("/hidden");
        await using var shown = b.Subscribe("/shown");
        b.Advertise("/shown");
        await ConnectAsync(a, b);
        await WaitForFilterAsync(a, "/shown");
        Assert.False(a.AnyPeerSubscribes("/hidden"));

        b.Advertise("/hidden");
        await WaitForFilterAsync(a, "/hidden");
        b.Unadvertise("/hidden");
        await WaitUntilAsync(() => !a.AnyPeerSubscribes("/hidden"), "A no longer sees /hidden");
        Assert.True(a.AnyPeerSubscribes("/shown"));

        b.Flags = EndpointFlags.Default;
        await WaitForFilterAsync(a, "/hidden");
    }

    [Fact]
    public async Task Filters_only_grow_and_are_minimised()
    {
        await using var a = new BrokerEndpoint();
        await using var b = new BrokerEndpoint();
        await using var s1 = b.Subscribe("/b/x");
        await ConnectAsync(a, b);
        await WaitForFilterAsync(a, "/b/x");
        Assert.False(a.AnyPeerSubscribes("/b/y"));
        await using (b.Subscribe("/b"))
        {
            await WaitForFilterAsync(a, "/b/y");
        }

        // Unsubscribing sends no routing update (Broker): A still routes /b/... to B.
        Assert.True(a.AnyPeerSubscribes("/b/y"));
        Assert.Equal(["/b"], b.Core.AdvertisedFilter);
    }
}
