using System.CommandLine;
using Perplex.Text;

namespace Perplex.Cli;

/// <summary>
/// The options that say how to read a corpus (format, TSV column, tokenizer, normalization), shared by every
/// command that reads text so they all spell them the same way.
/// </summary>
internal sealed class CorpusOptions
{
    public Option<string?> Format { get; } = new("--format")
    {
        Description = "Corpus layout: text (one sentence per line), tsv (a column of a TSV with a header) or conllu. Default: from the extension (.conllu, .tsv) or text.",
    };

    public Option<string?> Column { get; } = new("--column")
    {
        Description = "For TSV corpora: the header name of the column holding the text (e.g. document for NSMC).",
    };

    public Option<string> Tokenizer { get; } = new("--tokenizer")
    {
        Description = "Tokens: word (split on white space), char (Unicode grapheme clusters) or jamo (Hangul jamo + graphemes).",
        DefaultValueFactory = _ => "word",
    };

    public Option<string> Normalization { get; } = new("--normalization")
    {
        Description = "Unicode normalization applied before tokenizing: nfc, nfd, nfkc, nfkd or none.",
        DefaultValueFactory = _ => "nfc",
    };

    public CorpusOptions()
    {
        Format.AcceptOnlyFromAmong("text", "tsv", "conllu");
        Tokenizer.AcceptOnlyFromAmong(Tokenizers.Names);
        Normalization.AcceptOnlyFromAmong("nfc", "nfd", "nfkc", "nfkd", "none");
    }

    public void AddTo(Command command)
    {
        command.Options.Add(Format);
        command.Options.Add(Column);
        command.Options.Add(Tokenizer);
        command.Options.Add(Normalization);
    }

    /// <summary>The corpus at <paramref name="path"/> read as the options say.</summary>
    public Corpus Open(ParseResult result, string path)
    {
        var column = result.GetValue(Column);
        var format = result.GetValue(Format) switch
        {
            "text" => CorpusFormat.Text,
            "tsv" => CorpusFormat.Tsv,
            "conllu" => CorpusFormat.Conllu,
            _ => Corpus.GuessFormat(path, column),
        };
        return new Corpus(path)
        {
            Format = format,
            Column = column,
            Tokenizer = Tokenizers.Create(result.GetValue(Tokenizer)!),
            Normalization = TextNormalization.Parse(result.GetValue(Normalization)!),
        };
    }
}
