using Perplex.Text;

namespace Perplex.Tests.Text;

public class VocabularyTests
{
    private static readonly List<string>[] Corpus =
    [
        ["the", "cat", "sat"],
        ["the", "dog", "sat", "<unk>"],
        ["a", "cat", "\t", "back\\slash"],
    ];

    [Fact]
    public void SpecialTokensHaveFixedIdsAndOthersAreOrderedByCountThenText()
    {
        var v = Vocabulary.Build(Corpus);
        Assert.Equal(["<unk>", "<s>", "</s>", "cat", "sat", "the", "\t", "a", "back\\slash", "dog"], v.Tokens);
        Assert.Equal(1, v.Counts[Vocabulary.UnkId]); // the literal <unk> in the corpus
        Assert.Equal(-1, v.PadId);
        var padded = Vocabulary.Build(Corpus, includePad: true);
        Assert.Equal(3, padded.PadId);
        Assert.Equal("<pad>", padded[3]);
    }

    [Fact]
    public void MinCountAndMaxSizeCutTheVocabulary()
    {
        Assert.Equal(["<unk>", "<s>", "</s>", "cat", "sat", "the"], Vocabulary.Build(Corpus, minCount: 2).Tokens);
        Assert.Equal(["<unk>", "<s>", "</s>", "cat", "sat"], Vocabulary.Build(Corpus, maxSize: 5).Tokens);
        Assert.Throws<PerplexException>(() => Vocabulary.Build(Corpus, maxSize: 2));
    }

    [Theory]
    [InlineData("v.txt")]
    [InlineData("v.json")]
    public void SaveLoadRoundTripKeepsEverything(string name)
    {
        using var dir = new TempDir();
        var v = Vocabulary.Build(Corpus, includePad: true, tokenizer: "char", normalization: UnicodeNormalization.Nfd);
        var path = dir.Combine(name);
        v.Save(path);
        var back = Vocabulary.Load(path);
        Assert.Equal(v.Tokens, back.Tokens);
        Assert.Equal(v.Counts, back.Counts);
        Assert.Equal(("char", UnicodeNormalization.Nfd, 3), (back.Tokenizer, back.Normalization, back.PadId));
        Assert.Equal(v.ToJson(), back.ToJson());
    }

    [Fact]
    public void UnknownWordPolicies()
    {
        var v = Vocabulary.Build(Corpus, minCount: 2);
        string[] sentence = ["the", "zebra", "sat"];
        var ids = new List<int>();
        Assert.Equal(1, v.Encode(sentence, UnknownWordPolicy.MapToUnk, ids));
        Assert.Equal([v.IdOrUnk("the"), Vocabulary.UnkId, v.IdOrUnk("sat")], ids);
        ids.Clear();
        Assert.Equal(1, v.Encode(sentence, UnknownWordPolicy.Skip, ids));
        Assert.Equal(2, ids.Count);
        var e = Assert.Throws<PerplexException>(() => v.Encode(sentence, UnknownWordPolicy.Fail, ids, "test.txt", 7));
        Assert.StartsWith("test.txt:7: token 'zebra' is not in the vocabulary", e.Message);
    }

    [Fact]
    public void CorruptVocabularyFileNamesTheLine()
    {
        using var dir = new TempDir();
        var path = dir.File("v.txt", "<unk>\t0\n<s>\t0\n</s>\t0\nthe\tmany\n");
        var e = Assert.Throws<PerplexException>(() => Vocabulary.Load(path));
        Assert.Equal(4, e.LineNumber);
        var noSpecials = dir.File("w.txt", "the\t3\n");
        Assert.Contains("must start with the special tokens", Assert.Throws<PerplexException>(() => Vocabulary.Load(noSpecials)).Message);
    }
}
