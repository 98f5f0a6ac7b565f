using Perplex.Diagnostics;

namespace Perplex.NGram;

/// <summary>
/// Estimators that use raw counts and fit the ARPA backoff form: MLE, Katz backoff and stupid backoff.
/// Each stores, for every seen n-gram, a log10 score and, for every context, a log10 backoff, so the same
/// scoring, ARPA writer and binary format serve them all.
/// </summary>
internal static class CountBasedEstimators
{
    /// <summary>log10 of "probability zero" in ARPA files (what SRILM and KenLM write for log 0).</summary>
    public const float LogZero = -99f;

    /// <summary>
    /// Relative frequencies <c>c(hw) / c(h·)</c>. Unseen words after a seen context get probability 0 (backoff
    /// log10 -99); an unseen context falls back to the longest seen one. <c>&lt;unk&gt;</c> has probability 0.
    /// </summary>
    public static BackoffModel Mle(CountTrie counts, Vocabulary vocabulary) =>
        Relative(counts, vocabulary, contextBackoff: LogZero, unknown: LogZero, smoothing: "mle", normalized: true);

    /// <summary>
    /// Stupid backoff (Brants et al. 2007): <c>c(hw) / c(h·)</c> if seen, else <c>alpha · S(w | h')</c>. These are
    /// scores, not probabilities: they do not sum to one. Unknown words score <c>1 / tokens</c>.
    /// </summary>
    public static BackoffModel Stupid(CountTrie counts, Vocabulary vocabulary, double alpha)
    {
        if (!(alpha > 0 && alpha <= 1)) throw new PerplexException($"stupid backoff alpha must be in (0, 1], got {alpha}");
        double tokens = UnigramTotal(counts);
        return Relative(counts, vocabulary, (float)Math.Log10(alpha), (float)Math.Log10(1 / tokens), "stupid", normalized: false);
    }

    private static double UnigramTotal(CountTrie counts)
    {
        double total = 0;
        foreach (int c in counts.RawCounts[0]) total += c;
        return total;
    }

    private static BackoffModel Relative(CountTrie counts, Vocabulary vocabulary, float contextBackoff, float unknown, string smoothing, bool normalized)
    {
        var model = ModelArrays.Allocate(counts.Keys);
        var contexts = CountTrie.ContextIndexes(counts.Keys, model.Levels);
        var raw = counts.RawCounts;
        double total = UnigramTotal(counts);
        var uni = new double[raw[0].Length];
        for (int w = 0; w < uni.Length; w++) uni[w] = raw[0][w] / total;
        uni[Vocabulary.BeginId] = 1; // never predicted, like lmplz
        ModelArrays.StoreLog10(uni, model.Prob(0));
        model.Prob(0)[Vocabulary.UnknownId] = unknown;
        for (int n = 2; n <= counts.Order; n++)
        {
            var totals = ContextTotals(raw[n - 1], contexts[n - 1], raw[n - 2].Length);
            var p = new double[raw[n - 1].Length];
            for (int i = 0; i < p.Length; i++) p[i] = raw[n - 1][i] / totals[contexts[n - 1][i]];
            ModelArrays.StoreLog10(p, model.Prob(n - 1));
            var backoff = model.Backoff[n - 2]!;
            for (int h = 0; h < totals.Length; h++) if (totals[h] > 0) backoff[h] = contextBackoff;
        }
        return new BackoffModel(vocabulary, model.Levels, normalized, smoothing);
    }

    /// <summary>c(h·) for every context h one order below: the sum of the raw counts of its extensions.</summary>
    internal static double[] ContextTotals(int[] raw, int[] context, int contextCount)
    {
        var totals = new double[contextCount];
        for (int i = 0; i < raw.Length; i++) totals[context[i]] += raw[i];
        return totals;
    }

    /// <summary>
    /// Katz backoff: seen n-grams get Good-Turing discounted relative frequencies <c>d_r · c / c(h·)</c> (no discount
    /// above count 5), the freed mass goes to unseen words in proportion to the lower order, scaled by
    /// <c>α(h) = (1 - Σseen p(w|h)) / (1 - Σseen p(w|h'))</c>. At unigram level the freed mass goes to <c>&lt;unk&gt;</c>.
    /// Where Good-Turing is undefined for an order (a count-of-count is zero or a ratio is out of range) the order
    /// uses absolute discounting by 0.5 instead, with a warning.
    /// </summary>
    public static BackoffModel Katz(CountTrie counts, Vocabulary vocabulary, IProgressSink progress)
    {
        const int K = 5;
        var model = ModelArrays.Allocate(counts.Keys);
        var contexts = CountTrie.ContextIndexes(counts.Keys, model.Levels);
        var raw = counts.RawCounts;

        var d = GoodTuring(raw[0], K, 1, progress);
        double total = UnigramTotal(counts);
        var lower = new double[raw[0].Length];
        double seen = 0;
        for (int w = 0; w < lower.Length; w++)
        {
            int c = raw[0][w];
            lower[w] = c == 0 ? 0 : Discounted(d, c, K) / total;
            seen += lower[w];
        }
        lower[Vocabulary.UnknownId] = Math.Max(0, 1 - seen);
        lower[Vocabulary.BeginId] = 1;
        ModelArrays.StoreLog10(lower, model.Prob(0));
        if (lower[Vocabulary.UnknownId] == 0) model.Prob(0)[Vocabulary.UnknownId] = LogZero;

        for (int n = 2; n <= counts.Order; n++)
        {
            var r = raw[n - 1];
            var ctx = contexts[n - 1];
            var keys = counts.Keys[n - 1];
            d = GoodTuring(r, K, n, progress);
            var totals = ContextTotals(r, ctx, raw[n - 2].Length);
            var p = new double[r.Length];
            var seenMass = new double[totals.Length];
            var lowerMass = new double[totals.Length];
            for (int i = 0; i < r.Length; i++)
            {
                p[i] = Discounted(d, r[i], K) / totals[ctx[i]];
                seenMass[ctx[i]] += p[i];
                lowerMass[ctx[i]] += lower[(int)(keys[i] >> 32)]; // p(w | h') is the stored suffix n-gram
            }
            ModelArrays.StoreLog10(p, model.Prob(n - 1));
            var backoff = model.Backoff[n - 2]!;
            for (int h = 0; h < totals.Length; h++)
            {
                if (totals[h] == 0) continue;
                double free = 1 - seenMass[h], rest = 1 - lowerMass[h];
                backoff[h] = free <= 1e-12 || rest <= 1e-12 ? LogZero : (float)Math.Log10(free / rest);
            }
            lower = p;
        }
        return new BackoffModel(vocabulary, model.Levels, isNormalized: true, smoothing: "katz");
    }

    private static double Discounted(double[] d, int count, int k) => count > k ? count : d[count] * count;

    /// <summary>Katz's Good-Turing discount ratios d_1..d_k from the count-of-counts of one order.</summary>
    private static double[] GoodTuring(int[] raw, int k, int order, IProgressSink progress)
    {
        var n = new long[k + 2];
        foreach (int c in raw) if (c >= 1 && c <= k + 1) n[c]++;
        var d = new double[k + 1];
        bool ok = n[1] > 0;
        double a = ok ? (k + 1) * (double)n[k + 1] / n[1] : 0;
        for (int r = 1; r <= k && ok; r++)
        {
            if (n[r] == 0 || n[r + 1] == 0 || a >= 1) { ok = false; break; }
            double rStar = (r + 1) * (double)n[r + 1] / n[r];
            d[r] = (rStar / r - a) / (1 - a);
            if (!(d[r] > 0 && d[r] <= 1)) ok = false;
        }
        if (ok) return d;
        progress.Warn($"Good-Turing discounts are undefined for {order}-grams (too little data); using absolute discounting by 0.5");
        for (int r = 1; r <= k; r++) d[r] = (r - 0.5) / r;
        return d;
    }
}
