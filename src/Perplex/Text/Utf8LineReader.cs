using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Perplex.Text;

/// <summary>
/// Streams lines from UTF-8 bytes without ever holding more than one line in memory.
/// LF and CRLF both end a line; a leading byte-order mark is skipped. Invalid UTF-8 is an error naming the
/// file, the line and the byte offset, because silently replacing bytes would change counts and vocabularies.
/// </summary>
public sealed class Utf8LineReader : IDisposable
{
    private const int ChunkSize = 1 << 16;
    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly byte[] _chunk = new byte[ChunkSize];
    private int _chunkStart;
    private int _chunkEnd;
    private byte[] _line = new byte[256];
    private char[] _chars = new char[256];
    private long _position;
    private long _lineNumber;
    private bool _atStart = true;

    /// <summary>The name used in error messages (a path, or "&lt;stdin&gt;").</summary>
    public string SourceName { get; }

    /// <summary>Reads from <paramref name="stream"/>; disposes it on <see cref="Dispose"/> when <paramref name="ownsStream"/>.</summary>
    public Utf8LineReader(Stream stream, string sourceName, bool ownsStream = true)
    {
        _stream = stream;
        _ownsStream = ownsStream;
        SourceName = sourceName;
    }

    /// <summary>Opens a file, or standard input when <paramref name="path"/> is "-".</summary>
    public static Utf8LineReader Open(string path)
    {
        if (path == "-") return new Utf8LineReader(Console.OpenStandardInput(), "<stdin>");
        if (Directory.Exists(path)) throw new PerplexException("is a directory, expected a text file", path);
        if (!File.Exists(path)) throw new PerplexException("file not found", path);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        return new Utf8LineReader(stream, path);
    }

    /// <summary>Reads every line of a file lazily; the file is closed when enumeration ends.</summary>
    public static IEnumerable<TextLine> ReadLines(string path)
    {
        using var reader = Open(path);
        while (reader.TryReadLine(out var line)) yield return line;
    }

    /// <summary>Bytes consumed so far (for progress against the file size).</summary>
    public long Position => _position;

    /// <summary>Reads the next line; false at end of input.</summary>
    public bool TryReadLine(out TextLine line)
    {
        if (!TryReadLineBytes(out var bytes, out long offset))
        {
            line = default;
            return false;
        }
        line = new TextLine(_lineNumber, offset, Decode(bytes, offset));
        return true;
    }

    /// <summary>
    /// Reads the next line into a reused buffer without allocating a string: <paramref name="text"/> is valid only
    /// until the next call. For hot loops such as loading a gigabyte ARPA file.
    /// </summary>
    public bool TryReadLineSpan(out ReadOnlySpan<char> text, out long lineNumber)
    {
        if (!TryReadLineBytes(out var bytes, out long offset))
        {
            text = default;
            lineNumber = _lineNumber;
            return false;
        }
        if (_chars.Length < bytes.Length) _chars = new char[Math.Max(bytes.Length, _chars.Length * 2)];
        var status = Utf8.ToUtf16(bytes, _chars, out int read, out int written, replaceInvalidSequences: false);
        if (status != OperationStatus.Done) throw InvalidUtf8(offset, read);
        text = _chars.AsSpan(0, written);
        lineNumber = _lineNumber;
        return true;
    }

    /// <summary>
    /// Reads the next line as validated UTF-8 bytes (no decoding): <paramref name="bytes"/> is valid only until the
    /// next call. For byte-level hot loops (n-gram queries hash words as UTF-8).
    /// </summary>
    public bool TryReadLineUtf8(out ReadOnlySpan<byte> bytes, out long lineNumber)
    {
        if (!TryReadLineBytes(out bytes, out long offset))
        {
            lineNumber = _lineNumber;
            return false;
        }
        if (!Utf8.IsValid(bytes))
        {
            if (_chars.Length < bytes.Length) _chars = new char[bytes.Length];
            Utf8.ToUtf16(bytes, _chars, out int read, out _, replaceInvalidSequences: false);
            throw InvalidUtf8(offset, read);
        }
        lineNumber = _lineNumber;
        return true;
    }

    // The line's bytes without its terminator; a span into the read chunk when the line lies inside it (no copy),
    // else into the growable line buffer.
    private bool TryReadLineBytes(out ReadOnlySpan<byte> bytes, out long lineOffset)
    {
        int length = 0;
        lineOffset = _position;
        bool sawAny = false, copied = false;
        bytes = default;
        while (true)
        {
            if (_chunkStart == _chunkEnd && !Fill())
            {
                if (!sawAny) return false;
                break;
            }
            sawAny = true;
            var available = _chunk.AsSpan(_chunkStart, _chunkEnd - _chunkStart);
            int newline = available.IndexOf((byte)'\n');
            var piece = newline >= 0 ? available[..newline] : available;
            int consumed = newline >= 0 ? newline + 1 : available.Length;
            if (newline >= 0 && !copied)
            {
                bytes = piece; // Fill only runs on the next call, so the chunk stays valid until then
                _chunkStart += consumed;
                _position += consumed;
                break;
            }
            Append(ref length, piece);
            copied = true;
            _chunkStart += consumed;
            _position += consumed;
            if (newline >= 0) break;
        }
        if (copied) bytes = _line.AsSpan(0, length);
        _lineNumber++;
        if (_atStart)
        {
            _atStart = false;
            if (bytes.StartsWith("\uFEFF"u8)) { bytes = bytes[3..]; lineOffset += 3; }
        }
        if (bytes.Length > 0 && bytes[^1] == (byte)'\r') bytes = bytes[..^1];
        return true;
    }

    private string Decode(ReadOnlySpan<byte> bytes, long lineOffset)
    {
        if (Ascii.IsValid(bytes)) return Encoding.ASCII.GetString(bytes);
        var chars = ArrayPool<char>.Shared.Rent(bytes.Length);
        try
        {
            var status = Utf8.ToUtf16(bytes, chars, out int read, out int written, replaceInvalidSequences: false);
            if (status != OperationStatus.Done) throw InvalidUtf8(lineOffset, read);
            return new string(chars, 0, written);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    private PerplexException InvalidUtf8(long lineOffset, int validBytes) => new(
        $"invalid UTF-8 at byte offset {lineOffset + validBytes} (byte {validBytes + 1} of the line); " +
        "convert the file to UTF-8 (e.g. iconv -f CP949 -t UTF-8)", SourceName, _lineNumber);

    private void Append(ref int length, ReadOnlySpan<byte> piece)
    {
        if (length + piece.Length > _line.Length)
            Array.Resize(ref _line, Math.Max(_line.Length * 2, length + piece.Length));
        piece.CopyTo(_line.AsSpan(length));
        length += piece.Length;
    }

    private bool Fill()
    {
        try
        {
            _chunkStart = 0;
            _chunkEnd = _stream.Read(_chunk, 0, _chunk.Length);
        }
        catch (IOException e)
        {
            throw new PerplexException($"cannot read: {e.Message}", SourceName, _lineNumber + 1, e);
        }
        return _chunkEnd > 0;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsStream) _stream.Dispose();
    }
}
