using System.Runtime.Intrinsics.X86;

namespace Perplex.NGram;

/// <summary>
/// A backoff n-gram model as an ARPA file describes it: for every stored n-gram a log10 probability and (below
/// the highest order) a log10 backoff. Scoring follows KenLM exactly: use the longest stored n-gram ending in the
/// word, plus the backoffs of every longer context that is stored. Built by the estimators, read from ARPA, or
/// memory-mapped from the binary format.
/// </summary>
public sealed class BackoffModel : ILanguageModel, IDisposable
{
    internal readonly NGramLevel[] Levels;
    /// <summary>Hash-keyed copies of orders 2..N for fast scoring (binary models), or null: then the trie is walked.</summary>
    internal readonly ProbingTable<NGramEntry>[]? Probing;
    private readonly IDisposable? _mapping;

    internal BackoffModel(Vocabulary vocabulary, NGramLevel[] levels, bool isNormalized, string smoothing, IDisposable? mapping = null,
        ProbingTable<NGramEntry>[]? probing = null)
    {
        if (levels.Length is < 1 or > ModelState.MaxOrder)
            throw new PerplexException($"order {levels.Length} is not supported (1 to {ModelState.MaxOrder})");
        Vocabulary = vocabulary;
        Levels = levels;
        IsNormalized = isNormalized;
        Smoothing = smoothing;
        _mapping = mapping;
        Probing = levels.Length > 1 ? probing : null;
    }

    /// <inheritdoc />
    public Vocabulary Vocabulary { get; }

    /// <inheritdoc />
    public int Order => Levels.Length;

    /// <inheritdoc />
    public bool IsNormalized { get; }

    /// <summary>How the model was estimated, e.g. "kn" or "stupid"; "arpa" when read from an ARPA file.</summary>
    public string Smoothing { get; }

    /// <summary>Number of stored n-grams per order (index 0 = unigrams).</summary>
    public long[] NGramCounts => Levels.Select(l => (long)l.Count).ToArray();

    /// <inheritdoc />
    public unsafe ModelState BeginSentenceState()
    {
        var state = new ModelState();
        if (Order > 1)
        {
            state.Length = 1;
            state.Words[0] = Vocabulary.BeginId;
            state.Backoffs[0] = Levels[0].Backoff[Vocabulary.BeginId];
        }
        return state;
    }

    /// <inheritdoc />
    public ModelState NullContextState() => new();

    /// <inheritdoc />
    public float Score(in ModelState context, int word, out ModelState next, out int matchedLength)
    {
        // Callers may pass one variable as both context and next (Score(s, w, out s, ...)): writing next would
        // clear the context being read, so the scorers work from a copy.
        var before = context;
        return Probing is { } tables
            ? ScoreByHash(tables, in before, word, out next, out matchedLength)
            : ScoreByTrie(in before, word, out next, out matchedLength);
    }

    private unsafe float ScoreByTrie(in ModelState context, int word, out ModelState next, out int matchedLength)
    {
        next = new ModelState();
        var levels = Levels;
        int order = levels.Length;
        if ((uint)word >= (uint)levels[0].Count) word = Vocabulary.UnknownId;
        int node = word;
        float prob = levels[0].Prob[word];
        int matched = 1;
        if (order > 1)
        {
            next.Words[0] = word;
            next.Backoffs[0] = levels[0].Backoff[word];
            next.Length = 1;
            int limit = Math.Min(context.Length, order - 1);
            for (int k = 1; k <= limit; k++)
            {
                var level = levels[k];
                int child = level.Find(node, context.Words[k - 1]);
                if (child < 0) break;
                node = child;
                prob = level.Prob[child];
                matched = k + 1;
                if (k < order - 1)
                {
                    next.Words[k] = context.Words[k - 1];
                    next.Backoffs[k] = level.Backoff[child];
                    next.Length = k + 1;
                }
            }
            // Contexts longer than the one used contribute their backoffs.
            for (int j = matched - 1; j < context.Length; j++) prob += context.Backoffs[j];
        }
        matchedLength = matched;
        return prob;
    }

    /// <summary>
    /// <see cref="Score"/> through the probing tables: the hashes of every context length are computed from the words
    /// and all their cache lines requested before the first is examined, so the lookups overlap instead of each
    /// waiting for the previous one. Same result as the trie walk (tested), stopping at the first missing order.
    /// </summary>
    private unsafe float ScoreByHash(ProbingTable<NGramEntry>[] tables, in ModelState context, int word, out ModelState next, out int matchedLength)
    {
        next = new ModelState();
        var unigrams = Levels[0];
        if ((uint)word >= (uint)unigrams.Count) word = Vocabulary.UnknownId;
        float prob = unigrams.Prob[word];
        int order = tables.Length;
        next.Words[0] = word;
        next.Backoffs[0] = unigrams.Backoff[word];
        next.Length = 1;
        int limit = Math.Min(context.Length, order - 1);
        var hashes = stackalloc ulong[ModelState.MaxOrder];
        ulong h = NGramHash.Unigram(word);
        for (int k = 1; k <= limit; k++)
        {
            h = NGramHash.Extend(h, context.Words[k - 1]);
            hashes[k] = h;
            tables[k].Prefetch(h);
        }
        int matched = 1;
        for (int k = 1; k <= limit; k++)
        {
            NGramEntry* entry = tables[k].Find(hashes[k]);
            if (entry == null) break;
            prob = entry->Prob;
            matched = k + 1;
            if (k < order - 1)
            {
                next.Words[k] = context.Words[k - 1];
                next.Backoffs[k] = entry->Backoff;
                next.Length = k + 1;
            }
        }
        for (int j = matched - 1; j < context.Length; j++) prob += context.Backoffs[j];
        matchedLength = matched;
        return prob;
    }

    /// <summary>
    /// Asks the memory for what scoring <c>ids[t]</c> after <c>ids[..t]</c> will read (its unigram values and, with
    /// probing tables, the slot of every longer n-gram ending there), so that scoring a sentence overlaps the cache
    /// misses of consecutive words. No effect without probing tables or past the end of <paramref name="ids"/>.
    /// </summary>
    internal unsafe void Prefetch(ReadOnlySpan<int> ids, int t)
    {
        if (Probing is not { } tables || (uint)t >= (uint)ids.Length || !Sse.IsSupported) return;
        int word = ids[t];
        var unigrams = Levels[0];
        if ((uint)word >= (uint)unigrams.Count) word = Vocabulary.UnknownId;
        Sse.Prefetch0(unigrams.Prob + word);
        Sse.Prefetch0(unigrams.Backoff + word);
        ulong h = NGramHash.Unigram(word);
        int limit = Math.Min(t, tables.Length - 1);
        for (int k = 1; k <= limit; k++)
        {
            h = NGramHash.Extend(h, ids[t - k]);
            tables[k].Prefetch(h);
        }
    }

    /// <summary>Releases the memory mapping of a binary model (no-op for models in managed memory).</summary>
    public void Dispose() => _mapping?.Dispose();
}
