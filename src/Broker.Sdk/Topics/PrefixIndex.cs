namespace Broker.Topics;

/// <summary>
/// Answers "which subscriptions match this topic" under Broker's raw string-prefix rule, in time proportional
/// to the topic's length and independent of the number of subscriptions.
/// </summary>
/// <remarks>
/// A compact (radix) trie: each edge carries a run of characters, so a lookup compares whole runs with one
/// vectorised span comparison and visits only the nodes of prefixes that actually occur in the topic. A node
/// holds the values registered for exactly the prefix that ends there. <see cref="Match(ReadOnlySpan{char}, List{T})"/>
/// and <see cref="HasMatch(ReadOnlySpan{char})"/> allocate nothing. Not thread-safe: one owner mutates and
/// queries it (concurrent lookups are safe only while nobody mutates).
/// </remarks>
/// <typeparam name="T">The value registered under a prefix (a subscriber, a peer, ...).</typeparam>
public sealed class PrefixIndex<T>
    where T : notnull
{
    private readonly Node _root = new(string.Empty);
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
        ThrowIfNull(value);
        var node = _root;
        int pos = 0;
        while (pos < prefix.Length)
        {
            int index = node.FindChild(prefix[pos]);
            if (index < 0)
            {
                var leaf = new Node(prefix[pos..]);
                node.InsertChild(leaf);
                node = leaf;
                break;
            }

            var child = node.Children![index];
            string label = child.Label;
            int common = prefix.AsSpan(pos).CommonPrefixLength(label);
            if (common < label.Length)
            {
                // The new prefix ends inside, or leaves, this edge: split it so a node sits where they part.
                var middle = new Node(label[..common]);
                child.Label = label[common..];
                middle.InsertChild(child);
                node.Children[index] = middle;
                child = middle;
            }

            node = child;
            pos += common;
        }

        if (node.Values is null)
        {
            node.Values = new List<T>(1);
        }
        else if (node.Values.Contains(value))
        {
            return false;
        }

        node.Values.Add(value);
        _count++;
        return true;
    }

    /// <summary>Removes a registration; emptied nodes are pruned and single-child chains merged again.</summary>
    /// <param name="prefix">The prefix.</param>
    /// <param name="value">The value.</param>
    /// <returns>True when the pair was registered.</returns>
    public bool Remove(string prefix, T value)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ThrowIfNull(value);

        // Walk down, remembering the path so emptied nodes can be pruned on the way back.
        Span<int> pathIndex = prefix.Length <= 64 ? stackalloc int[prefix.Length + 1] : new int[prefix.Length + 1];
        var path = new List<Node>(8) { _root };
        var node = _root;
        int pos = 0;
        while (pos < prefix.Length)
        {
            int index = node.FindChild(prefix[pos]);
            if (index < 0)
            {
                return false;
            }

            var child = node.Children![index];
            if (!prefix.AsSpan(pos).StartsWith(child.Label))
            {
                return false;
            }

            pathIndex[path.Count] = index;
            path.Add(child);
            node = child;
            pos += child.Label.Length;
        }

        if (node.Values is null || !node.Values.Remove(value))
        {
            return false;
        }

        if (node.Values.Count == 0)
        {
            node.Values = null;
        }

        _count--;

        // Prune: a node without values either disappears (no children) or merges into its only child.
        for (int depth = path.Count - 1; depth > 0; depth--)
        {
            var current = path[depth];
            var parent = path[depth - 1];
            if (current.Values is not null)
            {
                break;
            }

            int childCount = current.Children?.Length ?? 0;
            if (childCount == 0)
            {
                parent.RemoveChildAt(pathIndex[depth]);
                continue;
            }

            if (childCount == 1)
            {
                var only = current.Children![0];
                only.Label = current.Label + only.Label;
                parent.Children![pathIndex[depth]] = only;
            }

            break;
        }

        return true;
    }

    /// <summary>True when any registered prefix is a prefix of <paramref name="topic"/>.</summary>
    /// <param name="topic">The topic.</param>
    /// <returns>True on a match.</returns>
    public bool HasMatch(string topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        return HasMatch(topic.AsSpan());
    }

    /// <summary>True when any registered prefix is a prefix of <paramref name="topic"/>.</summary>
    /// <param name="topic">The topic.</param>
    /// <returns>True on a match.</returns>
    public bool HasMatch(ReadOnlySpan<char> topic)
    {
        var node = _root;
        while (true)
        {
            if (node.Values is not null)
            {
                return true;
            }

            if (topic.IsEmpty || !TryDescend(ref node, ref topic))
            {
                return false;
            }
        }
    }

    /// <summary>Adds every value whose prefix matches <paramref name="topic"/> to <paramref name="results"/>,
    /// shorter prefixes first. A value registered under several matching prefixes appears once per prefix.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="results">Receives the matches (not cleared first).</param>
    public void Match(string topic, List<T> results)
    {
        ArgumentNullException.ThrowIfNull(topic);
        Match(topic.AsSpan(), results);
    }

    /// <summary>Adds every value whose prefix matches <paramref name="topic"/> to <paramref name="results"/>,
    /// shorter prefixes first. A value registered under several matching prefixes appears once per prefix.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="results">Receives the matches (not cleared first).</param>
    public void Match(ReadOnlySpan<char> topic, List<T> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var node = _root;
        while (true)
        {
            if (node.Values is { } values)
            {
                for (int i = 0; i < values.Count; i++)
                {
                    results.Add(values[i]);
                }
            }

            if (topic.IsEmpty || !TryDescend(ref node, ref topic))
            {
                return;
            }
        }
    }

    /// <summary>Removes every registration.</summary>
    public void Clear()
    {
        _root.Children = null;
        _root.FirstChars = null;
        _root.Values = null;
        _count = 0;
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
                    stack.Push((child, prefix + child.Label));
                }
            }
        }
    }

    private static void ThrowIfNull(T value)
    {
        // Not ArgumentNullException.ThrowIfNull(object): that would box value types.
        if (value is null)
        {
            throw new ArgumentNullException(nameof(value));
        }
    }

    // Follows the edge that starts with topic[0] if the topic continues with its whole label.
    private static bool TryDescend(ref Node node, ref ReadOnlySpan<char> topic)
    {
        if (node.FirstChars is not { } firstChars)
        {
            return false;
        }

        int index = firstChars.AsSpan().IndexOf(topic[0]);
        if (index < 0)
        {
            return false;
        }

        var child = node.Children![index];
        if (!topic.StartsWith(child.Label))
        {
            return false;
        }

        topic = topic[child.Label.Length..];
        node = child;
        return true;
    }

    private sealed class Node(string label)
    {
        // The characters on the edge from the parent (never empty, except at the root).
        public string Label = label;

        // Children and, at the same index, the first character of each child's label (searched vectorised).
        public Node[]? Children;
        public char[]? FirstChars;

        // The values registered for exactly the prefix that ends at this node.
        public List<T>? Values;

        public int FindChild(char first) => FirstChars is null ? -1 : FirstChars.AsSpan().IndexOf(first);

        public void InsertChild(Node child)
        {
            int n = Children?.Length ?? 0;
            var children = new Node[n + 1];
            var firstChars = new char[n + 1];
            if (n > 0)
            {
                Children!.CopyTo(children, 0);
                FirstChars!.CopyTo(firstChars, 0);
            }

            children[n] = child;
            firstChars[n] = child.Label[0];
            Children = children;
            FirstChars = firstChars;
        }

        public void RemoveChildAt(int index)
        {
            int n = Children!.Length;
            if (n == 1)
            {
                Children = null;
                FirstChars = null;
                return;
            }

            var children = new Node[n - 1];
            var firstChars = new char[n - 1];
            Array.Copy(Children, 0, children, 0, index);
            Array.Copy(Children, index + 1, children, index, n - index - 1);
            Array.Copy(FirstChars!, 0, firstChars, 0, index);
            Array.Copy(FirstChars!, index + 1, firstChars, index, n - index - 1);
            Children = children;
            FirstChars = firstChars;
        }
    }
}
