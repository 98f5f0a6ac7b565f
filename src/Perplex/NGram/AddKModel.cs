namespace Perplex.NGram;

/// <summary>
/// Add-k smoothing on the full context (Laplace for k = 1, Lidstone otherwise):
/// <c>p(w | h) = (c(hw) + k) / (c(h·) + k·|V|)</c> with |V| the vocabulary without <c>&lt;s&gt;</c>; an unseen
/// context gives the uniform distribution. Not expressible as ARPA (an unseen word's probability depends on the
/// context's total, not on a lower order), so it is stored in the binary format only.
/// </summary>
public sealed unsafe class AddKModel : ILanguageModel, IDisposable
{
    // Each level reuses NGramLevel: Prob holds the raw count and Backoff the context total c(h·), as float bits.
    internal readonly NGramLevel[] Levels;
    private readonly IDisposable? _mapping;

    internal AddKModel(Vocabulary vocabulary, NGramLevel[] levels, double k, long tokens, IDisposable? mapping = null)
    {
        if (!(k > 0)) throw new PerplexException($"add-k needs k > 0, got {k}");
        Vocabulary = vocabulary;
        Levels = levels;
        K = k;
        Tokens = tokens;
        _mapping = mapping;
    }

    /// <summary>The added pseudo-count.</summary>
    public double K { get; }

    /// <summary>Total count of predicted tokens (words and <c>&lt;/s&gt;</c>), the empty context's c(h·).</summary>
    public long Tokens { get; }

    /// <inheritdoc />
    public Vocabulary Vocabulary { get; }

    /// <inheritdoc />
    public int Order => Levels.Length;

    /// <inheritdoc />
    public bool IsNormalized => true;

    internal static AddKModel FromCounts(CountTrie counts, Vocabulary vocabulary, double k)
    {
        var model = ModelArrays.Allocate(counts.Keys);
        var contexts = CountTrie.ContextIndexes(counts.Keys, model.Levels);
        long tokens = 0;
        foreach (int c in counts.RawCounts[0]) tokens += c;
        for (int n = 1; n <= counts.Order; n++)
        {
            var raw = counts.RawCounts[n - 1];
            for (int i = 0; i < raw.Length; i++) model.Prob(n - 1)[i] = BitConverter.Int32BitsToSingle(raw[i]);
            if (n == 1) continue;
            var totals = CountBasedEstimators.ContextTotals(raw, contexts[n - 1], counts.RawCounts[n - 2].Length);
            var target = model.Backoff[n - 2]!;
            for (int h = 0; h < totals.Length; h++) target[h] = BitConverter.Int32BitsToSingle((int)totals[h]);
        }
        return new AddKModel(vocabulary, model.Levels, k, tokens);
    }

    /// <inheritdoc />
    public ModelState BeginSentenceState()
    {
        var state = new ModelState();
        if (Order > 1) { state.Length = 1; state.Words[0] = Vocabulary.BeginId; }
        return state;
    }

    /// <inheritdoc />
    public ModelState NullContextState() => new();

    /// <inheritdoc />
    public float Score(in ModelState state, int word, out ModelState next, out int matchedLength)
    {
        // A copy: callers may pass one variable as both the context and next.
        var context = state;
        if ((uint)word >= (uint)Levels[0].Count) word = Vocabulary.UnknownId;
        int length = Math.Min(context.Length, Order - 1);

        // c(h·): walk the context from its newest word back.
        double contextTotal = Tokens;
        if (length > 0)
        {
            int node = context.Words[0];
            for (int j = 1; j < length && node >= 0; j++) node = Levels[j].Find(node, context.Words[j]);
            contextTotal = node < 0 ? 0 : BitConverter.SingleToInt32Bits(Levels[length - 1].Backoff[node]);
        }
        // c(hw): walk from the word back through the context.
        int gram = word, matched = 1;
        for (int j = 0; j < length; j++)
        {
            int child = Levels[j + 1].Find(gram, context.Words[j]);
            if (child < 0) { gram = -1; break; }
            gram = child;
            matched = j + 2;
        }
        double count = gram < 0 ? 0 : BitConverter.SingleToInt32Bits(Levels[length].Prob[gram]);
        int vocabularySize = Vocabulary.Count - 1;
        double p = (count + K) / (contextTotal + K * vocabularySize);

        next = new ModelState();
        if (Order > 1)
        {
            next.Words[0] = word;
            int keep = Math.Min(length + 1, Order - 1);
            for (int j = 1; j < keep; j++) next.Words[j] = context.Words[j - 1];
            next.Length = keep;
        }
        matchedLength = matched;
        return (float)Math.Log10(p);
    }

    /// <summary>Releases the memory mapping of a binary model.</summary>
    public void Dispose() => _mapping?.Dispose();
}
