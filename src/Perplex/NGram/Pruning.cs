namespace Perplex.NGram;

/// <summary>Count-threshold pruning like <c>lmplz --prune</c>.</summary>
internal static class Pruning
{
    /// <summary>
    /// Marks n-grams of order i+1 whose raw count is at most <c>thresholds[i]</c> (the last threshold repeats).
    /// Thresholds must not decrease with the order, so every kept n-gram's prefix and suffix are kept too;
    /// unigrams are never pruned. Returns null when nothing is pruned.
    /// </summary>
    public static bool[][]? Mark(CountTrie counts, IReadOnlyList<long>? thresholds)
    {
        if (thresholds is null || thresholds.Count == 0 || thresholds.All(t => t == 0)) return null;
        if (thresholds.Any(t => t < 0)) throw new PerplexException("--prune thresholds must be 0 or more");
        if (thresholds[0] != 0) throw new PerplexException("--prune: unigrams cannot be pruned; the first threshold must be 0");
        for (int i = 1; i < thresholds.Count; i++)
            if (thresholds[i] < thresholds[i - 1])
                throw new PerplexException("--prune thresholds must not decrease with the order (e.g. 0 1 1)");
        var marks = new bool[counts.Order][];
        marks[0] = new bool[counts.Keys[0].Length];
        for (int n = 2; n <= counts.Order; n++)
        {
            long t = thresholds[Math.Min(n - 1, thresholds.Count - 1)];
            var raw = counts.RawCounts[n - 1];
            var keys = counts.Keys[n - 1];
            var m = new bool[raw.Length];
            for (int i = 0; i < raw.Length; i++) m[i] = raw[i] <= t || marks[n - 2][(int)(keys[i] >> 32)];
            marks[n - 1] = m;
        }
        return marks;
    }

    /// <summary>Removes marked n-grams, renumbering parents; contexts left without extensions get backoff 0.</summary>
    public static BackoffModel Apply(ModelArrays model, bool[][] pruned, Vocabulary vocabulary, string smoothing)
    {
        int order = model.Levels.Length;
        var keys = new ulong[order][];
        var prob = new float[order][];
        var backoff = new float[]?[order];
        keys[0] = CopyKeys(model.Levels[0]);
        prob[0] = PinnedArray.CopyOf<float>(model.Prob(0)); // copied (they may live in reused count storage) and pinned: the level holds a pointer
        backoff[0] = model.Backoff[0];
        int[] newIndex = Enumerable.Range(0, keys[0].Length).ToArray();
        for (int n = 2; n <= order; n++)
        {
            var level = model.Levels[n - 1];
            var marks = pruned[n - 1];
            int kept = marks.Count(m => !m);
            var k = PinnedArray.Allocate<ulong>(kept);
            var p = PinnedArray.Allocate<float>(kept);
            var b = n < order ? PinnedArray.Allocate<float>(kept) : null;
            var next = new int[level.Count];
            int j = 0;
            for (int i = 0; i < level.Count; i++)
            {
                if (marks[i]) { next[i] = -1; continue; }
                int parent = newIndex[level.Parent(i)];
                k[j] = NGramLevel.Key(parent, level.Word(i));
                p[j] = model.Prob(n - 1)[i];
                if (b is not null) b[j] = model.Backoff[n - 1]![i];
                next[i] = j++;
            }
            keys[n - 1] = k;
            prob[n - 1] = p;
            backoff[n - 1] = b;
            newIndex = next;
        }
        // A context whose every extension was pruned is no longer a context: backoff 0, as lmplz writes.
        var contexts = CountTrie.ContextIndexes(keys, BuildLevels(keys, prob, backoff));
        for (int n = 2; n <= order; n++)
        {
            var isContext = new bool[keys[n - 2].Length];
            foreach (int c in contexts[n - 1]) isContext[c] = true;
            var b = backoff[n - 2]!;
            for (int h = 0; h < b.Length; h++) if (!isContext[h]) b[h] = 0;
        }
        return new BackoffModel(vocabulary, BuildLevels(keys, prob, backoff), isNormalized: true, smoothing);
    }

    private static unsafe ulong[] CopyKeys(NGramLevel level)
    {
        var k = PinnedArray.Allocate<ulong>(level.Count);
        new ReadOnlySpan<ulong>(level.Keys, level.Count).CopyTo(k);
        return k;
    }

    private static NGramLevel[] BuildLevels(ulong[][] keys, float[][] prob, float[]?[] backoff)
    {
        var levels = new NGramLevel[keys.Length];
        for (int i = 0; i < keys.Length; i++) levels[i] = NGramLevel.FromArrays(i + 1, keys[i], prob[i], backoff[i]);
        return levels;
    }
}
