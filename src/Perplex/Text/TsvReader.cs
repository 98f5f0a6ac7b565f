namespace Perplex.Text;

/// <summary>One data row of a TSV file, with its line number for error messages.</summary>
/// <param name="LineNumber">1-based line number in the file (the header is line 1).</param>
/// <param name="Fields">The tab-separated fields.</param>
/// <param name="ByteOffset">Byte offset of the row in the file (for progress).</param>
public readonly record struct TsvRow(long LineNumber, string[] Fields, long ByteOffset = 0);

/// <summary>
/// Streams a tab-separated file whose first line is a header (as NSMC's <c>id	document	label</c>) and
/// finds columns by name. Rows with too few fields are errors naming the line; extra fields are kept.
/// </summary>
public sealed class TsvReader
{
    private readonly string _path;
    private readonly string[] _header;

    /// <summary>The column names from the header line.</summary>
    public IReadOnlyList<string> Header => _header;

    /// <summary>The file path (or "-" for standard input, which can then be read only once).</summary>
    public string Path => _path;

    private TsvReader(string path, string[] header)
    {
        _path = path;
        _header = header;
    }

    /// <summary>Opens <paramref name="path"/> and reads its header.</summary>
    public static TsvReader Open(string path)
    {
        using var reader = Utf8LineReader.Open(path);
        if (!reader.TryReadLine(out var first) || first.Text.Length == 0)
            throw new PerplexException("empty TSV file: expected a header line with column names", path, 1);
        return new TsvReader(path, first.Text.Split('\t'));
    }

    /// <summary>The index of the column named <paramref name="name"/>; an error listing the columns if there is none.</summary>
    public int ColumnIndex(string name)
    {
        int i = Array.IndexOf(_header, name);
        if (i < 0)
            throw new PerplexException($"no column named '{name}' in the header (columns: {string.Join(", ", _header)})", _path, 1);
        return i;
    }

    /// <summary>Streams the data rows (every line after the header); blank lines are skipped.</summary>
    public IEnumerable<TsvRow> Rows()
    {
        using var reader = Utf8LineReader.Open(_path);
        reader.TryReadLine(out _);
        while (reader.TryReadLine(out var line))
        {
            if (line.Text.Length == 0) continue;
            var fields = line.Text.Split('\t');
            if (fields.Length < _header.Length)
                throw new PerplexException($"expected {_header.Length} tab-separated fields, found {fields.Length}", _path, line.Number);
            yield return new TsvRow(line.Number, fields, line.ByteOffset);
        }
    }

    /// <summary>Streams one column's text as lines (for corpora like NSMC's <c>document</c> column).</summary>
    public IEnumerable<TextLine> Column(string name)
    {
        int index = ColumnIndex(name);
        foreach (var row in Rows()) yield return new TextLine(row.LineNumber, row.ByteOffset, row.Fields[index]);
    }
}
