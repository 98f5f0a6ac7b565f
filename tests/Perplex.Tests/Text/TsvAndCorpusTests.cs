using Perplex.Text;

namespace Perplex.Tests.Text;

public class TsvAndCorpusTests
{
    [Fact]
    public void TsvColumnIsFoundByHeaderName()
    {
        using var dir = new TempDir();
        var path = dir.File("r.txt", "id\tdocument\tlabel\r\n1\t정말 재밌다\t1\r\n2\t별로\t0\r\n");
        var reader = TsvReader.Open(path);
        Assert.Equal(["id", "document", "label"], reader.Header);
        Assert.Equal(["정말 재밌다", "별로"], reader.Column("document").Select(l => l.Text));
        Assert.Equal([2L, 3], reader.Column("document").Select(l => l.Number));
    }

    [Fact]
    public void MissingColumnListsTheColumns()
    {
        using var dir = new TempDir();
        var path = dir.File("r.txt", "id\tdocument\tlabel\n1\tx\t1\n");
        var e = Assert.Throws<PerplexException>(() => TsvReader.Open(path).Column("review").ToList());
        Assert.Contains("no column named 'review'", e.Message);
        Assert.Contains("id, document, label", e.Message);
    }

    [Fact]
    public void ShortRowNamesTheLine()
    {
        using var dir = new TempDir();
        var path = dir.File("r.txt", "id\tdocument\tlabel\n1\tx\t1\n2\ty\n");
        var e = Assert.Throws<PerplexException>(() => TsvReader.Open(path).Rows().ToList());
        Assert.Equal(3, e.LineNumber);
    }

    [Fact]
    public void CorpusTokenizesEachFormat()
    {
        using var dir = new TempDir();
        var text = dir.File("a.txt", "the cat\r\n\r\nsat\n");
        Assert.Equal([["the", "cat"], ["sat"]], new Corpus(text).Sentences().Select(s => s.Tokens));
        var tsv = dir.File("b.tsv", "id\tdocument\tlabel\n1\t재밌다\t1\n");
        var chars = new Corpus(tsv) { Format = CorpusFormat.Tsv, Column = "document", Tokenizer = new GraphemeTokenizer() };
        Assert.Equal(["재", "밌", "다"], Assert.Single(chars.Sentences()).Tokens);
        Assert.Equal(CorpusFormat.Conllu, Corpus.GuessFormat("x.conllu", null));
        Assert.Equal(CorpusFormat.Tsv, Corpus.GuessFormat("ratings.txt", "document"));
    }

    [Fact]
    public void EmptyCorpusIsAClearError()
    {
        using var dir = new TempDir();
        var path = dir.File("empty.txt", "\n  \n");
        var e = Assert.Throws<PerplexException>(() => new Corpus(path).NonEmptySentences().ToList());
        Assert.Equal($"{path}: the corpus is empty (no tokens)", e.Message);
    }
}
