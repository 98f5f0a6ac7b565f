namespace Perplex.NGram;

/// <summary>
/// Counts for every order in the reversed-trie layout of <see cref="NGramLevel"/>: order 1 is indexed by word id;
/// order n keys are <c>(index of suffix in order n-1) &lt;&lt; 32 | first word</c>, sorted. Counts are raw for the
/// highest order and for n-grams starting with <c>&lt;s&gt;</c>, adjusted (continuation) counts otherwise.
/// </summary>
internal sealed class CountTrie
{
    public CountTrie(ulong[][] keys, int[][] counts, int[][] rawCounts, CountOfCounts stats)
    {
        Keys = keys;
        Counts = counts;
        RawCounts = rawCounts;
        Stats = stats;
    }

    /// <summary>Raw occurrence counts parallel to <see cref="Keys"/> (what MLE, add-k, Katz and stupid backoff use).</summary>
    public int[][] RawCounts { get; }

    /// <summary>Keys per order (index 0 = unigrams, whose key is the word id).</summary>
    public ulong[][] Keys { get; }

    /// <summary>Counts parallel to <see cref="Keys"/>.</summary>
    public int[][] Counts { get; }

    /// <summary>Count-of-counts per order, the input of the discounts.</summary>
    public CountOfCounts Stats { get; }

    public int Order => Keys.Length;

    /// <summary>
    /// For each n-gram of each order, the index of its context (all words but the last) one order below;
    /// for bigrams that is the first word's id. Index 0 (unigrams) is empty.
    /// </summary>
    public static int[][] ContextIndexes(ulong[][] keys, NGramLevel[] levels)
    {
        var result = new int[keys.Length][];
        result[0] = [];
        for (int n = 2; n <= keys.Length; n++) result[n - 1] = NextContextIndexes(keys[n - 1], n, result[n - 2], levels[n - 2]);
        return result;
    }

    /// <summary>Context indexes of the order-<paramref name="n"/> n-grams, given those of order n-1.</summary>
    public static int[] NextContextIndexes(ReadOnlySpan<ulong> keys, int n, int[] lowerContexts, NGramLevel lowerLevel)
    {
        var prefix = new int[keys.Length];
        for (int i = 0; i < keys.Length; i++)
        {
            int word = (int)(uint)keys[i];
            prefix[i] = n == 2 ? word : lowerLevel.Find(lowerContexts[(int)(keys[i] >> 32)], word);
            if (prefix[i] < 0) throw new InvalidOperationException("n-gram context missing from the order below");
        }
        return prefix;
    }
}

/// <summary>For each order, how many n-grams have (adjusted) count 0..4, and how many there are in total.</summary>
internal sealed class CountOfCounts
{
    public CountOfCounts(int order)
    {
        N = new long[order][];
        for (int i = 0; i < order; i++) N[i] = new long[5];
        Total = new long[order];
    }

    /// <summary>N[order-1][c] = number of n-grams with count c (c &lt; 5).</summary>
    public long[][] N { get; }

    /// <summary>Number of n-grams per order.</summary>
    public long[] Total { get; }

    public void Add(int order, long count)
    {
        Total[order - 1]++;
        if (count < 5) N[order - 1][count]++;
    }
}
