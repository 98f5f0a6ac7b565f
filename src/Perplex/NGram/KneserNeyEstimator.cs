using System.Numerics;

namespace Perplex.NGram;

/// <summary>
/// Interpolated modified Kneser-Ney exactly as lmplz computes it:
/// <c>p(w|h) = (c(hw) - D(c(hw))) / Σx c(hx) + γ(h)·p(w|h')</c> with <c>γ(h) = (D1·N1(h) + D2·N2(h) + D3·N3+(h)) / Σx c(hx)</c>;
/// unigrams are interpolated with the uniform distribution over the vocabulary without <c>&lt;s&gt;</c>;
/// <c>&lt;unk&gt;</c> gets only its uniform share; <c>&lt;s&gt;</c> gets probability 1 (log 0) and a real backoff.
/// The stored backoff of a context is log10 γ(h).
/// </summary>
internal static class KneserNeyEstimator
{
    /// <param name="counts">Adjusted counts.</param>
    /// <param name="discounts">Per order.</param>
    /// <param name="vocabulary">The words.</param>
    /// <param name="pruned">Per order, which n-grams <c>--prune</c> removes (null = none). As in lmplz, a pruned
    /// n-gram's whole count goes to its context's backoff mass instead of only its discount.</param>
    public static BackoffModel Estimate(CountTrie counts, Discount[] discounts, Vocabulary vocabulary, bool[][]? pruned = null)
    {
        int order = counts.Order;
        // Each order's probabilities overwrite its counts in place (count i is read before probability i is written).
        var model = ModelArrays.Allocate(counts.Keys, counts.Counts);
        var levels = model.Levels;
        int vocabSize = vocabulary.Count;

        // Unigrams: discounted adjusted counts plus γ(empty) spread uniformly.
        // Memory: each order's probabilities are written over its counts (count i is read before probability i is
        // written) and stay linear while the next order reads them as the lower-order distribution; only then are
        // they turned into log10 in place. γ(h) is accumulated in the backoff array of the context order and made
        // log10 once the order above is done. So the only per-order temporaries are the context indexes and the
        // exact denominators.
        var uniCounts = counts.Counts[0];
        var d1 = discounts[0];
        double denominator = 0, mass = 0;
        foreach (int c in uniCounts) { denominator += c; mass += d1.For(c); }
        double emptyGamma = mass / denominator;
        double uniform = 1.0 / (vocabSize - 1); // <s> is never predicted
        // Like lmplz, probabilities are kept in 32-bit floats (half the memory of doubles, and closer to its output).
        var lowerProb = model.Prob(0);
        for (int w = 0; w < vocabSize; w++)
        {
            int c = uniCounts[w];
            lowerProb[w] = w == Vocabulary.BeginId ? 1f : (float)((c - d1.For(c)) / denominator + emptyGamma * uniform);
        }
        int[] lowerContexts = [];

        for (int n = 2; n <= order; n++)
        {
            var keys = counts.Keys[n - 1];
            var cs = counts.Counts[n - 1];
            var d = discounts[n - 1];
            var prefix = CountTrie.NextContextIndexes(keys, n, lowerContexts, levels[n - 2]);
            lowerContexts = [];
            levels[n - 2].DropSlots(); // looked up for the last time: rebuilt only if the finished model needs it
            // Per context: Σx c(hx), exact in an int when the order's counts allow (half the memory), else a long.
            long sum = 0;
            foreach (int c in cs) sum += c;
            var gamma = model.Backoff[n - 2]!;
            var prob = model.Prob(n - 1); // the same memory as cs
            var prunedHere = pruned?[n - 1];
            if (sum <= int.MaxValue) EstimateOrder<int>(keys, cs, prob, d, prefix, prunedHere, gamma, lowerProb);
            else EstimateOrder<long>(keys, cs, prob, d, prefix, prunedHere, gamma, lowerProb);
            ModelArrays.StoreLog10(lowerProb, lowerProb);
            lowerProb = prob;
            lowerContexts = prefix;
            prefix = [];
            MemoryRelease.Now(); // the per-order temporaries are large arrays without references: collecting is cheap, the peak drops
        }
        ModelArrays.StoreLog10(lowerProb, lowerProb);
        lowerContexts = [];
        if (pruned is not null) return Pruning.Apply(model, pruned, vocabulary, "kn");
        return new BackoffModel(vocabulary, model.Levels, isNormalized: true, smoothing: "kn");
    }

    /// <summary>
    /// One order n ≥ 2: γ(h) of every context (linear, in <paramref name="gamma"/>, the context order's backoff array,
    /// made log10 at the end) and the linear probabilities written over the counts.
    /// </summary>
    private static void EstimateOrder<TSum>(ulong[] keys, int[] cs, Span<float> prob, Discount d, int[] prefix, bool[]? pruned,
        float[] gamma, Span<float> lowerProb) where TSum : struct, IBinaryInteger<TSum>
    {
        var denom = new TSum[gamma.Length];
        // The discount mass is summed in double: a context such as <s> has hundreds of thousands of continuations,
        // and adding D ≈ 0.9 that often to a float total loses the fractions (γ(<s>) was 0.14 % off lmplz's on NSMC).
        var mass = new double[gamma.Length];
        for (int i = 0; i < keys.Length; i++)
        {
            int ctx = prefix[i];
            denom[ctx] += TSum.CreateTruncating(cs[i]);
            mass[ctx] += pruned is not null && pruned[i] ? cs[i] : d.For(cs[i]);
        }
        for (int h = 0; h < gamma.Length; h++)
            if (denom[h] != TSum.Zero) gamma[h] = (float)(mass[h] / double.CreateTruncating(denom[h]));
        for (int i = 0; i < keys.Length; i++)
        {
            int ctx = prefix[i];
            int c = cs[i]; // read before prob[i], the same memory, is written
            prob[i] = (c - d.For(c)) / float.CreateTruncating(denom[ctx]) + gamma[ctx] * lowerProb[(int)(keys[i] >> 32)];
        }
        for (int h = 0; h < gamma.Length; h++)
            if (denom[h] != TSum.Zero) gamma[h] = (float)Math.Log10(gamma[h]);
    }
}
