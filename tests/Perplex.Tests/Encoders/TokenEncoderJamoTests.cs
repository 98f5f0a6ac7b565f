using Perplex.Encoders;
using Xunit;

namespace Perplex.Tests.Encoders;

public class TokenEncoderJamoTests
{
    [Fact]
    public void JamoCharactersShareTheEndingsOfDifferentSyllables()
    {
        List<string>[] sentences = [["했다", "갔다"], ["했다", "갔다"]];
        var tokens = TokenEncoder.Build(sentences, 1, null, withChars: true, jamoChars: true);
        var encoded = tokens.Encode(["했다", "갔다"]).CharIds!;
        Assert.Equal(5, encoded[0].Length);                   // ㅎ ㅐ ㅆ ㄷ ㅏ
        Assert.Equal(encoded[0][2], encoded[1][2]);          // the past-tense ㅆ of 했 and 갔 is one character id
        Assert.Equal(encoded[0][3..], encoded[1][3..]);      // 다

        var syllables = TokenEncoder.Build(sentences, 1, null, withChars: true).Encode(["했다"]).CharIds!;
        Assert.Equal(2, syllables[0].Length);

        var reread = TokenEncoder.FromJson(tokens.ToJson());
        Assert.True(reread.JamoChars);
        Assert.Equal(encoded[1], reread.Encode(["갔다"]).CharIds![0]);
    }
}
