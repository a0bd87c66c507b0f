namespace Broker.Topics;

/// <summary>
/// Answers "which subscriptions match this topic" under Broker's raw string-prefix rule, in time proportional
/// to the topic's length and independent of the number of subscriptions: a character trie whose nodes hold
/// the values registered for exactly that prefix. Not thread-safe: one owner mutates and queries it.
/// </summary>
/// <typeparam name="T">The value registered under a prefix (a subscriber, a peer, ...).</typeparam>
public sealed class PrefixIndex<T>
    where T : notnull
{
    private readonly Node _root = new();
    private int _count;

    /// <summary>The number of (prefix, value) registrations.</summary>
    public int Count => _count;

    /// <summary>Registers <paramref name="value"/> under <paramref name="prefix"/>; a repeated pair is ignored.</summary>
    /// <param name="prefix">The prefix ("" matches everything).</param>
    /// <param name="value">The value.</param>
    /// <returns>True when the pair was new.</returns>
    public bool Add(string prefix, T value)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var node = _root;
        foreach (char c in prefix)
        {
            node.Children ??= new Dictionary<char, Node>();
            if (!node.Children.TryGetValue(c, out var next))
            {
                next = new Node();
                node.Children.Add(c, next);
            }

            node = next;
        }

        node.Values ??= new List<T>(1);
        if (node.Values.Contains(value))
        {
            return false;
        }

        node.Values.Add(value);
        _count++;
        return true;
    }

    /// <summary>Removes a registration; empty branches are pruned.</summary>
    /// <param name="prefix">The prefix.</param>
    /// <param name="value">The value.</param>
    /// <returns>True when the pair was registered.</returns>
    public bool Remove(string prefix, T value)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        return Remove(_root, prefix, 0, value);
    }

    /// <summary>True when any registered prefix is a prefix of <paramref name="topic"/>.</summary>
    /// <param name="topic">The topic.</param>
    /// <returns>True on a match.</returns>
    public bool HasMatch(string topic)
    {
        var node = _root;
        if (node.Values is { Count: > 0 })
        {
            return true;
        }

        foreach (char c in topic)
        {
            if (node.Children is null || !node.Children.TryGetValue(c, out node))
            {
                return false;
            }

            if (node.Values is { Count: > 0 })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Adds every value whose prefix matches <paramref name="topic"/> to <paramref name="results"/>.
    /// A value registered under several matching prefixes appears once per prefix.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="results">Receives the matches (not cleared first).</param>
    public void Match(string topic, List<T> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var node = _root;
        AddValues(node, results);
        foreach (char c in topic)
        {
            if (node.Children is null || !node.Children.TryGetValue(c, out node))
            {
                return;
            }

            AddValues(node, results);
        }
    }

    /// <summary>Every registered (prefix, value) pair, in no particular order.</summary>
    /// <returns>The registrations.</returns>
    public IEnumerable<KeyValuePair<string, T>> Enumerate()
    {
        var stack = new Stack<(Node Node, string Prefix)>();
        stack.Push((_root, string.Empty));
        while (stack.Count > 0)
        {
            var (node, prefix) = stack.Pop();
            if (node.Values is not null)
            {
                foreach (var v in node.Values)
                {
                    yield return new(prefix, v);
                }
            }

            if (node.Children is not null)
            {
                foreach (var child in node.Children)
                {
                    stack.Push((child.Value, prefix + child.Key));
                }
            }
        }
    }

    private static void AddValues(Node node, List<T> results)
    {
        if (node.Values is { } values)
        {
            for (int i = 0; i < values.Count; i++)
            {
                results.Add(values[i]);
            }
        }
    }

    private bool Remove(Node node, string prefix, int index, T value)
    {
        if (index == prefix.Length)
        {
            if (node.Values is null || !node.Values.Remove(value))
            {
                return false;
            }

            if (node.Values.Count == 0)
            {
                node.Values = null;
            }

            _count--;
            return true;
        }

        if (node.Children is null || !node.Children.TryGetValue(prefix[index], out var child))
        {
            return false;
        }

        bool removed = Remove(child, prefix, index + 1, value);
        if (removed && child.Values is null && (child.Children is null || child.Children.Count == 0))
        {
            node.Children.Remove(prefix[index]);
        }

        return removed;
    }

    private sealed class Node
    {
        public Dictionary<char, Node>? Children;
        public List<T>? Values;
    }
}
