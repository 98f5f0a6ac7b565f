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
    public static BackoffModel Estimate(CountTrie counts, Discount[] discounts, Vocabulary vocabulary)
    {
        int order = counts.Order;
        var model = ModelArrays.Allocate(counts.Keys);
        var levels = model.Levels;
        int vocabSize = vocabulary.Count;

        // Unigrams: discounted adjusted counts plus γ(empty) spread uniformly.
        var uniCounts = counts.Counts[0];
        var d1 = discounts[0];
        double denominator = 0, mass = 0;
        foreach (int c in uniCounts) { denominator += c; mass += d1.For(c); }
        double gamma = mass / denominator;
        double uniform = 1.0 / (vocabSize - 1); // <s> is never predicted
        var lowerProb = new double[vocabSize];
        for (int w = 0; w < vocabSize; w++)
        {
            int c = uniCounts[w];
            lowerProb[w] = w == Vocabulary.BeginId ? 1.0 : (c - d1.For(c)) / denominator + gamma * uniform;
        }
        ModelArrays.StoreLog10(lowerProb, model.Prob[0]);
        // Index of the context (prefix) of each n-gram in the order below; for bigrams it is the first word.
        int[] lowerPrefix = [];

        for (int n = 2; n <= order; n++)
        {
            var keys = counts.Keys[n - 1];
            var cs = counts.Counts[n - 1];
            var d = discounts[n - 1];
            var lowerLevel = levels[n - 2];
            int lowerCount = lowerProb.Length;
            var prefix = new int[keys.Length];
            var denom = new double[lowerCount];
            var massOf = new double[lowerCount];
            for (int i = 0; i < keys.Length; i++)
            {
                int word = (int)(uint)keys[i];
                int ctx = n == 2 ? word : lowerLevel.Find(lowerPrefix[(int)(keys[i] >> 32)], word);
                if (ctx < 0) throw new InvalidOperationException("n-gram context missing from the order below");
                prefix[i] = ctx;
                denom[ctx] += cs[i];
                massOf[ctx] += d.For(cs[i]);
            }
            var lowerBackoff = model.Backoff[n - 2]!;
            for (int h = 0; h < lowerCount; h++)
                if (denom[h] > 0) lowerBackoff[h] = (float)Math.Log10(massOf[h] / denom[h]);

            var prob = new double[keys.Length];
            for (int i = 0; i < keys.Length; i++)
            {
                int ctx = prefix[i];
                int c = cs[i];
                prob[i] = (c - d.For(c)) / denom[ctx] + massOf[ctx] / denom[ctx] * lowerProb[(int)(keys[i] >> 32)];
            }
            ModelArrays.StoreLog10(prob, model.Prob[n - 1]);
            lowerProb = prob;
            lowerPrefix = prefix;
        }
        return new BackoffModel(vocabulary, levels, isNormalized: true, smoothing: "kn");
    }
}
