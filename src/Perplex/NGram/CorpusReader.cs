using System.Text;

namespace Perplex.NGram;

/// <summary>
/// The one place the n-gram code reads text lines from a file or standard input: strict UTF-8 (a byte-order mark
/// is skipped), CR LF and LF both end a line, invalid UTF-8 is a <see cref="PerplexException"/> naming file and line.
/// Kept as a single seam so a shared text reader can replace it later.
/// </summary>
internal static class CorpusReader
{
    /// <summary>The name used for standard input in messages and on the command line.</summary>
    public const string StdinName = "-";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

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

    /// <summary>Reads every line of <paramref name="stream"/> as a reused character span.</summary>
    public static void ReadLineSpans(Stream stream, string name, SpanLineHandler onLine, Action<long>? onBytes = null)
    {
        var chars = new char[1 << 12];
        var buffer = new byte[1 << 16];
        int start = 0, end = 0;
        long lineNumber = 0;
        bool first = true;
        while (true)
        {
            int newline = Array.IndexOf(buffer, (byte)'\n', start, end - start);
            if (newline < 0)
            {
                // Move the partial line to the front, growing the buffer for very long lines.
                int pending = end - start;
                if (pending == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
                Buffer.BlockCopy(buffer, start, buffer, 0, pending);
                start = 0;
                end = pending;
                int read = stream.Read(buffer, end, buffer.Length - end);
                if (read == 0)
                {
                    if (end > 0) Emit(buffer.AsSpan(0, end));
                    return;
                }
                onBytes?.Invoke(read);
                end += read;
                continue;
            }
            Emit(buffer.AsSpan(start, newline - start));
            start = newline + 1;
        }

        void Emit(ReadOnlySpan<byte> line)
        {
            lineNumber++;
            if (first)
            {
                first = false;
                if (line.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) line = line[3..];
            }
            if (line.Length > 0 && line[^1] == (byte)'\r') line = line[..^1];
            if (chars.Length < line.Length) chars = new char[Math.Max(line.Length, chars.Length * 2)];
            int length;
            try { length = StrictUtf8.GetChars(line, chars); }
            catch (DecoderFallbackException) { throw new PerplexException("invalid UTF-8", name, lineNumber); }
            onLine(chars.AsSpan(0, length), lineNumber);
        }
    }
}
