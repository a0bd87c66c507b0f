using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Broker.Data;
using Broker.Errors;
using Broker.Serialization;
using Broker.Stores.Engine;

namespace Broker.Stores.Wire;

/// <summary>
/// Serializes and parses Broker's <c>internal_command</c> byte for byte (layouts from the golden captures):
/// <c>seq u64 | sender entity | receiver entity | variant u8 | fields</c>, integers big-endian, entity = 16-byte
/// endpoint id + u64 object, optionals = u8 flag + value, data values in Broker's binary encoding.
/// Parsing never throws anything but <see cref="BrokerDecodeException"/>.
/// </summary>
internal static class StoreCommandCodec
{
    public static byte[] Serialize(StoreCommand command)
    {
        var writer = new ArrayBufferWriter<byte>(64);
        Serialize(command, writer);
        return writer.WrittenSpan.ToArray();
    }

    public static void Serialize(StoreCommand command, IBufferWriter<byte> w)
    {
        U64(w, command.Seq);
        Entity(w, command.Sender);
        Entity(w, command.Receiver);
        U8(w, (byte)command.Content.Kind);
        switch (command.Content)
        {
            case PutCommand c:
                Data(w, c.Key); Data(w, c.Value); OptSpan(w, c.Expiry); Entity(w, c.Publisher);
                break;
            case PutUniqueCommand c:
                Data(w, c.Key); Data(w, c.Value); OptSpan(w, c.Expiry); Entity(w, c.Who); U64(w, c.RequestId); Entity(w, c.Publisher);
                break;
            case PutUniqueResultCommand c:
                U8(w, c.Inserted ? (byte)1 : (byte)0); Entity(w, c.Who); U64(w, c.RequestId); Entity(w, c.Publisher);
                break;
            case EraseCommand c:
                Data(w, c.Key); Entity(w, c.Publisher);
                break;
            case ExpireCommand c:
                Data(w, c.Key); Entity(w, c.Publisher);
                break;
            case AddCommand c:
                Data(w, c.Key); Data(w, c.Value); U8(w, (byte)c.InitType); OptSpan(w, c.Expiry); Entity(w, c.Publisher);
                break;
            case SubtractCommand c:
                Data(w, c.Key); Data(w, c.Value); OptSpan(w, c.Expiry); Entity(w, c.Publisher);
                break;
            case ClearCommand c:
                Entity(w, c.Publisher);
                break;
            case AttachWriterCommand c:
                U64(w, c.Offset); U16(w, c.HeartbeatInterval);
                break;
            case KeepaliveCommand c:
                U64(w, c.Seq);
                break;
            case CumulativeAckCommand c:
                U64(w, c.Seq);
                break;
            case RetransmitFailedCommand c:
                U64(w, c.Seq);
                break;
            case NackCommand c:
                VarByte(w, (uint)c.Seqs.Length);
                foreach (ulong s in c.Seqs)
                {
                    U64(w, s);
                }

                break;
            case AckCloneCommand c:
                U64(w, c.Offset); U16(w, c.HeartbeatInterval);
                VarByte(w, (uint)c.State.Count);
                foreach (var kv in c.State)
                {
                    Data(w, kv.Key); Data(w, kv.Value);
                }

                break;
            case SdkRequestCommand c:
                Entity(w, c.Who); U64(w, c.RequestId); U8(w, (byte)c.Op);
                Data(w, c.Key); Data(w, c.Value); Data(w, c.Arg);
                if (c.Expiry is { } e)
                {
                    U8(w, (byte)e.Kind); U64(w, unchecked((ulong)e.Nanoseconds));
                }
                else
                {
                    U8(w, 0);
                }

                Entity(w, c.Publisher);
                break;
            case SdkResponseCommand c:
                Entity(w, c.Who); U64(w, c.RequestId); U8(w, (byte)c.Code); Data(w, c.Value);
                byte[] text = Encoding.UTF8.GetBytes(c.Message);
                VarByte(w, (uint)text.Length);
                w.Write(text);
                break;
            default:
                throw new ArgumentException($"unknown command {command.Content.GetType().Name}", nameof(command));
        }
    }

    public static StoreCommand Parse(ReadOnlySpan<byte> bytes, BrokerDecodeLimits? limits = null)
    {
        var r = new Reader(bytes, limits ?? BrokerDecodeLimits.Default);
        ulong seq = r.U64();
        var sender = r.Entity();
        var receiver = r.Entity();
        byte variant = r.U8();
        CommandContent content = (CommandKind)variant switch
        {
            CommandKind.Put => new PutCommand(r.Data(), r.Data(), r.OptSpan(), r.Entity()),
            CommandKind.PutUnique => new PutUniqueCommand(r.Data(), r.Data(), r.OptSpan(), r.Entity(), r.U64(), r.Entity()),
            CommandKind.PutUniqueResult => new PutUniqueResultCommand(r.Bool(), r.Entity(), r.U64(), r.Entity()),
            CommandKind.Erase => new EraseCommand(r.Data(), r.Entity()),
            CommandKind.Expire => new ExpireCommand(r.Data(), r.Entity()),
            CommandKind.Add => new AddCommand(r.Data(), r.Data(), r.Tag(), r.OptSpan(), r.Entity()),
            CommandKind.Subtract => new SubtractCommand(r.Data(), r.Data(), r.OptSpan(), r.Entity()),
            CommandKind.Clear => new ClearCommand(r.Entity()),
            CommandKind.AttachWriter => new AttachWriterCommand(r.U64(), r.U16()),
            CommandKind.Keepalive => new KeepaliveCommand(r.U64()),
            CommandKind.CumulativeAck => new CumulativeAckCommand(r.U64()),
            CommandKind.RetransmitFailed => new RetransmitFailedCommand(r.U64()),
            CommandKind.Nack => new NackCommand(r.U64List()),
            CommandKind.AckClone => r.AckClone(),
            CommandKind.SdkRequest => r.Request(),
            CommandKind.SdkResponse => new SdkResponseCommand(r.Entity(), r.U64(), r.Code(), r.Data(), r.Text()),
            _ => throw new BrokerDecodeException($"unknown store command variant {variant}", r.Position - 1),
        };
        if (r.Position != bytes.Length)
        {
            throw new BrokerDecodeException($"{bytes.Length - r.Position} trailing byte(s) after the store command", r.Position);
        }

        return new StoreCommand(seq, sender, receiver, content);
    }

    private static void U8(IBufferWriter<byte> w, byte v)
    {
        w.GetSpan(1)[0] = v;
        w.Advance(1);
    }

    private static void U16(IBufferWriter<byte> w, ushort v)
    {
        BinaryPrimitives.WriteUInt16BigEndian(w.GetSpan(2), v);
        w.Advance(2);
    }

    private static void U64(IBufferWriter<byte> w, ulong v)
    {
        BinaryPrimitives.WriteUInt64BigEndian(w.GetSpan(8), v);
        w.Advance(8);
    }

    private static void VarByte(IBufferWriter<byte> w, uint v)
    {
        int n = BrokerBinary.WriteVarByte(v, w.GetSpan(5));
        w.Advance(n);
    }

    private static void Entity(IBufferWriter<byte> w, EntityId e)
    {
        e.Endpoint.WriteTo(w.GetSpan(16));
        w.Advance(16);
        U64(w, e.Object);
    }

    private static void Data(IBufferWriter<byte> w, in BrokerData d) => BrokerBinary.Encode(d, w);

    private static void OptSpan(IBufferWriter<byte> w, long? ns)
    {
        if (ns is { } v)
        {
            U8(w, 1);
            U64(w, unchecked((ulong)v));
        }
        else
        {
            U8(w, 0);
        }
    }

    private ref struct Reader
    {
        private readonly ReadOnlySpan<byte> _s;
        private readonly BrokerDecodeLimits _limits;

        public Reader(ReadOnlySpan<byte> s, BrokerDecodeLimits limits)
        {
            _s = s;
            _limits = limits;
            Position = 0;
        }

        public int Position { get; private set; }

        private ReadOnlySpan<byte> Take(int n, string what)
        {
            if (_s.Length - Position < n)
            {
                throw new BrokerDecodeException($"store command truncated in {what}", Position);
            }

            var slice = _s.Slice(Position, n);
            Position += n;
            return slice;
        }

        public byte U8() => Take(1, "a byte")[0];

        public bool Bool() => U8() switch
        {
            0 => false,
            1 => true,
            var b => throw new BrokerDecodeException($"invalid bool {b}", Position - 1),
        };

        public ushort U16() => BinaryPrimitives.ReadUInt16BigEndian(Take(2, "a u16"));

        public ulong U64() => BinaryPrimitives.ReadUInt64BigEndian(Take(8, "a u64"));

        public EntityId Entity()
        {
            var id = EndpointId.FromBytes(Take(16, "an entity id"));
            return new EntityId(id, U64());
        }

        public BrokerData Data()
        {
            var value = BrokerBinary.Decode(_s[Position..], out int consumed, _limits);
            Position += consumed;
            return value;
        }

        public BrokerDataKind Tag()
        {
            byte t = U8();
            if (t > (byte)BrokerDataKind.Vector)
            {
                throw new BrokerDecodeException($"invalid init_type tag {t}", Position - 1);
            }

            return (BrokerDataKind)t;
        }

        public BrokerErrorCode Code()
        {
            byte c = U8();
            return c > (byte)BrokerErrorCode.InvalidJson ? BrokerErrorCode.Unspecified : (BrokerErrorCode)c;
        }

        public long? OptSpan() => Bool() ? unchecked((long)U64()) : null;

        public uint Count()
        {
            if (!BrokerBinary.TryReadVarByte(_s[Position..], out uint n, out int used))
            {
                throw new BrokerDecodeException("invalid varbyte count", Position);
            }

            Position += used;
            if (n > (uint)(_s.Length - Position))
            {
                throw new BrokerDecodeException($"count {n} longer than the command", Position - used); // malformed, not over a limit
            }

            if (n > _limits.MaxCollectionCount)
            {
                throw new BrokerDecodeException($"count {n} exceeds the limit of {_limits.MaxCollectionCount} (DecodeLimits.MaxCollectionCount)", Position - used, limitExceeded: true);
            }

            return n;
        }

        public ulong[] U64List()
        {
            uint n = Count();
            if ((long)n * 8 > _s.Length - Position)
            {
                throw new BrokerDecodeException("nack list longer than the command", Position);
            }

            var list = new ulong[n];
            for (int i = 0; i < list.Length; i++)
            {
                list[i] = U64();
            }

            return list;
        }

        public string Text()
        {
            uint n = Count();
            return Encoding.UTF8.GetString(Take(checked((int)n), "a string"));
        }

        public AckCloneCommand AckClone()
        {
            ulong offset = U64();
            ushort hb = U16();
            uint n = Count();
            // Each pair takes at least two bytes: bound the allocation by the input before trusting n.
            if ((long)n * 2 > _s.Length - Position)
            {
                throw new BrokerDecodeException("ack_clone state longer than the command", Position);
            }

            var state = new KeyValuePair<BrokerData, BrokerData>[n];
            for (int i = 0; i < state.Length; i++)
            {
                var k = Data();
                state[i] = new(k, Data());
            }

            return new AckCloneCommand(offset, hb, state);
        }

        public SdkRequestCommand Request()
        {
            var who = Entity();
            ulong id = U64();
            byte op = U8();
            if (!Enum.IsDefined((StoreOp)op))
            {
                throw new BrokerDecodeException($"unknown store operation {op}", Position - 1);
            }

            var key = Data();
            var value = Data();
            var arg = Data();
            byte kind = U8();
            StoreExpiry? expiry = null;
            if (kind != 0)
            {
                if (kind > 3)
                {
                    throw new BrokerDecodeException($"unknown expiry kind {kind}", Position - 1);
                }

                expiry = StoreExpiry.FromWire((StoreExpiryKind)kind, unchecked((long)U64()));
            }

            return new SdkRequestCommand(who, id, (StoreOp)op, key, value, arg, expiry, Entity());
        }
    }
}
