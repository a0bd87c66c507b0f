using System.Globalization;

namespace Broker.Cli;

/// <summary>Durations on the command line: <c>250ms</c>, <c>10s</c>, <c>2min</c>/<c>2m</c>, <c>1h</c>, or a bare number of seconds.</summary>
internal static class Durations
{
    /// <summary>Parses a duration.</summary>
    /// <param name="text">The text.</param>
    /// <param name="value">The duration.</param>
    /// <returns>True when valid and not negative.</returns>
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        text = text.Trim();
        int split = 0;
        while (split < text.Length && (char.IsAsciiDigit(text[split]) || text[split] == '.'))
        {
            split++;
        }

        if (split == 0 || !double.TryParse(text.AsSpan(0, split), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double amount))
        {
            return false;
        }

        double? ms = text[split..] switch
        {
            "ms" => amount,
            "" or "s" => amount * 1000,
            "m" or "min" => amount * 60_000,
            "h" => amount * 3_600_000,
            _ => null,
        };
        if (ms is not { } milliseconds || milliseconds > int.MaxValue)
        {
            return false;
        }

        value = TimeSpan.FromMilliseconds(milliseconds);
        return true;
    }

    /// <summary>Short text for messages, e.g. <c>1.5s</c>.</summary>
    /// <param name="span">The duration.</param>
    /// <returns>The text.</returns>
    public static string Format(TimeSpan span) =>
        span.TotalSeconds >= 1 ? $"{span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)}s" : $"{span.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture)}ms";
}
