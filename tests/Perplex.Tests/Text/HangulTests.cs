using System.Text;
using Perplex.Text;

namespace Perplex.Tests.Text;

public class HangulTests
{
    [Fact]
    public void EverySyllableDecomposesAsUnicodeNfdAndComposesBack()
    {
        for (char c = '\uAC00'; c <= '\uD7A3'; c++)
        {
            var s = c.ToString();
            var jamo = Hangul.Decompose(s);
            // Unicode's canonical decomposition of a syllable is exactly these conjoining jamo: an independent reference.
            Assert.Equal(s.Normalize(NormalizationForm.FormD), jamo);
            Assert.Equal(s, Hangul.Compose(jamo));
        }
    }

    [Fact]
    public void MixedTextRoundTrips()
    {
        var text = "나는 2024년에 서울에서 Perplex를 썼다. 👍 ㅋㅋ";
        Assert.Equal(text, Hangul.Compose(Hangul.Decompose(text)));
        Assert.NotEqual(text, Hangul.Decompose(text));
    }

    [Fact]
    public void SyllableWithoutFinalConsonantIsTwoJamo()
    {
        Assert.Equal(2, Hangul.Decompose("가").Length);
        Assert.Equal(3, Hangul.Decompose("각").Length);
        // Two open syllables in a row must not fuse a following lead consonant into a tail.
        Assert.Equal("가나", Hangul.Compose(Hangul.Decompose("가나")));
    }
}
