using System.Text;
using Perplex.Text;

namespace Perplex.Tests.Text;

public class TokenizerTests
{
    [Fact]
    public void WhitespaceTokenizerSplitsOnAnyUnicodeSpace()
    {
        var tokens = new WhitespaceTokenizer().Tokenize("  the\tcat\u3000sat \u00A0 down ");
        Assert.Equal(["the", "cat", "sat", "down"], tokens);
    }

    [Fact]
    public void GraphemesKeepHangulSyllablesAndEmojiSequencesWhole()
    {
        var t = new GraphemeTokenizer();
        Assert.Equal(["한", "국", "어"], t.Tokenize("한국어"));
        // Thumbs up + skin tone, a ZWJ family, a flag, and e + combining acute: one token each.
        var text = "👍🏽👨\u200D👩\u200D👧🇰🇷e\u0301!";
        Assert.Equal(["👍🏽", "👨\u200D👩\u200D👧", "🇰🇷", "e\u0301", "!"], t.Tokenize(text));
        Assert.Equal(text, t.Detokenize(t.Tokenize(text)));
    }

    [Fact]
    public void GraphemesOfDecomposedHangulRegroupIntoSyllables()
    {
        var nfd = "한국".Normalize(NormalizationForm.FormD);
        Assert.Equal(6, nfd.Length);
        Assert.Equal(2, new GraphemeTokenizer().Tokenize(nfd).Count);
    }

    [Fact]
    public void SpacesAreCharacterTokensSoTextRoundTrips()
    {
        var t = new GraphemeTokenizer();
        var tokens = t.Tokenize("이 영화 정말");
        Assert.Equal(7, tokens.Count);
        Assert.Equal(" ", tokens[1]);
        Assert.Equal("이 영화 정말", t.Detokenize(tokens));
    }

    [Fact]
    public void JamoTokenizerSplitsSyllablesAndRecomposes()
    {
        var t = new JamoTokenizer();
        var tokens = t.Tokenize("한글 ok");
        // 한 = ㅎ ㅏ ㄴ, 글 = ㄱ ㅡ ㄹ, then space, o, k
        Assert.Equal(9, tokens.Count);
        Assert.Equal("한글 ok", t.Detokenize(tokens));
    }

    [Theory]
    [InlineData("word", typeof(WhitespaceTokenizer))]
    [InlineData("char", typeof(GraphemeTokenizer))]
    [InlineData("jamo", typeof(JamoTokenizer))]
    public void TokenizersAreCreatedByName(string name, Type type) => Assert.IsType(type, Tokenizers.Create(name));

    [Fact]
    public void UnknownTokenizerNameIsAUserError() =>
        Assert.Throws<PerplexException>(() => Tokenizers.Create("bpe"));

    [Fact]
    public void NfcIsTheStatedDefaultAndComposes()
    {
        var decomposed = "e\u0301한".Normalize(NormalizationForm.FormD);
        Assert.Equal("é한", TextNormalization.Normalize(decomposed, UnicodeNormalization.Nfc));
        Assert.Equal(decomposed, TextNormalization.Normalize(decomposed, UnicodeNormalization.None));
        Assert.Equal(UnicodeNormalization.Nfc, new Corpus("x").Normalization);
    }
}
