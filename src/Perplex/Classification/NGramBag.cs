using System.Text;

namespace Perplex.Classification;

/// <summary>
/// Which n-grams describe a document for the <see cref="NGramLogisticRegression"/> beside the RNN.
/// </summary>
/// <param name="WordOrder">Token n-grams of length 1..WordOrder (0: none).</param>
/// <param name="CharOrder">Character n-grams of length 1..CharOrder over the tokens joined by spaces, with a space at
/// each end (0: none). Characters are Unicode scalar values, so a Hangul syllable is one character.</param>
/// <param name="HashBits">The n-grams are hashed into 2^HashBits buckets (the weight table has that many rows).</param>
/// <param name="Epochs">Passes of AdaGrad over the training documents.</param>
/// <param name="LearningRate">AdaGrad's step size.</param>
/// <param name="NaiveBayes">Train on features scaled by their naive Bayes log-count ratios (NBSVM's scaling; see
/// <see cref="NGramLogisticRegression"/>) instead of binary ones. Only training changes: the scales are folded into
/// the weights afterwards, so the model reads binary features either way.</param>
public sealed record NGramFeatureConfig(int WordOrder, int CharOrder, int HashBits = 22, int Epochs = 2, double LearningRate = 0.025,
    bool NaiveBayes = false)
{
    /// <summary>Largest <see cref="HashBits"/> accepted (a 2^26-row table is 512 MB per two classes).</summary>
    public const int MaxHashBits = 26;

    /// <summary>Number of hash buckets.</summary>
    public int Buckets => 1 << HashBits;

    /// <summary>Rejects settings that cannot work, naming the option.</summary>
    public void Validate()
    {
        if (WordOrder < 0 || CharOrder < 0 || WordOrder + CharOrder == 0)
            throw new PerplexException($"n-gram features need a word order or a character order above 0 (got {WordOrder} and {CharOrder})");
        if (HashBits is < 8 or > MaxHashBits) throw new PerplexException($"--ngram-bits must be between 8 and {MaxHashBits} (got {HashBits})");
        if (Epochs < 1) throw new PerplexException($"--ngram-epochs must be at least 1 (got {Epochs})");
        if (!(LearningRate > 0)) throw new PerplexException($"--ngram-lr must be above 0 (got {LearningRate})");
    }
}

/// <summary>
/// Turns a tokenized document into the set of hashed n-gram buckets it contains (a binary bag of n-grams), the
/// features of NBSVM-style linear sentiment models. Hashing is FNV-1a over UTF-16 code units with a prefix per
/// n-gram kind, so the same document always gives the same buckets on every machine.
/// </summary>
public static class NGramBag
{
    private const uint FnvOffset = 2166136261, FnvPrime = 16777619;

    /// <summary>The distinct buckets of <paramref name="tokens"/>, in increasing order.</summary>
    public static int[] Features(IReadOnlyList<string> tokens, NGramFeatureConfig config)
    {
        var buckets = new List<int>();
        uint mask = (uint)config.Buckets - 1;
        for (int n = 1; n <= config.WordOrder; n++)
            for (int start = 0; start + n <= tokens.Count; start++)
            {
                // The kind and length lead the hash, so the word 'ab' and the character bigram 'ab' differ.
                uint h = Mix(Mix(FnvOffset, 'w'), (char)('0' + n));
                for (int k = start; k < start + n; k++)
                {
                    if (k > start) h = Mix(h, ' ');
                    foreach (char c in tokens[k]) h = Mix(h, c);
                }
                buckets.Add((int)(h & mask));
            }
        if (config.CharOrder > 0)
        {
            var text = new StringBuilder(" ").AppendJoin(' ', tokens).Append(' ').ToString();
            var runes = text.EnumerateRunes().ToArray();
            Span<char> units = stackalloc char[2];
            for (int start = 0; start < runes.Length; start++)
            {
                uint h = Mix(FnvOffset, 'c');
                for (int n = 1; n <= config.CharOrder && start + n <= runes.Length; n++)
                {
                    // Extending the previous n-gram's hash: each length is a separate feature.
                    int written = runes[start + n - 1].EncodeToUtf16(units);
                    for (int u = 0; u < written; u++) h = Mix(h, units[u]);
                    buckets.Add((int)(Mix(h, (char)('0' + n)) & mask));
                }
            }
        }
        buckets.Sort();
        int distinct = 0;
        for (int i = 0; i < buckets.Count; i++)
            if (i == 0 || buckets[i] != buckets[distinct - 1]) buckets[distinct++] = buckets[i];
        return buckets.GetRange(0, distinct).ToArray();
    }

    private static uint Mix(uint hash, char c) => (hash ^ c) * FnvPrime;
}
