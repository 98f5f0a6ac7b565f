using Perplex.Diagnostics;
using Perplex.Text;

namespace Perplex.Training;

/// <summary>
/// Turns corpora into the flat token-id streams neural LMs train on. As in word_language_model every line,
/// blank lines included, ends with an end-of-sentence token (our <c>&lt;/s&gt;</c> plays its <c>&lt;eos&gt;</c>), so
/// the model learns where sentences end and a stream can cross line boundaries.
/// </summary>
public static class CorpusTokens
{
    /// <summary>A copy of <paramref name="corpus"/> that keeps blank lines (each becomes a lone end-of-sentence token).</summary>
    public static Corpus KeepingBlankLines(Corpus corpus) => new(corpus.Path)
    {
        Format = corpus.Format,
        Column = corpus.Column,
        Tokenizer = corpus.Tokenizer,
        Normalization = corpus.Normalization,
        KeepEmpty = true,
    };

    /// <summary>
    /// Builds a vocabulary from every token of <paramref name="corpora"/> plus one end-of-sentence per line
    /// (word_language_model builds it from train, valid and test alike).
    /// </summary>
    public static Vocabulary BuildVocabulary(IEnumerable<Corpus> corpora, int minCount = 1, int? maxSize = null, IProgressSink? progress = null)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        ITokenizer? tokenizer = null;
        var normalization = UnicodeNormalization.Nfc;
        long total = 0;
        foreach (var corpus in corpora)
        {
            tokenizer ??= corpus.Tokenizer;
            normalization = corpus.Normalization;
            progress?.BeginStage($"counting {Path.GetFileName(corpus.Path)}", null, "lines");
            foreach (var sentence in KeepingBlankLines(corpus).Sentences())
            {
                foreach (var t in sentence.Tokens) counts[t] = counts.GetValueOrDefault(t) + 1;
                counts[Vocabulary.EosToken] = counts.GetValueOrDefault(Vocabulary.EosToken) + 1;
                total += sentence.Tokens.Count;
                progress?.Advance(1);
            }
        }
        if (total == 0) throw new PerplexException("the training text has no tokens", corpora.FirstOrDefault()?.Path);
        return Vocabulary.FromCounts(counts, minCount, maxSize, includePad: false, tokenizer?.Name ?? "word", normalization);
    }

    /// <summary>
    /// The ids of every token of <paramref name="corpus"/>, each line followed by <c>&lt;/s&gt;</c>; unknown tokens
    /// are handled by <paramref name="policy"/> and counted in <paramref name="unknown"/>.
    /// </summary>
    public static int[] Encode(Corpus corpus, Vocabulary vocabulary, UnknownWordPolicy policy, out long unknown, IProgressSink? progress = null)
    {
        var ids = new List<int>();
        unknown = 0;
        progress?.BeginStage($"reading {Path.GetFileName(corpus.Path)}", null, "lines");
        foreach (var sentence in KeepingBlankLines(corpus).Sentences())
        {
            unknown += vocabulary.Encode(sentence.Tokens, policy, ids, sentence.Source, sentence.LineNumber);
            ids.Add(Vocabulary.EosId);
            progress?.Advance(1);
        }
        return ids.ToArray();
    }

    /// <summary>A 64-bit FNV-1a fingerprint of a token stream, stored in checkpoints to detect a different --train on resume.</summary>
    public static ulong Fingerprint(ReadOnlySpan<int> ids)
    {
        ulong hash = 0xCBF29CE484222325UL;
        foreach (var id in ids)
        {
            hash ^= (uint)id;
            hash *= 0x100000001B3UL;
        }
        return hash;
    }
}
