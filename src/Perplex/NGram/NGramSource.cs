namespace Perplex.NGram;

/// <summary>A stream of distinct n-grams (all of one order) in suffix order, each with its count.</summary>
internal interface INGramSource : IDisposable
{
    /// <summary>Advances to the next n-gram; false at the end.</summary>
    bool MoveNext();

    /// <summary>The word ids of the current n-gram.</summary>
    ReadOnlySpan<int> Current { get; }

    /// <summary>How often the current n-gram occurred.</summary>
    int Count { get; }
}

/// <summary>
/// Suffix order, the order lmplz sorts n-grams in: compare the last word first, then the one before it, and so on.
/// With it, all n-grams sharing a suffix are adjacent, which lets lower orders be derived in one pass.
/// </summary>
internal static class SuffixOrder
{
    public static int Compare(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        for (int i = a.Length - 1; i >= 0; i--)
        {
            int c = a[i].CompareTo(b[i]);
            if (c != 0) return c;
        }
        return 0;
    }
}
