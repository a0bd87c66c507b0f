using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Broker.Data;
using Broker.Errors;
using static Broker.Serialization.BrokerBinary.DecodeErrors;

namespace Broker.Serialization;

/// <content>
/// The validator: the decoder's walk without the tree. It checks every rule the decoder checks, in the same order and
/// at the same positions, and allocates nothing.
/// </content>
public static partial class BrokerBinary
{
    /// <summary>
    /// Checks that <paramref name="source"/> is exactly one value that <see cref="Decode(ReadOnlySpan{byte}, BrokerDecodeLimits?)"/>
    /// accepts under the same limits, without building it: it returns exactly when Decode would succeed and otherwise
    /// throws the <see cref="BrokerDecodeException"/> Decode would throw (same message, <see cref="BrokerDecodeException.Offset"/>
    /// and <see cref="BrokerDecodeException.LimitExceeded"/>). Allocates nothing for valid input.
    /// </summary>
    /// <param name="source">The bytes.</param>
    /// <param name="limits">Limits; <see cref="BrokerDecodeLimits.Default"/> when null.</param>
    /// <exception cref="BrokerDecodeException">The bytes are not exactly one valid value.</exception>
    /// <remarks>
    /// Use it where the bytes are kept and read later (e.g. with <see cref="BrokerReader"/>): malformed or over-limit
    /// input is rejected up front, exactly as decoding it would. Unsorted sets and tables are valid (the decoder sorts
    /// them). The one possible difference: beyond depth 64 both probe the remaining stack, and Validate's frames are
    /// smaller, so with a very large <see cref="BrokerDecodeLimits.MaxDepth"/> on a small stack it can accept a nesting
    /// the decoder refuses for lack of stack.
    /// </remarks>
    public static void Validate(ReadOnlySpan<byte> source, BrokerDecodeLimits? limits = null)
    {
        var validator = new Validator(source, limits ?? BrokerDecodeLimits.Default);
        validator.Value(0);
        int consumed = validator.Position;
        if (consumed != source.Length)
        {
            throw Trailing(source.Length - consumed, consumed);
        }
    }

    private ref struct Validator
    {
        private readonly ReadOnlySpan<byte> _source;
        private readonly int _maxDepth;
        private readonly int _maxCollectionCount;
        private readonly int _maxStringBytes;
        private int _pos;

        // Vector and set elements so far: the decoder reserves them in one array of at most the input's length
        // (CountSlots stops counting there), so a header that takes the total beyond it fails as in the decoder.
        private long _slots;

        public Validator(ReadOnlySpan<byte> source, BrokerDecodeLimits limits)
        {
            _source = source;
            _maxDepth = limits.MaxDepth;
            _maxCollectionCount = limits.MaxCollectionCount;
            _maxStringBytes = limits.MaxStringBytes;
        }

        public readonly int Position => _pos;

        /// <summary>Checks one value; inlined into <see cref="Container"/>, so elements cost no call.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Value(int depth)
        {
            var source = _source;
            int pos = _pos;
            if ((uint)pos >= (uint)source.Length)
            {
                throw ExpectedTag(pos);
            }

            ref byte src = ref MemoryMarshal.GetReference(source);
            byte tag = Unsafe.Add(ref src, pos++);
            int remaining = source.Length - pos;
            switch ((BrokerDataKind)tag)
            {
                case BrokerDataKind.None:
                    _pos = pos;
                    return;
                case BrokerDataKind.Boolean:
                    if (remaining < 1) throw Truncated(1, remaining, pos);
                    _pos = pos + 1;
                    return;
                case BrokerDataKind.Count:
                case BrokerDataKind.Integer:
                case BrokerDataKind.Real:
                case BrokerDataKind.Timestamp:
                case BrokerDataKind.Timespan:
                    if (remaining < 8) throw Truncated(8, remaining, pos);
                    _pos = pos + 8;
                    return;
                case BrokerDataKind.String:
                case BrokerDataKind.EnumValue:
                    _pos = pos;
                    SkipBytes();
                    return;
                case BrokerDataKind.Address:
                    if (remaining < 16) throw Truncated(16, remaining, pos);
                    _pos = pos + 16;
                    return;
                case BrokerDataKind.Subnet:
                {
                    if (remaining < 17) throw Truncated(17, remaining, pos);
                    _pos = pos + 17;
                    byte length = Unsafe.Add(ref src, pos + 16);
                    if (length > 128 || (length < 96 && IsV4Mapped(source.Slice(pos, 16))))
                    {
                        throw InvalidSubnetLength(length, _pos - 1);
                    }

                    return;
                }

                case BrokerDataKind.Port:
                {
                    if (remaining < 3) throw Truncated(3, remaining, pos);
                    _pos = pos + 3;
                    byte protocol = Unsafe.Add(ref src, pos + 2);
                    if (protocol > (byte)PortProtocol.Icmp)
                    {
                        throw InvalidPortProtocol(protocol, _pos - 1);
                    }

                    return;
                }

                case BrokerDataKind.Set:
                case BrokerDataKind.Vector:
                case BrokerDataKind.Table:
                    _pos = pos;
                    Container(tag, depth);
                    return;
                default:
                    throw UnknownTag(tag, pos - 1);
            }
        }

        // One call per container (never inlined into Value, and so not into itself): the element loop inlines Value.
        [MethodImpl(MethodImplOptions.NoInlining)]
        private void Container(byte tag, int depth)
        {
            if (depth >= _maxDepth)
            {
                throw TooDeep(_maxDepth, _pos - 1);
            }

            // The decoder's stack guard, at the same depth.
            if (depth >= 64 && !RuntimeHelpers.TryEnsureSufficientExecutionStack())
            {
                throw StackTooSmall(_pos - 1);
            }

            long values;
            if (tag == (byte)BrokerDataKind.Table)
            {
                values = 2L * ReadCount(minBytesPerItem: 2);
            }
            else
            {
                int count = ReadCount(minBytesPerItem: 1);
                if (count != 0)
                {
                    // The decoder's Reserve: its shared element array is sized by CountSlots, which gives up at the
                    // input's length. Only malformed input gets here (a valid value has fewer elements than bytes).
                    _slots += count;
                    if (_slots > _source.Length)
                    {
                        throw Lie(count, _pos);
                    }
                }

                values = count;
            }

            for (long i = 0; i < values; i++)
            {
                Value(depth + 1);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private int ReadCount(int minBytesPerItem) => ReadElementCount(_source, ref _pos, minBytesPerItem, _maxCollectionCount);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void SkipBytes()
        {
            int length = ReadStringLength(_source, ref _pos, _maxStringBytes); // leaves _pos at the first byte
            _pos += length;
        }
    }
}
