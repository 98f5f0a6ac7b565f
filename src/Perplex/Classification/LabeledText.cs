using Perplex.Text;

namespace Perplex.Classification;

/// <summary>A document with its label, as read from a labeled TSV file.</summary>
/// <param name="LineNumber">Where it is in the file (for error messages).</param>
/// <param name="Tokens">The tokens of its text.</param>
/// <param name="Label">Its label as written in the file.</param>
public sealed record LabeledDocument(long LineNumber, List<string> Tokens, string Label);

/// <summary>The documents of a file plus how many empty documents were left out.</summary>
/// <param name="Documents">The non-empty documents.</param>
/// <param name="SkippedEmpty">Rows whose text had no tokens (skipped, reported to the user).</param>
public sealed record LabeledData(List<LabeledDocument> Documents, int SkippedEmpty);

/// <summary>
/// Reads labeled text from a TSV file with a header (NSMC: <c>id</c>, <c>document</c>, <c>label</c>): the named text
/// column is normalized and tokenized, the named label column kept as a string. A missing column, a ragged row or
/// an empty label is an error naming the file and line; empty documents are skipped and counted.
/// </summary>
public static class LabeledText
{
    /// <summary>Reads <paramref name="path"/>; <paramref name="knownLabels"/>, when given, is the only label set allowed.</summary>
    public static LabeledData Read(string path, string textColumn, string labelColumn, ITokenizer tokenizer,
        UnicodeNormalization normalization, IReadOnlyCollection<string>? knownLabels = null)
    {
        var tsv = TsvReader.Open(path);
        int text = tsv.ColumnIndex(textColumn), label = tsv.ColumnIndex(labelColumn);
        var documents = new List<LabeledDocument>();
        int skipped = 0;
        foreach (var row in tsv.Rows())
        {
            var value = row.Fields[label].Trim();
            if (value.Length == 0) throw new PerplexException($"empty label in column '{labelColumn}'", path, row.LineNumber);
            if (knownLabels is not null && !knownLabels.Contains(value))
                throw new PerplexException($"label '{value}' is not one the model was trained on ({string.Join(", ", knownLabels)})", path, row.LineNumber);
            var tokens = Tokenize(row.Fields[text], tokenizer, normalization);
            if (tokens.Count == 0)
            {
                skipped++;
                continue;
            }
            documents.Add(new LabeledDocument(row.LineNumber, tokens, value));
        }
        return new LabeledData(documents, skipped);
    }

    /// <summary>Normalizes, trims and tokenizes one text the way training data is.</summary>
    public static List<string> Tokenize(string text, ITokenizer tokenizer, UnicodeNormalization normalization) =>
        tokenizer.Tokenize(TextNormalization.Normalize(text, normalization).Trim());
}
