using Xunit;
using Perplex.NGram;

namespace Perplex.Tests.NGram;

/// <summary>User mistakes become one <see cref="PerplexException"/> naming the file and line.</summary>
public class BadInputTests
{
    private const string Good = "\\data\\\nngram 1=4\nngram 2=2\n\n\\1-grams:\n-1\t<unk>\t0\n0\t<s>\t-0.3\n-0.5\t</s>\t0\n-0.4\ta\t-0.2\n\n\\2-grams:\n-0.2\t<s> a\n-0.1\ta </s>\n\n\\end\\\n";

    private static PerplexException ReadError(string arpa, out string path)
    {
        using var dir = new TempDir();
        path = dir.File("bad.arpa", arpa);
        var p = path;
        return Assert.Throws<PerplexException>(() => ArpaReader.Read(p));
    }

    [Fact]
    public void TheWellFormedBaselineReads()
    {
        using var dir = new TempDir();
        Assert.Equal([4L, 2L], ArpaReader.Read(dir.File("good.arpa", Good)).NGramCounts);
    }

    [Fact]
    public void WrongCountInDataSection()
    {
        var e = ReadError(Good.Replace("ngram 1=4", "ngram 1=5"), out var path);
        Assert.Equal(path, e.FilePath);
        Assert.Equal(11, e.LineNumber); // where the unigram section ends early
        Assert.Contains("declares 5 1-grams but the section has 4", e.Message);

        e = ReadError(Good.Replace("ngram 2=2", "ngram 2=1"), out _);
        Assert.Equal(13, e.LineNumber);
        Assert.Contains("more 2-grams than the 1 declared", e.Message);
    }

    [Fact]
    public void MissingSection()
    {
        var e = ReadError(Good[..Good.IndexOf("\\2-grams:")] + "\\end\\\n", out _);
        Assert.Equal(11, e.LineNumber);
        Assert.Contains("missing \\2-grams:", e.Message);
    }

    [Fact]
    public void NonNumericField()
    {
        var e = ReadError(Good.Replace("-0.4\ta\t-0.2", "-0.4\ta\tzero"), out _);
        Assert.Equal(9, e.LineNumber);
        Assert.Contains("backoff 'zero' is not a number", e.Message);
        e = ReadError(Good.Replace("-0.2\t<s> a", "x\t<s> a"), out _);
        Assert.Equal(12, e.LineNumber);
        Assert.Contains("log10 probability 'x' is not a number", e.Message);
    }

    [Fact]
    public void NGramOfTheWrongOrder()
    {
        var e = ReadError(Good.Replace("-0.1\ta </s>", "-0.1\t<s> a </s>"), out _);
        Assert.Equal(13, e.LineNumber);
        Assert.Contains("expected a 2-gram", e.Message);
    }

    [Fact]
    public void UnknownWordInHigherOrder()
    {
        var e = ReadError(Good.Replace("-0.1\ta </s>", "-0.1\tb </s>"), out _);
        Assert.Equal(13, e.LineNumber);
        Assert.Contains("'b' is not among the unigrams", e.Message);
    }

    [Fact]
    public void EmptyCorpusAndBlankCorpus()
    {
        using var dir = new TempDir();
        var empty = dir.File("empty.txt", "");
        var e = Assert.Throws<PerplexException>(() => NGramBuilder.Build(empty, new NGramBuildOptions(), out _));
        Assert.Equal(empty, e.FilePath);
        Assert.Contains("the corpus is empty", e.Message);
        var blank = dir.File("blank.txt", "\n  \n<unk>\n");
        e = Assert.Throws<PerplexException>(() => NGramBuilder.Build(blank, new NGramBuildOptions { SkipSymbols = true }, out _, new KenLmFixtures.SilentProgress()));
        Assert.Contains("no words", e.Message);
    }

    [Fact]
    public void SpecialSymbolsInCorpusAreRefusedWithAHint()
    {
        using var dir = new TempDir();
        var corpus = dir.File("c.txt", "a b\nc <s> d\n");
        var e = Assert.Throws<PerplexException>(() => NGramBuilder.Build(corpus, new NGramBuildOptions(), out _));
        Assert.Equal(2, e.LineNumber);
        Assert.Contains("--skip-symbols", e.Message);
    }

    [Fact]
    public void InvalidUtf8NamesTheLine()
    {
        using var dir = new TempDir();
        var path = dir.Combine("bad.txt");
        File.WriteAllBytes(path, [(byte)'a', (byte)'\n', (byte)'b', 0xFF, (byte)'\n']);
        var e = Assert.Throws<PerplexException>(() => NGramBuilder.Build(path, new NGramBuildOptions(), out _));
        Assert.Equal(2, e.LineNumber);
        Assert.Contains("invalid UTF-8", e.Message);
    }

    [Fact]
    public void InvalidDiscountsStopOrFallBackWithAWarning()
    {
        using var dir = new TempDir();
        // Every trigram seen exactly three times: no count-of-counts t1, so no Kneser-Ney discounts.
        var corpus = dir.File("c.txt", string.Concat(Enumerable.Repeat("a b c d\n", 3)));
        var e = Assert.Throws<PerplexException>(() => NGramBuilder.Build(corpus, new NGramBuildOptions(), out _));
        Assert.Contains("--discount-fallback", e.Message);

        var progress = new KenLmFixtures.SilentProgress();
        NGramBuilder.Build(corpus, new NGramBuildOptions { DiscountFallback = Discount.DefaultFallback }, out var report, progress);
        Assert.Contains(progress.Warnings, w => w.Contains("substituting fallback discounts") && w.Contains("D1=0.5 D2=1 D3+=1.5"));
        Assert.Equal(Discount.DefaultFallback, report.Discounts[2]);
    }
}
