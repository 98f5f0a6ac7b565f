namespace Perplex.Text;

/// <summary>The layout of a corpus file.</summary>
public enum CorpusFormat
{
    /// <summary>Plain text, one sentence per line.</summary>
    Text,
    /// <summary>A named column of a TSV file with a header (e.g. NSMC's <c>document</c>).</summary>
    Tsv,
    /// <summary>CoNLL-U; each sentence's surface tokens (multi-word tokens as written).</summary>
    Conllu,
}

/// <summary>One tokenized sentence and where it came from.</summary>
/// <param name="Source">The file it was read from.</param>
/// <param name="LineNumber">The 1-based line where it starts.</param>
/// <param name="Tokens">Its tokens.</param>
/// <param name="ByteOffset">Where it starts in the file, in bytes (for progress against the file size).</param>
public readonly record struct Sentence(string Source, long LineNumber, List<string> Tokens, long ByteOffset = 0);

/// <summary>
/// Reads a corpus as a stream of tokenized sentences: chooses the reader for the format, normalizes (NFC by
/// default) and tokenizes. Nothing is held in memory beyond the current sentence, so corpora larger than RAM work.
/// </summary>
public sealed class Corpus
{
    /// <summary>The file ("-" for standard input).</summary>
    public string Path { get; }

    /// <summary>How the file is laid out.</summary>
    public CorpusFormat Format { get; init; } = CorpusFormat.Text;

    /// <summary>For <see cref="CorpusFormat.Tsv"/>: the column holding the text.</summary>
    public string? Column { get; init; }

    /// <summary>The tokenizer.</summary>
    public ITokenizer Tokenizer { get; init; } = new WhitespaceTokenizer();

    /// <summary>The normalization applied before tokenizing.</summary>
    public UnicodeNormalization Normalization { get; init; } = UnicodeNormalization.Nfc;

    /// <summary>Keep sentences with no tokens (blank lines)? Language models skip them by default, as KenLM does not (it scores "&lt;s&gt; &lt;/s&gt;"); callers choose.</summary>
    public bool KeepEmpty { get; init; }

    /// <summary>A corpus read from <paramref name="path"/>.</summary>
    public Corpus(string path) => Path = path;

    /// <summary>The size of the file in bytes, or null for standard input.</summary>
    public long? Length => Path == "-" || !File.Exists(Path) ? null : new FileInfo(Path).Length;

    /// <summary>Guesses the format from the extension: .conllu → CoNLL-U, .tsv (or a column given) → TSV, else text.</summary>
    public static CorpusFormat GuessFormat(string path, string? column)
    {
        if (path.EndsWith(".conllu", StringComparison.OrdinalIgnoreCase)) return CorpusFormat.Conllu;
        if (column is not null || path.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase)) return CorpusFormat.Tsv;
        return CorpusFormat.Text;
    }

    /// <summary>Streams the sentences of the corpus.</summary>
    public IEnumerable<Sentence> Sentences()
    {
        switch (Format)
        {
            case CorpusFormat.Conllu:
                foreach (var s in ConlluReader.Read(Path))
                {
                    var tokens = new List<string>();
                    foreach (var surface in s.SurfaceTokens())
                        tokens.AddRange(Tokenizer.Tokenize(TextNormalization.Normalize(surface, Normalization)));
                    yield return new Sentence(Path, s.LineNumber, tokens, s.ByteOffset);
                }
                break;
            case CorpusFormat.Tsv:
                if (Column is null) throw new PerplexException("a TSV corpus needs a column name (--column)", Path);
                foreach (var line in TsvReader.Open(Path).Column(Column))
                    if (Make(line) is { } s) yield return s;
                break;
            default:
                foreach (var line in Utf8LineReader.ReadLines(Path))
                    if (Make(line) is { } s) yield return s;
                break;
        }
    }

    /// <summary>Like <see cref="Sentences"/>, but an error if the corpus has no tokens at all.</summary>
    public IEnumerable<Sentence> NonEmptySentences()
    {
        bool any = false;
        foreach (var s in Sentences())
        {
            any |= s.Tokens.Count > 0;
            yield return s;
        }
        if (!any) throw new PerplexException("the corpus is empty (no tokens)", Path);
    }

    private Sentence? Make(TextLine line)
    {
        var tokens = Tokenizer.Tokenize(TextNormalization.Normalize(line.Text, Normalization));
        if (tokens.Count == 0 && !KeepEmpty) return null;
        return new Sentence(Path, line.Number, tokens, line.ByteOffset);
    }
}
