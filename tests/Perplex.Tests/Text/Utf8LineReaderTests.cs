using System.Text;
using Perplex.Text;

namespace Perplex.Tests.Text;

public class Utf8LineReaderTests
{
    private static List<TextLine> Read(byte[] bytes)
    {
        using var reader = new Utf8LineReader(new MemoryStream(bytes), "mem");
        var lines = new List<TextLine>();
        while (reader.TryReadLine(out var l)) lines.Add(l);
        return lines;
    }

    [Fact]
    public void CrLfAndLfBothEndLines_AndTheLastLineNeedsNoNewline()
    {
        var lines = Read(Encoding.UTF8.GetBytes("one\r\ntwo\n\r\nthree"));
        Assert.Equal(["one", "two", "", "three"], lines.Select(l => l.Text));
        Assert.Equal([1L, 2, 3, 4], lines.Select(l => l.Number));
        Assert.Equal([0L, 5, 9, 11], lines.Select(l => l.ByteOffset));
    }

    [Fact]
    public void ByteOrderMarkIsSkipped()
    {
        var lines = Read([0xEF, 0xBB, 0xBF, (byte)'h', (byte)'i', (byte)'\n']);
        Assert.Equal("hi", Assert.Single(lines).Text);
    }

    [Fact]
    public void KoreanAndEmojiDecode()
    {
        var text = "한국어 문장\n👍🏽 ok\n";
        var lines = Read(Encoding.UTF8.GetBytes(text));
        Assert.Equal(["한국어 문장", "👍🏽 ok"], lines.Select(l => l.Text));
    }

    [Fact]
    public void LinesLongerThanTheReadBufferAreJoined()
    {
        var longLine = string.Concat(Enumerable.Repeat("가나다라 ", 40_000)); // ≈520 KB, many 64 KB chunks
        var lines = Read(Encoding.UTF8.GetBytes(longLine + "\nend"));
        Assert.Equal(longLine, lines[0].Text);
        Assert.Equal("end", lines[1].Text);
    }

    [Fact]
    public void InvalidUtf8NamesFileLineAndByteOffset()
    {
        var bytes = Encoding.UTF8.GetBytes("fine\nab").Concat(new byte[] { 0xC3, 0x28 }).Concat(Encoding.UTF8.GetBytes("cd\n")).ToArray();
        var e = Assert.Throws<PerplexException>(() => Read(bytes));
        Assert.Equal("mem", e.FilePath);
        Assert.Equal(2, e.LineNumber);
        Assert.Contains("byte offset 7", e.Message);
        Assert.StartsWith("mem:2: invalid UTF-8", e.Message);
    }

    [Fact]
    public void TruncatedMultibyteSequenceAtEndOfFileIsInvalid()
    {
        var bytes = Encoding.UTF8.GetBytes("한").Take(2).ToArray();
        var e = Assert.Throws<PerplexException>(() => Read(bytes));
        Assert.Contains("byte offset 0", e.Message);
    }

    [Fact]
    public void MissingFileIsAClearError()
    {
        var e = Assert.Throws<PerplexException>(() => Utf8LineReader.ReadLines("/no/such/file.txt").ToList());
        Assert.Equal("/no/such/file.txt: file not found", e.Message);
    }
}
