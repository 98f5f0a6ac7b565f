using System.Globalization;
using System.Text;

namespace Perplex.NGram;

/// <summary>Corpus-level result of <see cref="NGramQuery"/>, with KenLM's definitions.</summary>
/// <param name="PerplexityIncludingOovs"><c>10^(-Σ log10 p / Tokens)</c>.</param>
/// <param name="PerplexityExcludingOovs">Same without the OOV tokens' scores and counts.</param>
/// <param name="Oovs">Tokens not in the vocabulary (id 0).</param>
/// <param name="Tokens">Words plus one <c>&lt;/s&gt;</c> per line.</param>
/// <param name="Log10Total">Σ log10 p over all tokens.</param>
public sealed record QuerySummary(double PerplexityIncludingOovs, double PerplexityExcludingOovs, long Oovs, long Tokens, double Log10Total);

/// <summary>Which parts of KenLM's query output to print.</summary>
public enum QueryOutput
{
    /// <summary>Every word, every line total and the summary (KenLM's default).</summary>
    Words,
    /// <summary>Line totals and the summary.</summary>
    Lines,
    /// <summary>Only the summary.</summary>
    Summary,
}

/// <summary>
/// Scores text like KenLM's <c>query</c>: each line is <c>&lt;s&gt; w1 … wn &lt;/s&gt;</c>, every token prints
/// <c>word=id length log10p</c>, every line <c>Total: … OOV: …</c>, then the four summary lines spelled as KenLM spells them.
/// </summary>
public static class NGramQuery
{
    /// <summary>Scores every line of <paramref name="textPath"/> ("-" = standard input) and writes the report to <paramref name="output"/>.</summary>
    public static QuerySummary Run(ILanguageModel model, string textPath, TextWriter output, QueryOutput detail = QueryOutput.Words)
    {
        var vocab = model.Vocabulary;
        double corpusTotal = 0, oovTotal = 0;
        long corpusOovs = 0, tokens = 0;
        var line = new StringBuilder();
        var chars = new char[256];
        var words = new QueryLine();
        var backoffModel = model as BackoffModel;
        // Words are looked up by their UTF-8 bytes (hashed, KenLM's way): the text is never decoded unless printed.
        CorpusReader.ReadLineUtf8(textPath, (text, lineNumber) =>
        {
            line.Clear();
            words.Resolve(text, vocab);
            var ids = words.Ids.AsSpan(0, words.Count + 2);
            var state = model.BeginSentenceState();
            float total = 0;
            long oovs = 0;
            backoffModel?.Prefetch(ids, 1);
            backoffModel?.Prefetch(ids, 2);
            for (int t = 1; t < ids.Length; t++)
            {
                // The n-grams of the word after next are requested now, so they are in cache by the time it is scored.
                backoffModel?.Prefetch(ids, t + 2);
                int id = ids[t];
                float p = model.Score(state, id, out var next, out int matched);
                total += p;
                tokens++;
                bool end = t == ids.Length - 1;
                if (id == Vocabulary.UnknownId) { oovs++; oovTotal += p; }
                if (detail == QueryOutput.Words)
                {
                    if (end)
                    {
                        AppendWord(line, Vocabulary.End, Vocabulary.EndId, matched, p);
                    }
                    else
                    {
                        var word = text[words.Words[t]];
                        if (chars.Length < word.Length) chars = new char[word.Length * 2];
                        AppendWord(line, chars.AsSpan(0, Encoding.UTF8.GetChars(word, chars)), id, matched, p);
                    }
                }
                state = next;
            }
            if (detail != QueryOutput.Summary)
            {
                line.Append("Total: ").Append(ArpaNumber.Format(total)).Append(" OOV: ").Append(oovs).Append('\n');
                output.Write(line);
            }
            corpusTotal += total;
            corpusOovs += oovs;
        });
        var summary = new QuerySummary(
            Math.Pow(10.0, -(corpusTotal / tokens)),
            Math.Pow(10.0, -((corpusTotal - oovTotal) / (tokens - corpusOovs))),
            corpusOovs, tokens, corpusTotal);
        WriteSummary(summary, output);
        return summary;
    }

    private static void AppendWord(StringBuilder line, ReadOnlySpan<char> word, int id, int matched, float p) =>
        line.Append(word).Append('=').Append(id).Append(' ').Append(matched).Append(' ').Append(ArpaNumber.Format(p)).Append('\t');

    /// <summary>Writes the four summary lines exactly as KenLM labels them.</summary>
    public static void WriteSummary(QuerySummary s, TextWriter output)
    {
        var c = CultureInfo.InvariantCulture;
        // Shortest round-trip digits with a lower-case exponent, as C++ streams print doubles in KenLM.
        output.Write($"Perplexity including OOVs:\t{s.PerplexityIncludingOovs.ToString("R", c).Replace('E', 'e')}\n");
        output.Write($"Perplexity excluding OOVs:\t{s.PerplexityExcludingOovs.ToString("R", c).Replace('E', 'e')}\n");
        output.Write($"OOVs:\t{s.Oovs}\n");
        output.Write($"Tokens:\t{s.Tokens}\n");
    }
}
