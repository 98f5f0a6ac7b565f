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
    /// The <paramref name="k"/> most likely next words after <paramref name="state"/>, best first, <c>&lt;unk&gt;</c> left
    /// out. Exact: backoff models use a forward index (explicit extensions of the context plus the best unigrams, the
    /// only words that can win); other models score the whole vocabulary.
    /// </summary>
    public static IReadOnlyList<NextWord> Top(ILanguageModel model, in ModelState state, int k)
    {
        if (k < 1) throw new PerplexException($"-k must be at least 1, got {k}");
        if (model is BackoffModel backoff) return TopWithIndex(backoff, state, k);
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

    private static List<NextWord> TopWithIndex(BackoffModel model, in ModelState state, int k)
    {
        var top = ForwardIndex.For(model).Top(state, k);
        double normalizer = 1;
        if (!model.IsNormalized)
        {
            // Stupid backoff: probabilities are scores normalized over the vocabulary, as the full scan does.
            normalizer = 0;
            for (int w = 0; w < model.Vocabulary.Count; w++)
                if (w != Vocabulary.BeginId && w != Vocabulary.UnknownId) normalizer += Math.Pow(10, model.Score(state, w, out _, out _));
        }
        return top.Select(t => new NextWord(model.Vocabulary[t.Word], (float)(t.Score - Math.Log10(normalizer)), Math.Pow(10, t.Score) / normalizer)).ToList();
    }

    /// <summary>
    /// Samples words after <paramref name="state"/> until <c>&lt;/s&gt;</c> or <paramref name="maxWords"/>; the same
    /// <paramref name="random"/> seed gives the same text. <c>&lt;unk&gt;</c> is never produced.
    /// </summary>
    public static List<string> Sample(ILanguageModel model, ModelState state, Random random, int maxWords = 100)
    {
        var words = new List<string>();
        var index = model is BackoffModel b ? ForwardIndex.For(b) : null;
        for (int i = 0; i < maxWords; i++)
        {
            if (index is not null)
            {
                int next = index.Sample(state, random);
                if (next == Vocabulary.EndId) break;
                words.Add(model.Vocabulary[next]);
                model.Score(state, next, out state, out _);
                continue;
            }
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
