using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Broker.Data;
using Broker.Errors;
using Broker.Serialization.Json;
using Broker.Zeek;

namespace Broker.Cli.Values;

/// <summary>A value typed on the command line or read from an input line, and the topic it named (if any).</summary>
/// <param name="Data">The value.</param>
/// <param name="Topic">The <c>topic</c> of a JSON data message line (as printed by node/subscribe), else null.</param>
internal readonly record struct ParsedValue(BrokerData Data, string? Topic);

/// <summary>
/// The value syntax of every command (docs/cli.md, "Values"): a JSON v1 value object
/// (<c>{"@data-type":"count","data":1}</c>, extra keys such as <c>topic</c> and <c>kind</c> ignored), a short form
/// in plain JSON (<c>"text"</c> string, <c>42</c> count, <c>-3</c> integer, <c>1.5</c> real, <c>true</c>, <c>null</c>,
/// <c>[…]</c> vector), or a Zeek event <c>name(arg, …)</c> whose arguments use the same syntax.
/// </summary>
internal static partial class ValueSyntax
{
    [GeneratedRegex(@"^([A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)*)\s*\((.*)\)$", RegexOptions.Singleline)]
    private static partial Regex EventForm();

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 128 };

    /// <summary>Parses one value.</summary>
    /// <param name="text">The text (one line).</param>
    /// <returns>The value and the topic of a data-message line.</returns>
    /// <exception cref="FormatException">The text is not a value; the message says why.</exception>
    public static ParsedValue Parse(string text)
    {
        text = text.Trim();
        if (text.Length == 0)
        {
            throw new FormatException("empty value");
        }

        var match = EventForm().Match(text);
        if (match.Success)
        {
            var args = ParseJson("[" + match.Groups[2].Value + "]", "event arguments");
            var list = new BrokerData[args.RootElement.GetArrayLength()];
            int i = 0;
            foreach (var element in args.RootElement.EnumerateArray())
            {
                list[i++] = ToData(element);
            }

            return new ParsedValue(new ZeekEvent(match.Groups[1].Value, list).ToData(), null);
        }

        using var doc = ParseJson(text, "value");
        var root = doc.RootElement;
        string? topic = null;
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("topic", out var t) && t.ValueKind == JsonValueKind.String)
        {
            topic = t.GetString();
        }

        return new ParsedValue(ToData(root), string.IsNullOrEmpty(topic) ? null : topic);
    }

    private static JsonDocument ParseJson(string text, string what)
    {
        try
        {
            return JsonDocument.Parse(text, DocumentOptions);
        }
        catch (JsonException ex)
        {
            string hint = text[0] is '{' or '[' or '"' or '-' || char.IsAsciiDigit(text[0]) ? "" : " (quote strings: \"text\"; events: name(args))";
            throw new FormatException($"invalid {what}: {FirstSentence(ex.Message)}{hint}");
        }
    }

    private static BrokerData ToData(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                if (!element.TryGetProperty("@data-type", out _))
                {
                    throw new FormatException("a JSON object must be a value object with \"@data-type\" and \"data\"");
                }

                try
                {
                    return BrokerJson.ReadValue(element.GetRawText());
                }
                catch (BrokerDecodeException ex)
                {
                    throw new FormatException($"invalid value object: {ex.Message}");
                }

            case JsonValueKind.String:
                return BrokerData.String(element.GetString()!);
            case JsonValueKind.Number:
                return Number(element.GetRawText());
            case JsonValueKind.True:
                return BrokerData.Boolean(true);
            case JsonValueKind.False:
                return BrokerData.Boolean(false);
            case JsonValueKind.Null:
                return BrokerData.None;
            case JsonValueKind.Array:
                var items = new List<BrokerData>(element.GetArrayLength());
                foreach (var item in element.EnumerateArray())
                {
                    items.Add(ToData(item));
                }

                return BrokerData.Vector(items);
            default:
                throw new FormatException($"unsupported JSON {element.ValueKind}");
        }
    }

    // Short numbers: digits are a count, a leading minus an integer, a fraction or exponent a real (as in Broker's JSON).
    private static BrokerData Number(string raw)
    {
        bool integral = raw.AsSpan().IndexOfAny('.', 'e', 'E') < 0;
        if (integral && raw[0] != '-')
        {
            return ulong.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out ulong count)
                ? BrokerData.Count(count)
                : throw new FormatException($"count {raw} is out of range (0..18446744073709551615)");
        }

        if (integral)
        {
            return long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long integer)
                ? BrokerData.Integer(integer)
                : throw new FormatException($"integer {raw} is out of range");
        }

        double real = double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture);
        return double.IsFinite(real) ? BrokerData.Real(real) : throw new FormatException($"real {raw} is out of range");
    }

    private static string FirstSentence(string message)
    {
        foreach (var marker in (ReadOnlySpan<string>)[" Path:", " LineNumber:"])
        {
            int cut = message.IndexOf(marker, StringComparison.Ordinal);
            if (cut > 0)
            {
                message = message[..cut];
            }
        }

        return message.TrimEnd('.', ' ');
    }
}
