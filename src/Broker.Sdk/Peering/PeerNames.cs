using System.Text;

namespace Broker.Peering;

/// <summary>
/// Our wire-compatible name exchange. Broker's 2.3+ handshake carries no names, so right after the handshake each
/// Broker.Sdk endpoint sends one ping whose opaque payload is <c>"BSDK-NAME\0"</c> + the UTF-8 name (possibly
/// empty). A real Broker node answers every ping with a pong that echoes the payload (golden lifecycle_rawpeer
/// seq 8/9) and otherwise ignores it; a Broker.Sdk endpoint records the name. Because the name ping is the first
/// frame a Broker.Sdk endpoint sends after the handshake, the peer's first operational frame tells us at once
/// whether a name is coming: the name ping (one of ours), the echo of our own name ping or any other frame (not
/// one of ours). See docs/peering.md, "Peer names".
/// </summary>
internal static class PeerNames
{
    /// <summary>The most name bytes sent or accepted; longer names are cut at a character boundary.</summary>
    public const int MaxNameBytes = 256;

    private static ReadOnlySpan<byte> Marker => "BSDK-NAME\0"u8;

    /// <summary>The ping payload announcing <paramref name="name"/> (empty when the endpoint has no name).</summary>
    public static byte[] EncodePing(string? name)
    {
        name ??= "";
        int length = Math.Min(Encoding.UTF8.GetByteCount(name), MaxNameBytes);
        var payload = new byte[Marker.Length + length];
        Marker.CopyTo(payload);
        if (length > 0)
        {
            // Cut at a character boundary: encode whole characters while they fit.
            var encoder = Encoding.UTF8.GetEncoder();
            encoder.Convert(name.AsSpan(), payload.AsSpan(Marker.Length), flush: true, out _, out int used, out _);
            if (used < length)
            {
                Array.Resize(ref payload, Marker.Length + used);
            }
        }

        return payload;
    }

    /// <summary>True when <paramref name="payload"/> is a name ping; <paramref name="name"/> is null for an empty or unusable name.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> payload, out string? name)
    {
        name = null;
        if (!payload.StartsWith(Marker))
        {
            return false;
        }

        var bytes = payload[Marker.Length..];
        if (bytes.Length == 0 || bytes.Length > MaxNameBytes)
        {
            return true;
        }

        string text = Encoding.UTF8.GetString(bytes);
        foreach (char c in text)
        {
            if (char.IsControl(c))
            {
                return true; // A name that would corrupt logs or line-based output is not used.
            }
        }

        name = string.IsNullOrWhiteSpace(text) ? null : text;
        return true;
    }
}
