namespace Broker.Cli;

/// <summary>Subscription prefixes as given on the command line.</summary>
internal static class Prefixes
{
    /// <summary>
    /// Drops prefixes covered by a shorter one (raw string prefixes: <c>/a</c> covers <c>/ab</c>) and duplicates,
    /// so a message matching several given prefixes is received, and printed, once.
    /// </summary>
    /// <param name="prefixes">The prefixes.</param>
    /// <returns>The minimal set, in the given order.</returns>
    public static List<string> Minimise(IEnumerable<string> prefixes)
    {
        var all = prefixes.Distinct(StringComparer.Ordinal).ToList();
        return all.Where(p => !all.Any(q => q != p && p.StartsWith(q, StringComparison.Ordinal))).ToList();
    }
}
