using Perplex.Classification;
using Xunit;

namespace Perplex.Tests.Classification;

public class ScriptSplitTokenizerTests
{
    [Theory]
    [InlineData("쓰레기 영화ㅋㅋㅋ보다 잠", "쓰레기|영화|ㅋㅋㅋ|보다|잠")]
    [InlineData("최고!! 명작.....", "최고|!!|명작|...")]
    [InlineData("ㅋㅋㅋㅋㅋㅋ 10점 만점에 10점", "ㅋㅋㅋ|10|점|만점에|10|점")]
    [InlineData("One for all, 최고의 명대사고", "One|for|all|,|최고의|명대사고")]
    [InlineData("  좋아요 😀😀 ", "좋아요|😀😀")]
    [InlineData("재미없어요...?", "재미없어요|...?")]
    public void SplitsWhereTheKindOfCharacterChanges(string text, string expected) =>
        Assert.Equal(expected.Split('|'), new ScriptSplitTokenizer().Tokenize(text));

    [Fact]
    public void EmptyTextHasNoTokens() => Assert.Empty(new ScriptSplitTokenizer().Tokenize("   "));
}
