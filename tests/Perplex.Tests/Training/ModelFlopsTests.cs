using Perplex.Models;
using Perplex.Training;
using Xunit;

namespace Perplex.Tests.Training;

public sealed class ModelFlopsTests
{
    [Theory]
    [InlineData(200, 15.84e6)] // figures of ../shared/bench/README.md for PyTorch's step
    [InlineData(650, 79.56e6)]
    public void CountsTheGemmsOfAnLstmTrainingStepLikeTheReference(int size, double expected) =>
        Assert.Equal(expected, ModelFlops.TrainingPerToken(new LanguageModelConfig(ModelKind.Lstm, 10000, size, size, 2)), 1);

    [Fact]
    public void CountsGatesAndWindows()
    {
        // GRU, one layer, E=3, H=2, V=5: 2·3·2·(3+2) = 60 recurrent + 2·2·5 = 20 decoder.
        Assert.Equal(80, ModelFlops.ForwardPerToken(new LanguageModelConfig(ModelKind.Gru, 5, 3, 2, 1)));
        // Window of 4, E=3, H=2, V=5: 2·12·2 = 48 hidden + 20 decoder.
        Assert.Equal(68, ModelFlops.ForwardPerToken(new LanguageModelConfig(ModelKind.Window, 5, 3, 2, 1, Window: 4)));
    }
}
