namespace Broker.Peering;

/// <summary>
/// Copies of received payloads for subscriptions that decode values themselves: the reader's buffer is reused as
/// soon as a read is processed, so the bytes must move. Payloads are packed into shared blocks that are never
/// reused, only dropped: a block lives until the last message in it is consumed and the GC takes it. One allocation
/// per block instead of one per message (the point of the encoded path); used by one peer's reader loop only.
/// </summary>
/// <remarks>
/// A queued message keeps its whole block alive, so a subscriber queue pins at most
/// <c>queue capacity × <see cref="BlockSize"/></c> bytes (8 MiB for the default 1,024 entries) even if the rest of
/// each block's messages were consumed long ago. Blocks stay below the large-object threshold so they die young.
/// </remarks>
internal sealed class ReceivedBytes
{
    /// <summary>The size of a shared block; larger payloads get an array of their own.</summary>
    public const int BlockSize = 8 * 1024;

    private byte[] _block = [];
    private int _used;

    /// <summary>A copy of <paramref name="payload"/> that stays valid for as long as it is referenced.</summary>
    public ReadOnlyMemory<byte> Keep(ReadOnlySpan<byte> payload)
    {
        int length = payload.Length;
        if (length > _block.Length - _used)
        {
            if (length > BlockSize / 4)
            {
                return payload.ToArray(); // big: its own array, so it does not waste the rest of a block
            }

            _block = GC.AllocateUninitializedArray<byte>(BlockSize);
            _used = 0;
        }

        var copy = _block.AsMemory(_used, length);
        payload.CopyTo(copy.Span);
        _used += length;
        return copy;
    }
}
