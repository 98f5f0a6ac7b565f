using Perplex.Text;

namespace Perplex.NGram;

/// <summary>
/// The one place the n-gram code reads text lines from a file or standard input, through the shared
/// <see cref="Utf8LineReader"/>: strict UTF-8 (a byte-order mark is skipped), CR LF and LF both end a line, invalid
/// UTF-8 is a <see cref="PerplexException"/> naming file, line and byte offset.
/// </summary>
internal static class CorpusReader
{
    /// <summary>The name used for standard input in messages and on the command line.</summary>
    public const string StdinName = "-";

    /// <summary>Opens <paramref name="path"/> ("-" = standard input) for reading raw bytes.</summary>
    public static Stream Open(string path)
    {
        if (path == StdinName) return Console.OpenStandardInput();
        if (!File.Exists(path)) throw new PerplexException("file not found", path);
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
    }

    /// <summary>Reads every line of <paramref name="path"/>, calling <paramref name="onLine"/> with the text and its 1-based number.</summary>
    public static void ReadLines(string path, Action<string, long> onLine, Action<long>? onBytes = null)
    {
        using var stream = Open(path);
        ReadLines(stream, path, onLine, onBytes);
    }

    /// <summary>Reads every line of <paramref name="stream"/>; <paramref name="name"/> is used in error messages.</summary>
    public static void ReadLines(Stream stream, string name, Action<string, long> onLine, Action<long>? onBytes = null) =>
        ReadLineSpans(stream, name, (line, number) => onLine(line.ToString(), number), onBytes);

    /// <summary>Receives one decoded line; the span is only valid during the call.</summary>
    public delegate void SpanLineHandler(ReadOnlySpan<char> line, long lineNumber);

    /// <summary>Like <see cref="ReadLines(string, Action{string, long}, Action{long}?)"/> without allocating a string per line.</summary>
    public static void ReadLineSpans(string path, SpanLineHandler onLine, Action<long>? onBytes = null)
    {
        using var stream = Open(path);
        ReadLineSpans(stream, path, onLine, onBytes);
    }

    /// <summary>Receives one line as validated UTF-8 bytes; the span is only valid during the call.</summary>
    public delegate void Utf8LineHandler(ReadOnlySpan<byte> line, long lineNumber);

    /// <summary>Reads every line of <paramref name="path"/> as UTF-8 bytes, without decoding (for hot loops that hash words as bytes).</summary>
    public static void ReadLineUtf8(string path, Utf8LineHandler onLine, Action<long>? onBytes = null)
    {
        using var stream = Open(path);
        using var reader = new Utf8LineReader(stream, path, ownsStream: false);
        var progress = new ByteProgress(reader, onBytes);
        while (reader.TryReadLineUtf8(out var line, out long number))
        {
            onLine(line, number);
            progress.Report(final: false);
        }
        progress.Report(final: true);
    }

    /// <summary>Reads every line of <paramref name="stream"/> as a reused character span (through the shared <see cref="Utf8LineReader"/>).</summary>
    public static void ReadLineSpans(Stream stream, string name, SpanLineHandler onLine, Action<long>? onBytes = null)
    {
        using var reader = new Utf8LineReader(stream, name, ownsStream: false);
        var progress = new ByteProgress(reader, onBytes);
        while (reader.TryReadLineSpan(out var line, out long number))
        {
            onLine(line, number);
            progress.Report(final: false);
        }
        progress.Report(final: true);
    }

    /// <summary>Reports the bytes consumed in steps of 64 KiB (and the rest at the end).</summary>
    private struct ByteProgress(Utf8LineReader reader, Action<long>? onBytes)
    {
        private long _reported;

        public void Report(bool final)
        {
            if (onBytes is null || reader.Position - _reported < (final ? 1 : 1 << 16)) return;
            onBytes(reader.Position - _reported);
            _reported = reader.Position;
        }
    }
}
