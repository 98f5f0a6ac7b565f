namespace Perplex.Text;

/// <summary>A sentence of tokens with one tag each (from a BIO/NER file or a CoNLL-U tag column).</summary>
/// <param name="Source">The file.</param>
/// <param name="LineNumber">The line where the sentence starts.</param>
/// <param name="Tokens">The tokens.</param>
/// <param name="Tags">One tag per token.</param>
public sealed record TaggedSentence(string Source, long LineNumber, List<string> Tokens, List<string> Tags);

/// <summary>
/// Reads tagged sentences from the two-column format used for NER (CoNLL-2003 style): one "token TAG" per line,
/// separated by a tab or spaces, the tag in the last column, a blank line between sentences, <c>-DOCSTART-</c>
/// lines ignored. A line without a tag is an error naming the file and line.
/// </summary>
public static class BioReader
{
    /// <summary>Streams the sentences of <paramref name="path"/>.</summary>
    public static IEnumerable<TaggedSentence> Read(string path)
    {
        TaggedSentence? current = null;
        foreach (var line in Utf8LineReader.ReadLines(path))
        {
            var text = line.Text.Trim();
            if (text.Length == 0 || text.StartsWith("-DOCSTART-", StringComparison.Ordinal))
            {
                if (current is not null) yield return current;
                current = null;
                continue;
            }
            var fields = text.Split(text.Contains('\t') ? ['\t'] : [' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 2)
                throw new PerplexException("expected a token and a tag separated by a tab or spaces", path, line.Number);
            current ??= new TaggedSentence(path, line.Number, [], []);
            current.Tokens.Add(fields[0]);
            current.Tags.Add(fields[^1]);
        }
        if (current is not null) yield return current;
    }

    /// <summary>The sentences of a CoNLL-U file with the UPOS (<paramref name="column"/> = "upos") or XPOS ("xpos") tags of its words.</summary>
    public static IEnumerable<TaggedSentence> FromConllu(string path, string column)
    {
        bool xpos = column.Equals("xpos", StringComparison.OrdinalIgnoreCase);
        if (!xpos && !column.Equals("upos", StringComparison.OrdinalIgnoreCase))
            throw new PerplexException($"unknown tag column '{column}' (expected upos or xpos)");
        foreach (var s in ConlluReader.Read(path))
            yield return new TaggedSentence(path, s.LineNumber, s.Words.Select(w => w.Form).ToList(),
                s.Words.Select(w => xpos ? w.Xpos : w.Upos).ToList());
    }
}
