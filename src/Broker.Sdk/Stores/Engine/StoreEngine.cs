using Broker.Data;
using Broker.Errors;
using Broker.Stores.Backends;

namespace Broker.Stores.Engine;

/// <summary>What an applied mutation changed, for the master to broadcast to clones (clones never recompute).</summary>
internal enum ChangeKind : byte
{
    None,
    Put,
    Erase,
    Clear,
}

/// <summary>One change: the new value of a key (with its remaining expiry span), an erased key, or clear.</summary>
internal readonly record struct AppliedChange(ChangeKind Kind, BrokerData Key = default, BrokerData Value = default, long? ExpirySpan = null);

/// <summary>
/// The semantics of every store operation (spec §5.2 and §5.3) over any <see cref="IStoreBackend"/>, plus expiry.
/// Not thread-safe: the master serialises calls. Times are ns since the Unix epoch from the master's clock.
/// </summary>
internal sealed class StoreEngine : IDisposable
{
    private readonly IStoreBackend _backend;
    private readonly string _store;

    // Deadlines with lazy deletion: a popped (key, deadline) only expires the key if the stored deadline still matches.
    private readonly PriorityQueue<BrokerData, long> _deadlines = new();

    public StoreEngine(string store, IStoreBackend backend)
    {
        _store = store;
        _backend = backend;
        foreach (var kv in backend.Entries())
        {
            if (kv.Value.Expiry is { } deadline)
            {
                _deadlines.Enqueue(kv.Key, deadline);
            }
        }
    }

    public IStoreBackend Backend => _backend;

    /// <summary>Executes one operation. <paramref name="change"/> receives what clones must apply.</summary>
    public StoreResult Execute(in StoreRequest r, long now, out AppliedChange change)
    {
        change = default;
        try
        {
            return ExecuteCore(r, now, ref change);
        }
        catch (StoreException ex) when (ex.Code == BrokerErrorCode.BackendFailure)
        {
            change = default;
            return StoreResult.Fail(BrokerErrorCode.BackendFailure, ex.Message);
        }
    }

    private StoreResult ExecuteCore(in StoreRequest r, long now, ref AppliedChange change)
    {
        switch (r.Op)
        {
            case StoreOp.Put:
                return Write(r.Key, r.Value, r.Expiry, null, now, ref change);

            case StoreOp.PutUnique:
                if (TryGetLive(r.Key, now, out _))
                {
                    return StoreResult.Ok(BrokerData.Boolean(false));
                }

                Write(r.Key, r.Value, r.Expiry, null, now, ref change);
                return StoreResult.Ok(BrokerData.Boolean(true));

            case StoreOp.Erase:
                _backend.Erase(r.Key);
                change = new AppliedChange(ChangeKind.Erase, r.Key);
                return StoreResult.Ok();

            case StoreOp.Clear:
                _backend.Clear();
                _deadlines.Clear();
                change = new AppliedChange(ChangeKind.Clear);
                return StoreResult.Ok();

            case StoreOp.Add:
                return Add(r, now, ref change);

            case StoreOp.Subtract:
                return Subtract(r, now, ref change);

            case StoreOp.AddToSet:
            case StoreOp.RemoveFromSet:
            {
                bool adding = r.Op == StoreOp.AddToSet;
                if (!TryGetLive(r.Key, now, out var old))
                {
                    // Seed: add_to_set creates {e}; remove_from_set creates an empty set.
                    return Write(r.Key, adding ? BrokerData.Set(r.Value) : BrokerData.Set(), r.Expiry, null, now, ref change);
                }

                if (old.Value.Kind != BrokerDataKind.Set)
                {
                    return Clash(r, old.Value);
                }

                return Write(r.Key, adding ? SetInsert(old.Value, r.Value) : SetRemove(old.Value, r.Value), r.Expiry, old, now, ref change);
            }

            case StoreOp.PushLeft:
            case StoreOp.PushRight:
            {
                if (r.Value.Kind != BrokerDataKind.Vector)
                {
                    return StoreResult.Fail(BrokerErrorCode.InvalidData, $"{StoreRequest.Name(r.Op)} takes a vector of items, got {r.Value.Kind}");
                }

                if (!TryGetLive(r.Key, now, out var old))
                {
                    return Write(r.Key, r.Value, r.Expiry, null, now, ref change);
                }

                if (old.Value.Kind != BrokerDataKind.Vector)
                {
                    return Clash(r, old.Value);
                }

                var items = r.Value.AsVector();
                var current = old.Value.AsVector();
                var joined = r.Op == StoreOp.PushLeft ? items.AddRange(current) : current.AddRange(items);
                return Write(r.Key, BrokerData.Vector(joined), r.Expiry, old, now, ref change);
            }

            case StoreOp.PopLeft:
            case StoreOp.PopRight:
            {
                if (!TryGetLive(r.Key, now, out var old))
                {
                    return StoreResult.Ok(BrokerData.None);
                }

                if (old.Value.Kind != BrokerDataKind.Vector)
                {
                    return Clash(r, old.Value);
                }

                var v = old.Value.AsVector();
                if (v.Length == 0)
                {
                    return StoreResult.Ok(BrokerData.None);
                }

                bool left = r.Op == StoreOp.PopLeft;
                var popped = left ? v[0] : v[^1];
                var rest = left ? v.RemoveAt(0) : v.RemoveAt(v.Length - 1);
                Write(r.Key, BrokerData.Vector(rest), r.Expiry, old, now, ref change);
                return StoreResult.Ok(popped);
            }

            case StoreOp.SeedIncrement:
            {
                long by = r.Value.Kind == BrokerDataKind.Integer ? r.Value.AsInteger() : 1;
                if (!TryGetLive(r.Key, now, out var old))
                {
                    return Write(r.Key, BrokerData.Integer(by), r.Expiry, null, now, ref change);
                }

                BrokerData updated;
                switch (old.Value.Kind)
                {
                    case BrokerDataKind.Count:
                        updated = BrokerData.Count(unchecked(old.Value.AsCount() + (ulong)by));
                        break;
                    case BrokerDataKind.Integer:
                        updated = BrokerData.Integer(unchecked(old.Value.AsInteger() + by));
                        break;
                    default:
                        return Clash(r, old.Value);
                }

                return Write(r.Key, updated, r.Expiry, old, now, ref change);
            }

            case StoreOp.Get:
                return TryGetLive(r.Key, now, out var e)
                    ? StoreResult.Ok(e.Value)
                    : StoreResult.Fail(BrokerErrorCode.NoSuchKey, $"no key {r.Key}");

            case StoreOp.Exists:
                return StoreResult.Ok(BrokerData.Boolean(TryGetLive(r.Key, now, out _)));

            case StoreOp.GetIndex:
                return TryGetLive(r.Key, now, out var entry)
                    ? GetIndex(entry.Value, r.Arg)
                    : StoreResult.Fail(BrokerErrorCode.NoSuchKey, $"no key {r.Key}");

            case StoreOp.Keys:
            {
                var keys = new List<BrokerData>();
                foreach (var kv in _backend.Entries())
                {
                    if (!IsExpired(kv.Value, now))
                    {
                        keys.Add(kv.Key);
                    }
                }

                return StoreResult.Ok(BrokerData.Set(keys));
            }

            case StoreOp.Size:
                return StoreResult.Ok(BrokerData.Count((ulong)_backend.Count));

            case StoreOp.Snapshot:
            {
                var entries = new List<KeyValuePair<BrokerData, BrokerData>>();
                foreach (var kv in _backend.Entries())
                {
                    if (!IsExpired(kv.Value, now))
                    {
                        entries.Add(new(kv.Key, kv.Value.Value));
                    }
                }

                return StoreResult.Ok(BrokerData.Table(entries));
            }

            default:
                return StoreResult.Fail(BrokerErrorCode.InvalidData, $"unknown operation {r.Op}");
        }
    }

    /// <summary>Removes every entry whose deadline has passed; reports each expired key.</summary>
    public void ExpireDue(long now, List<BrokerData> expired)
    {
        while (_deadlines.TryPeek(out var key, out long deadline) && deadline <= now)
        {
            _deadlines.Dequeue();
            if (_backend.TryGet(key, out var entry) && entry.Expiry is { } current && current <= now)
            {
                _backend.Erase(key);
                expired.Add(key);
            }
        }
    }

    /// <summary>The whole live state, for ack_clone.</summary>
    public List<KeyValuePair<BrokerData, BrokerData>> State(long now)
    {
        var all = _backend.Entries();
        var list = new List<KeyValuePair<BrokerData, BrokerData>>(all.Count);
        foreach (var kv in all)
        {
            if (!IsExpired(kv.Value, now))
            {
                list.Add(new(kv.Key, kv.Value.Value));
            }
        }

        return list;
    }

    private static bool IsExpired(in StoreEntry e, long now) => e.Expiry is { } d && d <= now;

    // Reads honour deadlines at once, so a read never returns a value past its expiry even between ticks.
    private bool TryGetLive(in BrokerData key, long now, out StoreEntry entry) =>
        _backend.TryGet(key, out entry) && !IsExpired(entry, now);

    /// <summary>
    /// Stores a value and computes its deadline: an explicit expiry replaces the old one; without one, a sliding
    /// (since-last-modification) entry is pushed out and any other expiry is cleared (Broker 1.x/2.x rule).
    /// </summary>
    private StoreResult Write(in BrokerData key, in BrokerData value, StoreExpiry? expiry, StoreEntry? old, long now, ref AppliedChange change)
    {
        long? deadline = null;
        long? sliding = null;
        if (expiry is { } e)
        {
            deadline = e.DeadlineAt(now);
            sliding = e.Kind == StoreExpiryKind.SinceLastModification ? e.Nanoseconds : null;
        }
        else if (old is { SlidingSpan: { } span })
        {
            deadline = StoreExpiry.SaturatingAdd(now, span);
            sliding = span;
        }

        _backend.Put(key, new StoreEntry(value, deadline, sliding));
        if (deadline is { } d)
        {
            _deadlines.Enqueue(key, d);
        }

        change = new AppliedChange(ChangeKind.Put, key, value, deadline is { } dl ? Math.Max(0, dl - now) : null);
        return StoreResult.Ok();
    }

    private StoreResult Clash(in StoreRequest r, in BrokerData target) =>
        StoreResult.Fail(BrokerErrorCode.TypeClash, $"{StoreRequest.Name(r.Op)} on {r.Key}: cannot apply {r.Value.Kind} to a {target.Kind}");

    private StoreResult Add(in StoreRequest r, long now, ref AppliedChange change)
    {
        BrokerData target;
        StoreEntry? old = null;
        if (TryGetLive(r.Key, now, out var existing))
        {
            target = existing.Value;
            old = existing;
        }
        else
        {
            var init = r.Arg.Kind == BrokerDataKind.Count ? (BrokerDataKind)r.Arg.AsCount() : BrokerDataKind.None;
            if (!TryZero(init, out target))
            {
                return StoreResult.Fail(BrokerErrorCode.TypeClash, $"add on missing key {r.Key}: cannot create a value of type {init}");
            }
        }

        var v = r.Value;
        BrokerData result;
        switch (target.Kind)
        {
            case BrokerDataKind.Count when v.Kind == BrokerDataKind.Count:
                result = BrokerData.Count(unchecked(target.AsCount() + v.AsCount()));
                break;
            case BrokerDataKind.Integer when v.Kind == BrokerDataKind.Integer:
                result = BrokerData.Integer(unchecked(target.AsInteger() + v.AsInteger()));
                break;
            case BrokerDataKind.Real when v.Kind == BrokerDataKind.Real:
                result = BrokerData.Real(target.AsReal() + v.AsReal());
                break;
            case BrokerDataKind.Timespan when v.Kind == BrokerDataKind.Timespan:
                result = BrokerData.Timespan(unchecked(target.AsTimespanNanoseconds() + v.AsTimespanNanoseconds()));
                break;
            case BrokerDataKind.Timestamp when v.Kind == BrokerDataKind.Timespan:
                result = BrokerData.Timestamp(unchecked(target.AsTimestampNanoseconds() + v.AsTimespanNanoseconds()));
                break;
            case BrokerDataKind.String when v.Kind == BrokerDataKind.String:
                result = BrokerData.String(Concat(target.AsStringBytes().Span, v.AsStringBytes().Span));
                break;
            case BrokerDataKind.Vector:
                result = BrokerData.Vector(target.AsVector().Add(v));
                break;
            case BrokerDataKind.Set:
                result = SetInsert(target, v);
                break;
            case BrokerDataKind.Table:
                if (v.Kind != BrokerDataKind.Vector || v.Length != 2)
                {
                    return StoreResult.Fail(BrokerErrorCode.TypeClash, $"add to table {r.Key} needs a [key, value] vector, got {v}");
                }

                result = TableSet(target, v[0], v[1]);
                break;
            default:
                return Clash(r, target);
        }

        return Write(r.Key, result, r.Expiry, old, now, ref change);
    }

    private StoreResult Subtract(in StoreRequest r, long now, ref AppliedChange change)
    {
        if (!TryGetLive(r.Key, now, out var old))
        {
            return StoreResult.Fail(BrokerErrorCode.NoSuchKey, $"subtract: no key {r.Key}");
        }

        var target = old.Value;
        var v = r.Value;
        BrokerData result;
        switch (target.Kind)
        {
            case BrokerDataKind.Count when v.Kind == BrokerDataKind.Count:
                result = BrokerData.Count(unchecked(target.AsCount() - v.AsCount()));
                break;
            case BrokerDataKind.Integer when v.Kind == BrokerDataKind.Integer:
                result = BrokerData.Integer(unchecked(target.AsInteger() - v.AsInteger()));
                break;
            case BrokerDataKind.Real when v.Kind == BrokerDataKind.Real:
                result = BrokerData.Real(target.AsReal() - v.AsReal());
                break;
            case BrokerDataKind.Timespan when v.Kind == BrokerDataKind.Timespan:
                result = BrokerData.Timespan(unchecked(target.AsTimespanNanoseconds() - v.AsTimespanNanoseconds()));
                break;
            case BrokerDataKind.Timestamp when v.Kind == BrokerDataKind.Timespan:
                result = BrokerData.Timestamp(unchecked(target.AsTimestampNanoseconds() - v.AsTimespanNanoseconds()));
                break;
            case BrokerDataKind.Vector:
                // Broker pops the last element and ignores the operand.
                var vec = target.AsVector();
                result = vec.Length == 0 ? target : BrokerData.Vector(vec.RemoveAt(vec.Length - 1));
                break;
            case BrokerDataKind.Set:
                result = SetRemove(target, v);
                break;
            case BrokerDataKind.Table:
                result = TableRemove(target, v);
                break;
            default:
                return Clash(r, target);
        }

        return Write(r.Key, result, r.Expiry, old, now, ref change);
    }

    private static StoreResult GetIndex(in BrokerData value, in BrokerData index)
    {
        switch (value.Kind)
        {
            case BrokerDataKind.Vector:
                ulong i;
                if (index.Kind == BrokerDataKind.Count)
                {
                    i = index.AsCount();
                }
                else if (index.Kind == BrokerDataKind.Integer && index.AsInteger() >= 0)
                {
                    i = (ulong)index.AsInteger();
                }
                else
                {
                    return StoreResult.Fail(BrokerErrorCode.TypeClash, $"a vector index must be a count or a non-negative integer, got {index}");
                }

                return i < (ulong)value.Length
                    ? StoreResult.Ok(value[(int)i])
                    : StoreResult.Fail(BrokerErrorCode.NoSuchKey, $"index {i} out of range (length {value.Length})");
            case BrokerDataKind.Set:
                return StoreResult.Ok(BrokerData.Boolean(value.SetContains(index)));
            case BrokerDataKind.Table:
                return value.TryGetTableValue(index, out var v)
                    ? StoreResult.Ok(v)
                    : StoreResult.Fail(BrokerErrorCode.NoSuchKey, $"no table entry {index}");
            default:
                // Broker returns the whole value of a scalar and ignores the index.
                return StoreResult.Ok(value);
        }
    }

    private static bool TryZero(BrokerDataKind kind, out BrokerData zero)
    {
        zero = kind switch
        {
            BrokerDataKind.Count => BrokerData.Count(0),
            BrokerDataKind.Integer => BrokerData.Integer(0),
            BrokerDataKind.Real => BrokerData.Real(0),
            BrokerDataKind.Timespan => BrokerData.Timespan(0L),
            BrokerDataKind.Timestamp => BrokerData.Timestamp(0L),
            BrokerDataKind.String => BrokerData.String(""),
            BrokerDataKind.Vector => BrokerData.Vector(),
            BrokerDataKind.Set => BrokerData.Set(),
            BrokerDataKind.Table => BrokerData.Table(Array.Empty<KeyValuePair<BrokerData, BrokerData>>()),
            _ => default,
        };
        return zero.Kind != BrokerDataKind.None;
    }

    private static byte[] Concat(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var r = new byte[a.Length + b.Length];
        a.CopyTo(r);
        b.CopyTo(r.AsSpan(a.Length));
        return r;
    }

    private static BrokerData SetInsert(in BrokerData set, in BrokerData element)
    {
        if (set.SetContains(element))
        {
            return set;
        }

        var items = set.AsSet();
        var array = new BrokerData[items.Length + 1];
        items.CopyTo(array);
        array[^1] = element;
        return BrokerData.FromSetArray(array);
    }

    private static BrokerData SetRemove(in BrokerData set, in BrokerData element)
    {
        if (!set.SetContains(element))
        {
            return set;
        }

        var items = set.AsSet();
        return BrokerData.FromSetArray(items.Remove(element).ToArray());
    }

    private static BrokerData TableSet(in BrokerData table, in BrokerData key, in BrokerData value)
    {
        var entries = table.AsTable();
        var array = new KeyValuePair<BrokerData, BrokerData>[entries.Length + 1];
        entries.CopyTo(array);
        array[^1] = new(key, value);
        return BrokerData.FromTableArray(array);
    }

    private static BrokerData TableRemove(in BrokerData table, in BrokerData key)
    {
        if (!table.TryGetTableValue(key, out _))
        {
            return table;
        }

        var list = new List<KeyValuePair<BrokerData, BrokerData>>();
        foreach (var kv in table.AsTable())
        {
            if (!kv.Key.Equals(key))
            {
                list.Add(kv);
            }
        }

        return BrokerData.Table(list);
    }

    public void Dispose() => _backend.Dispose();
}
