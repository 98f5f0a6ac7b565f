namespace Perplex.Text;

/// <summary>One syntactic word of a CoNLL-U sentence (columns ID FORM LEMMA UPOS XPOS FEATS HEAD DEPREL DEPS MISC).</summary>
public sealed record ConlluWord(int Id, string Form, string Lemma, string Upos, string Xpos, string Feats,
    string Head, string DepRel, string Deps, string Misc);

/// <summary>
/// A multi-word token: a surface form (e.g. Spanish "del", English "don't") spanning words <see cref="First"/>..<see cref="Last"/>.
/// </summary>
public sealed record ConlluMultiwordToken(int First, int Last, string Form, string Misc);

/// <summary>A CoNLL-U sentence: its comments (<c># text = …</c>), words, and multi-word tokens.</summary>
public sealed class ConlluSentence
{
    /// <summary>Comment lines without the leading '#', in order.</summary>
    public List<string> Comments { get; } = [];

    /// <summary>The syntactic words (integer IDs), in order; empty nodes (IDs like 8.1) are not included.</summary>
    public List<ConlluWord> Words { get; } = [];

    /// <summary>Multi-word token ranges (IDs like 3-4).</summary>
    public List<ConlluMultiwordToken> MultiwordTokens { get; } = [];

    /// <summary>The line where the sentence starts (for error messages).</summary>
    public long LineNumber { get; init; }

    /// <summary>Byte offset of that line in the file (for progress).</summary>
    public long ByteOffset { get; init; }

    /// <summary>The value of a <c># key = value</c> comment, or null.</summary>
    public string? Metadata(string key)
    {
        foreach (var c in Comments)
        {
            var t = c.TrimStart();
            if (t.StartsWith(key, StringComparison.Ordinal))
            {
                var rest = t[key.Length..].TrimStart();
                if (rest.StartsWith('=')) return rest[1..].Trim();
            }
        }
        return null;
    }

    /// <summary>The surface tokens: multi-word tokens replace the words they span (what a reader of the raw text sees).</summary>
    public List<string> SurfaceTokens()
    {
        var tokens = new List<string>(Words.Count);
        int m = 0;
        foreach (var w in Words)
        {
            while (m < MultiwordTokens.Count && MultiwordTokens[m].Last < w.Id) m++;
            if (m < MultiwordTokens.Count && MultiwordTokens[m].First <= w.Id)
            {
                if (MultiwordTokens[m].First == w.Id) tokens.Add(MultiwordTokens[m].Form);
                continue;
            }
            tokens.Add(w.Form);
        }
        return tokens;
    }
}

/// <summary>
/// Streams CoNLL-U files sentence by sentence. Handles comments, multi-word token lines (<c>1-2</c>), empty nodes
/// (<c>1.1</c>, skipped), CRLF, and a missing final blank line. A line without exactly 10 tab-separated
/// columns, or an ID out of sequence, is an error naming the file and line.
/// </summary>
public static class ConlluReader
{
    /// <summary>Reads the sentences of <paramref name="path"/> ("-" for standard input).</summary>
    public static IEnumerable<ConlluSentence> Read(string path)
    {
        using var reader = Utf8LineReader.Open(path);
        ConlluSentence? sentence = null;
        while (reader.TryReadLine(out var line))
        {
            var text = line.Text;
            if (text.Length == 0 || string.IsNullOrWhiteSpace(text))
            {
                if (sentence is not null)
                {
                    Check(sentence, path);
                    yield return sentence;
                    sentence = null;
                }
                continue;
            }
            sentence ??= new ConlluSentence { LineNumber = line.Number, ByteOffset = line.ByteOffset };
            if (text[0] == '#')
            {
                sentence.Comments.Add(text[1..]);
                continue;
            }
            var cols = text.Split('\t');
            if (cols.Length != 10)
                throw new PerplexException($"expected 10 tab-separated columns, found {cols.Length}", path, line.Number);
            var id = cols[0];
            int dash = id.IndexOf('-');
            if (dash > 0)
            {
                if (!int.TryParse(id.AsSpan(0, dash), out int first) || !int.TryParse(id.AsSpan(dash + 1), out int last) || last < first)
                    throw new PerplexException($"bad multi-word token range '{id}'", path, line.Number);
                sentence.MultiwordTokens.Add(new ConlluMultiwordToken(first, last, cols[1], cols[9]));
                continue;
            }
            if (id.Contains('.')) continue; // empty node of enhanced dependencies: not a surface word
            if (!int.TryParse(id, out int wordId))
                throw new PerplexException($"bad word ID '{id}'", path, line.Number);
            if (wordId != sentence.Words.Count + 1)
                throw new PerplexException($"word ID {wordId} out of sequence (expected {sentence.Words.Count + 1})", path, line.Number);
            sentence.Words.Add(new ConlluWord(wordId, cols[1], cols[2], cols[3], cols[4], cols[5], cols[6], cols[7], cols[8], cols[9]));
        }
        if (sentence is not null)
        {
            Check(sentence, path);
            yield return sentence;
        }
    }

    private static void Check(ConlluSentence s, string path)
    {
        if (s.Words.Count == 0)
            throw new PerplexException("sentence has comments but no words", path, s.LineNumber);
        foreach (var m in s.MultiwordTokens)
            if (m.Last > s.Words.Count)
                throw new PerplexException($"multi-word token {m.First}-{m.Last} goes past the last word {s.Words.Count}", path, s.LineNumber);
    }

    /// <summary>Writes a sentence in CoNLL-U (comments, multi-word tokens before their first word, then a blank line).</summary>
    public static void Write(TextWriter writer, ConlluSentence sentence)
    {
        foreach (var c in sentence.Comments) writer.Write($"#{c}\n");
        int m = 0;
        foreach (var w in sentence.Words)
        {
            while (m < sentence.MultiwordTokens.Count && sentence.MultiwordTokens[m].First == w.Id)
            {
                var t = sentence.MultiwordTokens[m++];
                writer.Write($"{t.First}-{t.Last}\t{t.Form}\t_\t_\t_\t_\t_\t_\t_\t{t.Misc}\n");
            }
            writer.Write($"{w.Id}\t{w.Form}\t{w.Lemma}\t{w.Upos}\t{w.Xpos}\t{w.Feats}\t{w.Head}\t{w.DepRel}\t{w.Deps}\t{w.Misc}\n");
        }
        writer.Write('\n');
    }
}
