using System.Text;
using Broker.Errors;

namespace Broker.Serialization.Json;

/// <summary>The kinds of node <see cref="JsonSyntax"/> produces.</summary>
internal enum JsonNodeKind : byte
{
    Null,
    False,
    True,
    /// <summary>An integer literal that fits int64 (negative) or uint64 (non-negative).</summary>
    Integer,
    /// <summary>A number literal with a fraction or an exponent.</summary>
    Double,
    String,
    Array,
    Object,
    /// <summary>Broker's own invalid tokens <c>nan</c>, <c>inf</c>, <c>-inf</c> (read so we can consume Broker output).</summary>
    NonFinite,
}

/// <summary>A parsed JSON node. Small and short-lived: it only lives between parsing a frame and converting it.</summary>
internal sealed class JsonNode
{
    public JsonNodeKind Kind;

    /// <summary>Integer: the magnitude bits (as uint64 when non-negative, as int64 bits when negative).</summary>
    public ulong Bits;

    /// <summary>Integer: true when the literal had a minus sign.</summary>
    public bool Negative;

    public double Double;

    /// <summary>String: the UTF-8 (or raw, for Broker's binary strings) bytes.</summary>
    public byte[]? Bytes;

    public JsonNode[]? Items;

    public KeyValuePair<byte[], JsonNode>[]? Members;

    public static readonly JsonNode NullNode = new() { Kind = JsonNodeKind.Null };

    /// <summary>The first member named <paramref name="name"/>, or null.</summary>
    public JsonNode? Get(ReadOnlySpan<byte> name)
    {
        var members = Members;
        if (members is null)
        {
            return null;
        }

        for (int i = 0; i < members.Length; i++)
        {
            if (name.SequenceEqual(members[i].Key))
            {
                return members[i].Value;
            }
        }

        return null;
    }
}

/// <summary>
/// A strict JSON parser whose error texts follow CAF's parser (<c>caf::pec::unexpected_character(line, column)</c>),
/// because Broker's server puts them into its error frames. Hand-written rather than <c>Utf8JsonReader</c> because
/// it must also keep non-UTF-8 string bytes, tell uint64 from int64 literals and report CAF's positions.
/// </summary>
internal ref struct JsonSyntax
{
    private readonly ReadOnlySpan<byte> _input;
    private readonly int _maxDepth;
    private int _pos;
    private int _depth;

    private JsonSyntax(ReadOnlySpan<byte> input, int maxDepth)
    {
        _input = input;
        _maxDepth = maxDepth;
    }

    /// <summary>Parses one JSON text (surrounding whitespace allowed).</summary>
    /// <exception cref="BrokerDecodeException">The text is not JSON; the message is Broker's context suffix.</exception>
    public static JsonNode Parse(ReadOnlySpan<byte> input, int maxDepth)
    {
        var parser = new JsonSyntax(input, maxDepth);
        parser.SkipWhitespace();
        var node = parser.ParseValue();
        parser.SkipWhitespace();
        if (parser._pos < input.Length)
        {
            throw parser.Error("trailing_character", parser._pos);
        }

        return node;
    }

    private BrokerDecodeException Error(string pec, int offset, bool limitExceeded = false)
    {
        int line = 1, lineStart = 0;
        int limit = Math.Min(offset, _input.Length);
        for (int i = 0; i < limit; i++)
        {
            if (_input[i] == (byte)'\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        return new BrokerDecodeException($"contained malformed JSON -> caf::pec::{pec}({line}, {offset - lineStart + 1})", -1, limitExceeded);
    }

    private BrokerDecodeException Unexpected() =>
        _pos >= _input.Length ? Error("unexpected_eof", _pos) : Error("unexpected_character", _pos);

    private void SkipWhitespace()
    {
        while (_pos < _input.Length)
        {
            byte c = _input[_pos];
            if (c is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r')
            {
                _pos++;
            }
            else
            {
                break;
            }
        }
    }

    private JsonNode ParseValue()
    {
        if (_pos >= _input.Length)
        {
            throw Unexpected();
        }

        switch (_input[_pos])
        {
            case (byte)'{':
                return ParseObject();
            case (byte)'[':
                return ParseArray();
            case (byte)'"':
                return new JsonNode { Kind = JsonNodeKind.String, Bytes = ParseString() };
            case (byte)'t':
                ExpectWord("true"u8);
                return new JsonNode { Kind = JsonNodeKind.True };
            case (byte)'f':
                ExpectWord("false"u8);
                return new JsonNode { Kind = JsonNodeKind.False };
            case (byte)'n':
                if (_input[_pos..].StartsWith("nan"u8))
                {
                    _pos += 3;
                    return new JsonNode { Kind = JsonNodeKind.NonFinite, Double = double.NaN };
                }

                ExpectWord("null"u8);
                return JsonNode.NullNode;
            case (byte)'i':
                ExpectWord("inf"u8);
                return new JsonNode { Kind = JsonNodeKind.NonFinite, Double = double.PositiveInfinity };
            default:
                return ParseNumber();
        }
    }

    private void ExpectWord(ReadOnlySpan<byte> word)
    {
        for (int i = 0; i < word.Length; i++)
        {
            if (_pos >= _input.Length || _input[_pos] != word[i])
            {
                throw Unexpected();
            }

            _pos++;
        }
    }

    private void Enter()
    {
        if (++_depth > _maxDepth)
        {
            throw Error("nested_too_deeply", _pos, limitExceeded: true);
        }
    }

    private JsonNode ParseObject()
    {
        Enter();
        _pos++; // '{'
        var members = new List<KeyValuePair<byte[], JsonNode>>(4);
        SkipWhitespace();
        if (_pos < _input.Length && _input[_pos] == (byte)'}')
        {
            _pos++;
        }
        else
        {
            while (true)
            {
                SkipWhitespace();
                if (_pos >= _input.Length || _input[_pos] != (byte)'"')
                {
                    throw Unexpected();
                }

                byte[] key = ParseString();
                SkipWhitespace();
                if (_pos >= _input.Length || _input[_pos] != (byte)':')
                {
                    throw Unexpected();
                }

                _pos++;
                SkipWhitespace();
                members.Add(new(key, ParseValue()));
                SkipWhitespace();
                if (_pos >= _input.Length)
                {
                    throw Unexpected();
                }

                byte c = _input[_pos++];
                if (c == (byte)'}')
                {
                    break;
                }

                if (c != (byte)',')
                {
                    _pos--;
                    throw Unexpected();
                }
            }
        }

        _depth--;
        return new JsonNode { Kind = JsonNodeKind.Object, Members = members.ToArray() };
    }

    private JsonNode ParseArray()
    {
        Enter();
        _pos++; // '['
        var items = new List<JsonNode>();
        SkipWhitespace();
        if (_pos < _input.Length && _input[_pos] == (byte)']')
        {
            _pos++;
        }
        else
        {
            while (true)
            {
                SkipWhitespace();
                items.Add(ParseValue());
                SkipWhitespace();
                if (_pos >= _input.Length)
                {
                    throw Unexpected();
                }

                byte c = _input[_pos++];
                if (c == (byte)']')
                {
                    break;
                }

                if (c != (byte)',')
                {
                    _pos--;
                    throw Unexpected();
                }
            }
        }

        _depth--;
        return new JsonNode { Kind = JsonNodeKind.Array, Items = items.ToArray() };
    }

    private byte[] ParseString()
    {
        _pos++; // opening quote
        int start = _pos;

        // Fast path: no escapes.
        int quote = _input[start..].IndexOfAny((byte)'"', (byte)'\\');
        if (quote >= 0 && _input[start + quote] == (byte)'"')
        {
            _pos = start + quote + 1;
            return _input.Slice(start, quote).ToArray();
        }

        var buffer = new List<byte>(Math.Max(16, quote));
        while (true)
        {
            if (_pos >= _input.Length)
            {
                throw Unexpected();
            }

            byte c = _input[_pos];
            if (c == (byte)'"')
            {
                _pos++;
                return buffer.ToArray();
            }

            if (c != (byte)'\\')
            {
                // Raw bytes pass through, control characters included: Broker itself emits them raw.
                buffer.Add(c);
                _pos++;
                continue;
            }

            _pos++;
            if (_pos >= _input.Length)
            {
                throw Unexpected();
            }

            byte e = _input[_pos++];
            switch (e)
            {
                case (byte)'"': buffer.Add((byte)'"'); break;
                case (byte)'\\': buffer.Add((byte)'\\'); break;
                case (byte)'/': buffer.Add((byte)'/'); break;
                case (byte)'b': buffer.Add(0x08); break;
                case (byte)'f': buffer.Add(0x0C); break;
                case (byte)'n': buffer.Add((byte)'\n'); break;
                case (byte)'r': buffer.Add((byte)'\r'); break;
                case (byte)'t': buffer.Add((byte)'\t'); break;
                case (byte)'v': buffer.Add(0x0B); break; // Broker's non-standard escape
                case (byte)'u':
                {
                    int cp = ReadHex4();
                    if (char.IsHighSurrogate((char)cp) && _pos + 1 < _input.Length && _input[_pos] == (byte)'\\' && _input[_pos + 1] == (byte)'u')
                    {
                        int save = _pos;
                        _pos += 2;
                        int low = ReadHex4();
                        if (char.IsLowSurrogate((char)low))
                        {
                            cp = char.ConvertToUtf32((char)cp, (char)low);
                        }
                        else
                        {
                            _pos = save;
                        }
                    }

                    if (cp is >= 0xD800 and <= 0xDFFF)
                    {
                        cp = 0xFFFD; // a lone surrogate has no UTF-8 form
                    }

                    Span<byte> utf8 = stackalloc byte[4];
                    int n = new Rune(cp).EncodeToUtf8(utf8);
                    for (int i = 0; i < n; i++)
                    {
                        buffer.Add(utf8[i]);
                    }

                    break;
                }

                default:
                    _pos--;
                    throw Unexpected();
            }
        }
    }

    private int ReadHex4()
    {
        int value = 0;
        for (int i = 0; i < 4; i++)
        {
            if (_pos >= _input.Length)
            {
                throw Unexpected();
            }

            int d = HexDigit(_input[_pos]);
            if (d < 0)
            {
                throw Unexpected();
            }

            value = (value << 4) | d;
            _pos++;
        }

        return value;
    }

    private static int HexDigit(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };

    private JsonNode ParseNumber()
    {
        int start = _pos;
        bool negative = false;
        if (_input[_pos] == (byte)'-')
        {
            negative = true;
            _pos++;
            if (_pos < _input.Length && _input[_pos] == (byte)'i')
            {
                ExpectWord("inf"u8);
                return new JsonNode { Kind = JsonNodeKind.NonFinite, Double = double.NegativeInfinity };
            }
        }

        if (_pos >= _input.Length || !IsDigit(_input[_pos]))
        {
            throw Unexpected();
        }

        // Integer part, accumulated as uint64 with CAF's overflow check.
        ulong magnitude = 0;
        bool overflow = false;
        int overflowAt = -1;
        if (_input[_pos] == (byte)'0')
        {
            _pos++;
        }
        else
        {
            while (_pos < _input.Length && IsDigit(_input[_pos]))
            {
                ulong digit = (ulong)(_input[_pos] - '0');
                if (!overflow && (magnitude > (ulong.MaxValue - digit) / 10))
                {
                    overflow = true;
                    overflowAt = _pos;
                }

                magnitude = unchecked(magnitude * 10 + digit);
                _pos++;
            }
        }

        bool isDouble = false;
        if (_pos < _input.Length && _input[_pos] == (byte)'.')
        {
            isDouble = true;
            _pos++;
            if (_pos >= _input.Length || !IsDigit(_input[_pos]))
            {
                throw Unexpected();
            }

            while (_pos < _input.Length && IsDigit(_input[_pos]))
            {
                _pos++;
            }
        }

        if (_pos < _input.Length && (_input[_pos] == (byte)'e' || _input[_pos] == (byte)'E'))
        {
            isDouble = true;
            _pos++;
            if (_pos < _input.Length && (_input[_pos] == (byte)'+' || _input[_pos] == (byte)'-'))
            {
                _pos++;
            }

            if (_pos >= _input.Length || !IsDigit(_input[_pos]))
            {
                throw Unexpected();
            }

            while (_pos < _input.Length && IsDigit(_input[_pos]))
            {
                _pos++;
            }
        }

        if (isDouble)
        {
            double d = double.Parse(_input[start.._pos], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture);
            return new JsonNode { Kind = JsonNodeKind.Double, Double = d };
        }

        if (overflow || (negative && magnitude > 1UL << 63))
        {
            throw Error("integer_overflow", overflow ? overflowAt : _pos - 1);
        }

        return new JsonNode
        {
            Kind = JsonNodeKind.Integer,
            Negative = negative,
            Bits = negative ? unchecked((ulong)-(long)magnitude) : magnitude,
        };
    }

    private static bool IsDigit(byte c) => (uint)(c - '0') <= 9;
}
