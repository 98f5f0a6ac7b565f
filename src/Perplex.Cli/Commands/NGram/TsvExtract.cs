using System.Text;
using Perplex.NGram;

namespace Perplex.Cli.Commands.NGram;

/// <summary>A temporary one-column text file extracted from a TSV corpus with a header row; deleted on dispose.</summary>
internal sealed class TsvExtract : IDisposable
{
    public string Path { get; }

    private TsvExtract(string path) => Path = path;

    public static TsvExtract? IfRequested(string tsvPath, string? column, string? tempDirectory)
    {
        if (column is null) return null;
        string path = System.IO.Path.Combine(tempDirectory ?? System.IO.Path.GetTempPath(), $"perplex-tsv-{Guid.NewGuid():N}.txt");
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        int index = -1;
        using (var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20) { NewLine = "\n" })
        {
            CorpusReader.ReadLines(tsvPath, (line, number) =>
            {
                var fields = line.Split('\t');
                if (number == 1)
                {
                    index = Array.IndexOf(fields, column);
                    if (index < 0) throw new PerplexException($"no column '{column}' in the header ({string.Join(", ", fields)})", tsvPath, 1);
                    return;
                }
                if (index >= fields.Length) throw new PerplexException($"line has {fields.Length} fields, column '{column}' is field {index + 1}", tsvPath, number);
                writer.WriteLine(fields[index]);
            });
        }
        return new TsvExtract(path);
    }

    public void Dispose()
    {
        try { File.Delete(Path); } catch (IOException) { } // best effort: it lives in a temporary folder
    }
}
