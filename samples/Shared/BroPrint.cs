using System.Collections;
using System.Globalization;
using System.Text;
using Broker.Data;

namespace Broker.Samples;

/// <summary>
/// Prints values the way Bro's <c>print</c> statement does in the seed scripts: fields joined by <c>", "</c>,
/// counts as digits, ports as <c>9999/tcp</c>, vectors as <c>[a, b]</c>, sets as <c>{a, b}</c> (on one line),
/// tables as <c>{[k] = v}</c> and records as <c>[name=value, ...]</c>.
/// </summary>
public static class BroPrint
{
    /// <summary>Writes one line, like <c>print "got my_event", msg, c;</c>.</summary>
    public static void Line(params object?[] fields) => Console.Out.WriteLine(Join(fields));

    /// <summary>The text <see cref="Line"/> writes.</summary>
    public static string Join(params object?[] fields)
    {
        var builder = new StringBuilder();
        for (int i = 0; i < fields.Length; i++)
        {
            if (i > 0) builder.Append(", ");
            Append(builder, fields[i]);
        }

        return builder.ToString();
    }

    /// <summary>A Bro record value, printed as <c>[msg=ping, num=0]</c>.</summary>
    public static BroRecord Record(params (string Name, object? Value)[] fields) => new(fields);

    /// <summary>One value in Bro's print form.</summary>
    public static string Format(object? value)
    {
        var builder = new StringBuilder();
        Append(builder, value);
        return builder.ToString();
    }

    private static void Append(StringBuilder builder, object? value)
    {
        switch (value)
        {
            case null:
                builder.Append("<uninitialized>");
                break;
            case string text:
                builder.Append(text);
                break;
            case bool flag:
                builder.Append(flag ? 'T' : 'F');
                break;
            case BrokerData data:
                AppendData(builder, data);
                break;
            case BroRecord record:
                builder.Append('[');
                for (int i = 0; i < record.Fields.Length; i++)
                {
                    if (i > 0) builder.Append(", ");
                    builder.Append(record.Fields[i].Name).Append('=');
                    Append(builder, record.Fields[i].Value);
                }

                builder.Append(']');
                break;
            case IFormattable formattable:
                builder.Append(formattable.ToString(null, CultureInfo.InvariantCulture));
                break;
            case IEnumerable items:
                builder.Append('[');
                bool first = true;
                foreach (var item in items)
                {
                    if (!first) builder.Append(", ");
                    first = false;
                    Append(builder, item);
                }

                builder.Append(']');
                break;
            default:
                builder.Append(value);
                break;
        }
    }

    private static void AppendData(StringBuilder builder, in BrokerData data)
    {
        switch (data.Kind)
        {
            case BrokerDataKind.Vector:
                AppendSequence(builder, data.AsVector(), '[', ']');
                break;
            case BrokerDataKind.Set:
                AppendSequence(builder, data.AsSet(), '{', '}');
                break;
            case BrokerDataKind.Table:
                builder.Append('{');
                bool first = true;
                foreach (var (key, value) in data.AsTable())
                {
                    if (!first) builder.Append(", ");
                    first = false;
                    builder.Append('[');
                    AppendData(builder, key);
                    builder.Append("] = ");
                    AppendData(builder, value);
                }

                builder.Append('}');
                break;
            default:
                // Scalars: Broker's text form is Bro's (strings raw, counts as digits, ports as 80/tcp).
                data.AppendTo(builder);
                break;
        }
    }

    private static void AppendSequence(StringBuilder builder, System.Collections.Immutable.ImmutableArray<BrokerData> items, char open, char close)
    {
        builder.Append(open);
        for (int i = 0; i < items.Length; i++)
        {
            if (i > 0) builder.Append(", ");
            AppendData(builder, items[i]);
        }

        builder.Append(close);
    }
}

/// <summary>A record value for <see cref="BroPrint"/>: named fields in declaration order.</summary>
public sealed record BroRecord((string Name, object? Value)[] Fields);
