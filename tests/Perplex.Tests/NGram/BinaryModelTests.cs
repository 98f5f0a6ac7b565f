using Xunit;
using Perplex.NGram;

namespace Perplex.Tests.NGram;

public class BinaryModelTests
{
    [Theory]
    [MemberData(nameof(KenLmFixtures.Models), MemberType = typeof(KenLmFixtures))]
    public void BinaryScoresEveryTestSentenceExactlyAsTheArpaModel(string name, string corpus, string test, int order, bool skip)
    {
        _ = (corpus, order, skip);
        var arpa = ArpaReader.Read(KenLmFixtures.File(name + ".arpa"));
        using var dir = new TempDir();
        var bin = dir.Combine("m.bin");
        NGramModelFile.Save(arpa, bin);
        using var mapped = (BackoffModel)NGramModelFile.Load(bin);
        Assert.Equal(arpa.NGramCounts, mapped.NGramCounts);
        int tokens = 0;
        foreach (var line in File.ReadLines(KenLmFixtures.File(test)))
        {
            var a = arpa.BeginSentenceState();
            var b = mapped.BeginSentenceState();
            foreach (var w in line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Append(Vocabulary.End))
            {
                float pa = arpa.Score(a, arpa.Vocabulary.Find(w), out a, out int la);
                float pb = mapped.Score(b, mapped.Vocabulary.Find(w), out b, out int lb);
                Assert.Equal(pa, pb); // bit-for-bit, not approximately
                Assert.Equal(la, lb);
                tokens++;
            }
        }
        Assert.True(tokens > 4000);
    }

    [Fact]
    public void BinaryExportsTheSameArpaAndKeepsTheEstimator()
    {
        var model = KenLmFixtures.Build("tiny.txt", 4, true);
        using var dir = new TempDir();
        NGramModelFile.Save(model, dir.Combine("m.bin"));
        using var loaded = (BackoffModel)NGramModelFile.Load(dir.Combine("m.bin"));
        Assert.Equal("kn", loaded.Smoothing);
        var direct = new StringWriter();
        ArpaWriter.Write(model, direct);
        var exported = new StringWriter();
        ArpaWriter.Write(loaded, exported);
        Assert.Equal(direct.ToString(), exported.ToString());
    }

    [Fact]
    public void AddKModelRoundTripsThroughBinary()
    {
        var options = new NGramBuildOptions { Order = 3, SkipSymbols = true, Smoothing = Smoothing.AddK, AddK = 0.1 };
        var model = NGramBuilder.Build(KenLmFixtures.File("tiny.txt"), options, out _);
        using var dir = new TempDir();
        NGramModelFile.Save(model, dir.Combine("a.bin"));
        using var loaded = (AddKModel)NGramModelFile.Load(dir.Combine("a.bin"));
        Assert.Equal(0.1, loaded.K);
        var s1 = new StringWriter();
        var s2 = new StringWriter();
        NGramQuery.Run(model, KenLmFixtures.File("tiny-test.txt"), s1);
        NGramQuery.Run(loaded, KenLmFixtures.File("tiny-test.txt"), s2);
        Assert.Equal(s1.ToString(), s2.ToString());
        var e = Assert.Throws<PerplexException>(() => NGramModelFile.Save(model, dir.Combine("a.arpa")));
        Assert.Contains("cannot be written as ARPA", e.Message);
    }

    [Fact]
    public void TruncatedBinaryIsAnErrorNamingTheFile()
    {
        using var dir = new TempDir();
        var bin = dir.Combine("m.bin");
        NGramModelFile.Save(KenLmFixtures.Build("tiny.txt", 2, true), bin);
        var bytes = File.ReadAllBytes(bin);
        File.WriteAllBytes(bin, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<PerplexException>(() => NGramModelFile.Load(bin));
        Assert.Equal(bin, e.FilePath);
        Assert.Contains("truncated", e.Message);
    }
}

public class QuantizedBinaryTests
{
    [Fact]
    public void QuantizedModelIsSmallerAndScoresClose()
    {
        var arpa = ArpaReader.Read(KenLmFixtures.File("tiny.o5.arpa"));
        using var dir = new TempDir();
        NGramModelFile.Save(arpa, dir.Combine("full.bin"));
        NGramModelFile.Save(arpa, dir.Combine("q.bin"), quantize: true);
        Assert.True(new FileInfo(dir.Combine("q.bin")).Length < 0.8 * new FileInfo(dir.Combine("full.bin")).Length);
        using var quantized = (BackoffModel)NGramModelFile.Load(dir.Combine("q.bin"));
        var exact = NGramQuery.Run(arpa, KenLmFixtures.File("tiny-test.txt"), TextWriter.Null, QueryOutput.Summary);
        var approx = NGramQuery.Run(quantized, KenLmFixtures.File("tiny-test.txt"), TextWriter.Null, QueryOutput.Summary);
        Assert.NotEqual(exact.PerplexityIncludingOovs, approx.PerplexityIncludingOovs); // really quantized
        Assert.Equal(exact.PerplexityIncludingOovs, approx.PerplexityIncludingOovs, exact.PerplexityIncludingOovs * 0.01);
    }

    [Fact]
    public void FewDistinctValuesQuantizeExactly()
    {
        float[] values = [-1.5f, -0.25f, -1.5f, -3f, -0.25f];
        var centres = Quantizer.Centres(values, keepZero: true);
        Assert.Equal([-3f, -1.5f, -0.25f, 0f], centres);
        foreach (float v in values) Assert.Equal(v, centres[Quantizer.Encode(centres, v)]);
    }
}
