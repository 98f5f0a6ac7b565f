using Xunit;
using Perplex.NGram;

namespace Perplex.Tests.NGram;

/// <summary>The batched, byte-level ARPA reader: any line order, exact line numbers in errors, pinned storage.</summary>
public class ArpaLoadTests
{
    private static string[] FixtureLines(string name) => File.ReadAllLines(KenLmFixtures.File(name));

    private static string Write(BackoffModel model)
    {
        var text = new StringWriter();
        ArpaWriter.Write(model, text);
        return text.ToString();
    }

    [Fact]
    public void LinesInAnyOrderGiveTheSameModel()
    {
        // Suffix order lets the reader find suffixes by galloping; any other order must fall back to hashing.
        // (Unigrams keep their order: it sets the word ids, and with them the order ARPA is written in.)
        var lines = FixtureLines("tiny.o4.arpa");
        var random = new Random(7);
        var shuffled = new List<string>();
        var section = new List<string>();
        bool unigrams = false;
        foreach (var line in lines)
        {
            if (line.StartsWith('\\')) unigrams = line == "\\1-grams:";
            bool body = !unigrams && line.Length > 0 && line[0] != '\\' && !line.StartsWith("ngram ");
            if (body) { section.Add(line); continue; }
            shuffled.AddRange(section.OrderBy(_ => random.Next()));
            section.Clear();
            shuffled.Add(line);
        }
        using var dir = new TempDir();
        var path = dir.Combine("shuffled.arpa");
        File.WriteAllLines(path, shuffled);
        Assert.NotEqual(lines, File.ReadAllLines(path));
        var expected = Write(ArpaReader.Read(KenLmFixtures.File("tiny.o4.arpa")));
        Assert.Equal(expected, Write(ArpaReader.Read(path)));
    }

    [Fact]
    public void ErrorsFarIntoASectionNameTheirOwnLineAndTheFirstComesFirst()
    {
        var lines = FixtureLines("tiny.o3.arpa");
        int section = Array.IndexOf(lines, "\\3-grams:");
        int early = section + 400, late = section + 700; // beyond the first batches of lines
        using var dir = new TempDir();

        var bad = (string[])lines.Clone();
        bad[late] = "x" + bad[late][bad[late].IndexOf('\t')..];
        var e = Assert.Throws<PerplexException>(() => ArpaReader.Read(dir.File("a.arpa", string.Join('\n', bad))));
        Assert.Equal(late + 1, e.LineNumber);
        Assert.Contains("log10 probability 'x' is not a number", e.Message);

        var fields = bad[early].Split('\t');
        fields[1] = "nosuchword " + fields[1][(fields[1].IndexOf(' ') + 1)..];
        bad[early] = string.Join('\t', fields);
        e = Assert.Throws<PerplexException>(() => ArpaReader.Read(dir.File("b.arpa", string.Join('\n', bad))));
        Assert.Equal(early + 1, e.LineNumber);
        Assert.Contains("'nosuchword' is not among the unigrams", e.Message);
    }

    [Fact]
    public void InvalidUtf8InAnArpaFileOrQueryTextNamesLineAndOffset()
    {
        // Both now read raw UTF-8 bytes: validation must still name the place.
        using var dir = new TempDir();
        var lines = FixtureLines("tiny.o2.arpa");
        int at = Array.IndexOf(lines, "\\2-grams:") + 3;
        var bytes = new List<byte>();
        for (int i = 0; i < lines.Length; i++)
        {
            bytes.AddRange(System.Text.Encoding.UTF8.GetBytes(lines[i]));
            if (i == at) bytes.Add(0xFF);
            bytes.Add((byte)'\n');
        }
        var arpa = dir.Combine("bad.arpa");
        File.WriteAllBytes(arpa, bytes.ToArray());
        var e = Assert.Throws<PerplexException>(() => ArpaReader.Read(arpa));
        Assert.Equal(at + 1, e.LineNumber);
        Assert.Contains("invalid UTF-8 at byte offset", e.Message);

        var text = dir.Combine("bad.txt");
        File.WriteAllBytes(text, [(byte)'a', (byte)'\n', (byte)'b', (byte)' ', 0xC3, (byte)'\n']);
        var model = ArpaReader.Read(KenLmFixtures.File("tiny.o2.arpa"));
        e = Assert.Throws<PerplexException>(() => NGramQuery.Run(model, text, TextWriter.Null));
        Assert.Equal(text, e.FilePath);
        Assert.Equal(2, e.LineNumber);
        Assert.Contains("byte offset 4", e.Message);
    }

    [Fact]
    public void ArpaModelSurvivesACompactingGarbageCollection()
    {
        var model = ArpaReader.Read(KenLmFixtures.File("tiny.o5.arpa"));
        var before = Compaction.QueryTinyTest(model);
        Compaction.Force();
        Assert.Equal(before, Compaction.QueryTinyTest(model));
    }
}
