using Perplex.Text;

namespace Perplex.Tests.Text;

public class ConlluTests
{
    private const string Sample =
        "# newdoc id = d1\r\n" +
        "# sent_id = 1\r\n" +
        "# text = I don't know.\r\n" +
        "1\tI\tI\tPRON\tPRP\t_\t4\tnsubj\t_\t_\r\n" +
        "2-3\tdon't\t_\t_\t_\t_\t_\t_\t_\t_\r\n" +
        "2\tdo\tdo\tAUX\tVBP\t_\t4\taux\t_\t_\r\n" +
        "3\tn't\tnot\tPART\tRB\t_\t4\tadvmod\t_\t_\r\n" +
        "4\tknow\tknow\tVERB\tVB\t_\t0\troot\t_\tSpaceAfter=No\r\n" +
        "4.1\tknew\tknow\tVERB\tVBD\t_\t_\t_\t4:conj\t_\r\n" +
        "5\t.\t.\tPUNCT\t.\t_\t4\tpunct\t_\t_\r\n" +
        "\r\n" +
        "# sent_id = 2\n" +
        "1\t나는\t나+는\tPRON\tnp+jxt\t_\t2\tnsubj\t_\t_\n" +
        "2\t간다\t가+ㄴ다\tVERB\tpvg+ef\t_\t0\troot\t_\t_\n";   // no final blank line

    [Fact]
    public void ReadsWordsTagsCommentsAndMultiwordTokens()
    {
        using var dir = new TempDir();
        var sentences = ConlluReader.Read(dir.File("a.conllu", Sample)).ToList();
        Assert.Equal(2, sentences.Count);
        var s = sentences[0];
        Assert.Equal("I don't know.", s.Metadata("text"));
        Assert.Equal("1", s.Metadata("sent_id"));
        Assert.Equal(["I", "do", "n't", "know", "."], s.Words.Select(w => w.Form));
        Assert.Equal(["PRON", "AUX", "PART", "VERB", "PUNCT"], s.Words.Select(w => w.Upos));
        Assert.Equal(["PRP", "VBP", "RB", "VB", "."], s.Words.Select(w => w.Xpos));
        Assert.Equal(["I", "don't", "know", "."], s.SurfaceTokens());
        var mwt = Assert.Single(s.MultiwordTokens);
        Assert.Equal((2, 3, "don't"), (mwt.First, mwt.Last, mwt.Form));
        Assert.Equal(["나는", "간다"], sentences[1].Words.Select(w => w.Form));
        Assert.Equal("np+jxt", sentences[1].Words[0].Xpos);
    }

    [Fact]
    public void WriteThenReadGivesTheSameSentences()
    {
        using var dir = new TempDir();
        var original = ConlluReader.Read(dir.File("a.conllu", Sample)).ToList();
        var writer = new StringWriter();
        foreach (var s in original) ConlluReader.Write(writer, s);
        var again = ConlluReader.Read(dir.File("b.conllu", writer.ToString())).ToList();
        Assert.Equal(original.Select(s => s.Words), again.Select(s => s.Words));
        Assert.Equal(original.Select(s => s.SurfaceTokens()), again.Select(s => s.SurfaceTokens()));
        Assert.Equal(original.Select(s => s.Comments), again.Select(s => s.Comments));
    }

    [Fact]
    public void WrongColumnCountNamesTheLine()
    {
        using var dir = new TempDir();
        var path = dir.File("bad.conllu", "# text = a b\n1\ta\ta\tX\tX\t_\t0\troot\t_\t_\n2\tb\tb\tX\n\n");
        var e = Assert.Throws<PerplexException>(() => ConlluReader.Read(path).ToList());
        Assert.Equal(3, e.LineNumber);
        Assert.Contains("expected 10 tab-separated columns, found 4", e.Message);
    }

    [Fact]
    public void OutOfSequenceIdNamesTheLine()
    {
        using var dir = new TempDir();
        var path = dir.File("bad.conllu", "1\ta\ta\tX\tX\t_\t0\troot\t_\t_\n3\tb\tb\tX\tX\t_\t1\tdep\t_\t_\n");
        var e = Assert.Throws<PerplexException>(() => ConlluReader.Read(path).ToList());
        Assert.Equal(2, e.LineNumber);
    }

    [Fact]
    public void RealUdSliceParses()
    {
        var path = Cli.TestData("text", "ko_kaist-sample.conllu");  // first 25 sentences of UD Korean-KAIST dev
        var sentences = ConlluReader.Read(path).ToList();
        Assert.True(sentences.Count >= 20);
        // The surface tokens, glued together, are the sentence text without its spaces.
        Assert.All(sentences, s => Assert.Equal(s.Metadata("text")!.Replace(" ", ""), string.Concat(s.SurfaceTokens())));
    }
}
