using System.Runtime.CompilerServices;

namespace Perplex.NGram;

/// <summary>
/// Forward index of a backoff model: for every context n-gram, the n-grams that extend it by one word, plus the
/// vocabulary sorted by unigram probability. It makes autocomplete and sampling exact without scoring the whole
/// vocabulary: a word that extends none of the context's suffixes scores "all backoffs + log10 p(w)", which is
/// monotone in the unigram probability, so only explicit extensions and the best unigrams can win.
/// Built once per model on first use.
/// </summary>
internal sealed unsafe class ForwardIndex
{
    private static readonly ConditionalWeakTable<BackoffModel, ForwardIndex> Cache = new();

    private readonly BackoffModel _model;
    // _offsets[n][c] .. _offsets[n][c+1]: entries of order n+1 whose context is entry c of order n (index 0 unused).
    private readonly int[][] _offsets;
    private readonly int[][] _children;
    /// <summary>Predictable words (no &lt;s&gt;, no &lt;unk&gt;) by decreasing unigram probability.</summary>
    private readonly int[] _byUnigram;
    /// <summary>Cumulative unigram probabilities along <see cref="_byUnigram"/>.</summary>
    private readonly double[] _cumulative;

    private ForwardIndex(BackoffModel model)
    {
        _model = model;
        var levels = model.Levels;
        int order = levels.Length;
        _offsets = new int[order][];
        _children = new int[order][];
        int[] lowerContexts = [];
        for (int n = 2; n <= order; n++)
        {
            var level = levels[n - 1];
            var keys = new ReadOnlySpan<ulong>(level.Keys, level.Count);
            var contexts = CountTrie.NextContextIndexes(keys, n, lowerContexts, levels[n - 2]);
            var offsets = new int[levels[n - 2].Count + 1];
            foreach (int c in contexts) offsets[c + 1]++;
            for (int c = 0; c < offsets.Length - 1; c++) offsets[c + 1] += offsets[c];
            var fill = (int[])offsets.Clone();
            var children = new int[contexts.Length];
            for (int i = 0; i < contexts.Length; i++) children[fill[contexts[i]]++] = i;
            _offsets[n - 1] = offsets;
            _children[n - 1] = children;
            lowerContexts = contexts;
        }
        var uni = levels[0];
        _byUnigram = Enumerable.Range(0, uni.Count)
            .Where(w => w != Vocabulary.BeginId && w != Vocabulary.UnknownId)
            .OrderByDescending(w => uni.Prob[w]).ThenBy(w => w).ToArray();
        _cumulative = new double[_byUnigram.Length];
        double sum = 0;
        for (int i = 0; i < _byUnigram.Length; i++) _cumulative[i] = sum += Math.Pow(10, uni.Prob[_byUnigram[i]]);
    }

    public static ForwardIndex For(BackoffModel model) => Cache.GetValue(model, m => new ForwardIndex(m));

    /// <summary>Words that extend some suffix of the context explicitly (they may beat their unigram rank).</summary>
    private HashSet<int> ExplicitCandidates(in ModelState state)
    {
        var levels = _model.Levels;
        var result = new HashSet<int>();
        int node = -1;
        for (int k = 1; k <= state.Length && k < levels.Length; k++)
        {
            node = k == 1 ? state.Words[0] : levels[k - 1].Find(node, state.Words[k - 1]);
            if (node < 0 || (uint)node >= (uint)levels[k - 1].Count) break;
            var offsets = _offsets[k];
            var level = levels[k];
            for (int j = offsets[node]; j < offsets[node + 1]; j++)
            {
                // Entry j of order k+1 is (context words, w); its own key holds the first word, so walk to the last.
                int entry = _children[k][j], last = entry;
                for (int m = k + 1; m >= 2; m--) last = levels[m - 1].Parent(last);
                if (last != Vocabulary.UnknownId && last != Vocabulary.BeginId) result.Add(last);
            }
        }
        return result;
    }

    /// <summary>Exact top-k next words with their scores.</summary>
    public List<(int Word, float Score)> Top(in ModelState state, int k)
    {
        var candidates = ExplicitCandidates(state);
        int extra = 0;
        foreach (int w in _byUnigram)
        {
            if (extra >= k) break;
            if (candidates.Add(w)) extra++;
        }
        var scored = new List<(int Word, float Score)>(candidates.Count);
        foreach (int w in candidates) scored.Add((w, _model.Score(state, w, out _, out _)));
        return scored.OrderByDescending(x => x.Score).ThenBy(x => x.Word).Take(k).ToList();
    }

    /// <summary>
    /// Draws the next word from the model's distribution (normalized over predictable words if the model is not a
    /// probability model): explicit candidates are scored one by one; the rest of the mass follows the unigram
    /// distribution, drawn by inverse CDF with rejection of candidates.
    /// </summary>
    public int Sample(in ModelState state, Random random)
    {
        var candidates = ExplicitCandidates(state);
        candidates.Add(Vocabulary.EndId);
        double explicitMass = 0, explicitUnigram = 0;
        var words = new List<(int Word, double P)>(candidates.Count);
        foreach (int w in candidates)
        {
            double p = Math.Pow(10, _model.Score(state, w, out _, out _));
            words.Add((w, p));
            explicitMass += p;
            explicitUnigram += Math.Pow(10, _model.Levels[0].Prob[w]);
        }
        // Every other word w scores B·p1(w), B = 10^(sum of all context backoffs): the score of any such word / p1.
        double backoff = BackoffFactor(state);
        double restMass = Math.Max(0, backoff * (_cumulative[^1] - explicitUnigram));
        double u = random.NextDouble() * (explicitMass + restMass);
        foreach (var (w, p) in words)
        {
            if (u < p) return w;
            u -= p;
        }
        for (int attempt = 0; attempt < 10_000; attempt++)
        {
            int i = Array.BinarySearch(_cumulative, random.NextDouble() * _cumulative[^1]);
            int w = _byUnigram[Math.Min(i < 0 ? ~i : i, _byUnigram.Length - 1)];
            if (!candidates.Contains(w)) return w;
        }
        // Candidates hold nearly all unigram mass (only rounding left over): take the likeliest other word, if any.
        foreach (int w in _byUnigram) if (!candidates.Contains(w)) return w;
        return Vocabulary.EndId;
    }

    private double BackoffFactor(in ModelState state)
    {
        float sum = 0;
        for (int j = 0; j < state.Length; j++) sum += state.Backoffs[j];
        return Math.Pow(10, sum);
    }
}
