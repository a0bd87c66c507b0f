namespace Broker.Peering;

/// <summary>
/// Broker's filter rules: raw string-prefix matching, and minimisation when extending (a topic covered by an existing
/// prefix adds nothing; a shorter prefix replaces the longer entries it covers). Entries are kept in ordinal order,
/// which is the order Broker puts on the wire.
/// </summary>
internal static class RoutingFilter
{
    /// <summary>True when any entry is a prefix of <paramref name="topic"/>.</summary>
    public static bool Matches(string[] filter, string topic)
    {
        for (int i = 0; i < filter.Length; i++)
        {
            if (topic.StartsWith(filter[i], StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Adds <paramref name="entry"/> to a sorted filter; returns false when it was already covered.</summary>
    public static bool Extend(List<string> filter, string entry)
    {
        foreach (var existing in filter)
        {
            if (entry.StartsWith(existing, StringComparison.Ordinal))
            {
                return false;
            }
        }

        filter.RemoveAll(e => e.StartsWith(entry, StringComparison.Ordinal));
        int index = filter.BinarySearch(entry, StringComparer.Ordinal);
        filter.Insert(index < 0 ? ~index : index, entry);
        return true;
    }

    /// <summary>The minimised filter of a set of entries.</summary>
    public static List<string> Minimise(IEnumerable<string> entries)
    {
        var filter = new List<string>();
        foreach (var e in entries)
        {
            Extend(filter, e);
        }

        return filter;
    }
}
