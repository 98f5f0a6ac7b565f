using Xunit;
using Perplex.NGram;

namespace Perplex.Tests.NGram;

public class ArpaRoundTripTests
{
    [Theory]
    [MemberData(nameof(KenLmFixtures.Models), MemberType = typeof(KenLmFixtures))]
    public void WriteReadWriteIsByteIdentical(string name, string corpus, string test, int order, bool skip)
    {
        _ = (name, test);
        var first = new StringWriter();
        ArpaWriter.Write(KenLmFixtures.Build(corpus, order, skip), first);
        using var dir = new TempDir();
        var path = dir.File("model.arpa", first.ToString());
        var second = new StringWriter();
        ArpaWriter.Write(ArpaReader.Read(path), second);
        Assert.Equal(first.ToString(), second.ToString());
    }

    [Theory]
    [MemberData(nameof(KenLmFixtures.Models), MemberType = typeof(KenLmFixtures))]
    public void LmplzArpaIsReproducedByteForByte(string name, string corpus, string test, int order, bool skip)
    {
        _ = (corpus, test, order, skip);
        var path = KenLmFixtures.File(name + ".arpa");
        var written = new StringWriter();
        ArpaWriter.Write(ArpaReader.Read(path), written);
        Assert.Equal(File.ReadAllText(path), written.ToString());
    }

    [Fact]
    public void CrLfAndUnigramOnlyAndMissingUnkAreAccepted()
    {
        using var dir = new TempDir();
        var path = dir.File("uni.arpa", "\\data\\\r\nngram 1=3\r\n\r\n\\1-grams:\r\n-99\t<s>\r\n-0.5\t</s>\r\n-0.3\thello\r\n\r\n\\end\\\r\n");
        var progress = new KenLmFixtures.SilentProgress();
        var model = ArpaReader.Read(path, progress);
        Assert.Equal(1, model.Order);
        Assert.Contains(progress.Warnings, w => w.Contains("missing <unk>"));
        var state = model.BeginSentenceState();
        Assert.Equal(-0.3f, model.Score(state, model.Vocabulary.Find("hello"), out _, out _));
        Assert.Equal(ArpaReader.MissingUnknownLog10, model.Score(state, model.Vocabulary.Find("nope"), out _, out _));
    }
}
