using Perplex.Inference;
using Perplex.Models;
using Perplex.Tests.Training;
using Perplex.Training;
using Xunit;

namespace Perplex.Tests.Inference;

public sealed class NeuralScoringTests
{
    /// <summary>log softmax(logits)[target], the reference for one prediction.</summary>
    private static double LogSoftmax(ReadOnlySpan<float> logits, int target)
    {
        double max = double.NegativeInfinity;
        foreach (var l in logits) max = Math.Max(max, l);
        double sum = 0;
        foreach (var l in logits) sum += Math.Exp(l - max);
        return logits[target] - max - Math.Log(sum);
    }

    /// <summary>The chain rule done by hand, one token at a time with NextLogits.</summary>
    private static double ChainRule(NeuralLanguageModel<float> model, int[] stream)
    {
        model.ResetState(1);
        var logits = new float[model.VocabSize];
        double total = 0;
        for (int i = 0; i + 1 < stream.Length; i++)
        {
            model.NextLogits([stream[i]], logits);
            total += LogSoftmax(logits, stream[i + 1]);
        }
        return total;
    }

    [Theory]
    [InlineData(ModelKind.Lstm)]
    [InlineData(ModelKind.Window)]
    public void SentenceAndStreamScoresFollowTheChainRule(ModelKind kind)
    {
        var vocabulary = TinyCorpus.Vocabulary();
        var model = LanguageModels.Create<float>(TinyCorpus.Config(vocabulary, kind), 3);
        if (model is WindowLanguageModel<float> w) w.PadToken = Perplex.Text.Vocabulary.EosId;
        var sentence = TinyCorpus.Tokens(vocabulary, 1)[..6]; // "the cat sat on the mat"
        var score = NeuralScoring.ScoreSentence(model, sentence);
        Assert.Equal(7, score.Tokens); // six words and </s>
        Assert.Equal(ChainRule(model, [Perplex.Text.Vocabulary.EosId, .. sentence, Perplex.Text.Vocabulary.EosId]), score.LogProbability, 4);
        Assert.Equal(Math.Exp(-score.LogProbability / 7), score.Perplexity, 9);

        var stream = TinyCorpus.Tokens(vocabulary, 2);
        var whole = NeuralScoring.ScoreStream(model, stream, chunk: 7);
        Assert.Equal(stream.Length, whole.Tokens);
        Assert.Equal(ChainRule(model, [Perplex.Text.Vocabulary.EosId, .. stream]), whole.LogProbability, 3);
    }

    [Fact]
    public void BatchedScoringCoversWhatBatchifyKeeps()
    {
        var vocabulary = TinyCorpus.Vocabulary();
        var model = LanguageModels.Create<float>(TinyCorpus.Config(vocabulary), 3);
        var batches = new TokenBatches(TinyCorpus.Tokens(vocabulary, 3), 4);
        var score = NeuralScoring.Score(model, batches, 5);
        Assert.Equal(batches.PredictedTokens, score.Tokens);
        Assert.True(score.Perplexity > 1 && score.Perplexity < 3 * vocabulary.Count, $"{score.Perplexity}");
    }
}
