using Xunit;
using Perplex.NGram;

namespace Perplex.Tests.NGram;

public class CountingTests
{
    [Fact]
    public void TinyMemoryBudgetSpillsRunsAndGivesIdenticalModel()
    {
        var inMemory = new StringWriter();
        ArpaWriter.Write(KenLmFixtures.Build("tiny.txt", 4, true), inMemory);
        using var dir = new TempDir();
        var options = new NGramBuildOptions { Order = 4, SkipSymbols = true, MemoryBytes = 16 << 10, TempDirectory = dir.Path };
        var spilled = (BackoffModel)NGramBuilder.Build(KenLmFixtures.File("tiny.txt"), options, out var report, new KenLmFixtures.SilentProgress());
        Assert.True(report.SpilledRuns > 10, $"only {report.SpilledRuns} runs");
        var text = new StringWriter();
        ArpaWriter.Write(spilled, text);
        Assert.Equal(inMemory.ToString(), text.ToString());
        Assert.Empty(Directory.GetFiles(dir.Path)); // runs are deleted
    }

    [Fact]
    public void ProgressStagesAreNamed()
    {
        var progress = new KenLmFixtures.SilentProgress();
        var model = NGramBuilder.Build(KenLmFixtures.File("tiny.txt"), new NGramBuildOptions { SkipSymbols = true }, out _, progress);
        using var dir = new TempDir();
        NGramModelFile.Save(model, dir.Combine("m.arpa"), progress);
        Assert.Equal(["counting", "adjusting", "discounting", "estimating", "writing"], progress.Stages);
    }

    [Fact]
    public void CrLfCorpusCountsLikeLf()
    {
        using var dir = new TempDir();
        var lf = dir.File("lf.txt", "a b c\nb c d\n");
        var crlf = dir.File("crlf.txt", "\uFEFFa b c\r\nb c d\r\n");
        var options = new NGramBuildOptions { Order = 2, DiscountFallback = Discount.DefaultFallback };
        var p = new KenLmFixtures.SilentProgress();
        Assert.Equal(KenLmFixtures.Entries((BackoffModel)NGramBuilder.Build(lf, options, out _, p)),
                     KenLmFixtures.Entries((BackoffModel)NGramBuilder.Build(crlf, options, out _, p)));
    }
}
