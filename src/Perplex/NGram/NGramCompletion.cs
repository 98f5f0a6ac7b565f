namespace Perplex.NGram;

/// <summary>One candidate next word.</summary>
/// <param name="Word">The word (<c>&lt;/s&gt;</c> = end of sentence).</param>
/// <param name="Log10Score">The model's log10 score.</param>
/// <param name="Probability">The probability (for stupid backoff: the score normalized over the vocabulary).</param>
public readonly record struct NextWord(string Word, float Log10Score, double Probability);

/// <summary>Autocomplete (top-k next words) and sampled generation for any <see cref="ILanguageModel"/>.</summary>
public static class NGramCompletion
{
    /// <summary>The state after reading <paramref name="context"/> (whitespace-separated words), from the start of a sentence unless <paramref name="sentenceStart"/> is false.</summary>
    public static ModelState StateAfter(ILanguageModel model, string context, bool sentenceStart = true)
    {
        var state = sentenceStart ? model.BeginSentenceState() : model.NullContextState();
        foreach (var word in WordSplitter.Split(context)) model.Score(state, model.Vocabulary.Find(word), out state, out _);
        return state;
    }

    /// <summary>Scores of every word that can follow (everything but <c>&lt;s&gt;</c>), as probabilities summing to 1.</summary>
    private static double[] Distribution(ILanguageModel model, in ModelState state, bool includeUnknown)
    {
        int v = model.Vocabulary.Count;
        var p = new double[v];
        double sum = 0;
        for (int w = 0; w < v; w++)
        {
            if (w == Vocabulary.BeginId || (w == Vocabulary.UnknownId && !includeUnknown)) continue;
            p[w] = Math.Pow(10, model.Score(state, w, out _, out _));
            sum += p[w];
        }
        // Probabilities already sum to one for normalized models; stupid backoff scores are normalized here.
        if (!model.IsNormalized && sum > 0) for (int w = 0; w < v; w++) p[w] /= sum;
        return p;
    }

    /// <summary>
    /// The <paramref name="k"/> most likely next words after <paramref name="state"/>, best first. Exact: every word
    /// of the vocabulary is scored, so backed-off candidates are ranked correctly too. <c>&lt;unk&gt;</c> is left out.
    /// </summary>
    public static IReadOnlyList<NextWord> Top(ILanguageModel model, in ModelState state, int k)
    {
        if (k < 1) throw new PerplexException($"-k must be at least 1, got {k}");
        var p = Distribution(model, state, includeUnknown: false);
        var best = new PriorityQueue<int, double>();
        for (int w = 0; w < p.Length; w++)
        {
            if (p[w] <= 0) continue;
            if (best.Count < k) best.Enqueue(w, p[w]);
            else if (p[w] > p[best.Peek()]) best.EnqueueDequeue(w, p[w]);
        }
        var result = new List<NextWord>();
        while (best.Count > 0)
        {
            int w = best.Dequeue();
            result.Add(new NextWord(model.Vocabulary[w], (float)Math.Log10(p[w]), p[w]));
        }
        result.Reverse();
        return result;
    }

    /// <summary>
    /// Samples words after <paramref name="state"/> until <c>&lt;/s&gt;</c> or <paramref name="maxWords"/>; the same
    /// <paramref name="random"/> seed gives the same text. <c>&lt;unk&gt;</c> is never produced.
    /// </summary>
    public static List<string> Sample(ILanguageModel model, ModelState state, Random random, int maxWords = 100)
    {
        var words = new List<string>();
        for (int i = 0; i < maxWords; i++)
        {
            var p = Distribution(model, state, includeUnknown: false);
            double total = 0;
            foreach (double x in p) total += x;
            double u = random.NextDouble() * total;
            int chosen = Vocabulary.EndId;
            for (int w = 0; w < p.Length; w++)
            {
                if (p[w] <= 0) continue;
                chosen = w;
                u -= p[w];
                if (u < 0) break;
            }
            if (chosen == Vocabulary.EndId) break;
            words.Add(model.Vocabulary[chosen]);
            model.Score(state, chosen, out state, out _);
        }
        return words;
    }
}
