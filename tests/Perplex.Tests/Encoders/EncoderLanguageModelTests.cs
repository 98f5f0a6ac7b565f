using Perplex.Diagnostics;
using Perplex.Encoders;
using Perplex.Layers;
using Perplex.Text;
using Xunit;

namespace Perplex.Tests.Encoders;

/// <summary>The encoder trained as a language model before a task (classify train --pretrain-text).</summary>
public class EncoderLanguageModelTests
{
    private static EncoderLanguageModel<double> Create(SequenceEncoderConfig config, int outputWords)
    {
        var encoder = new SequenceEncoder<double>(config);
        encoder.Initialize(new SeededRandom(7));
        foreach (var p in encoder.Parameters.Where(p => p.Name.Contains("embedding")))
            new SeededRandom(11).FillUniform<double>(p.Value.Data, 0.8);
        var lm = new EncoderLanguageModel<double>(encoder, outputWords);
        lm.InitializeHeads(new SeededRandom(3));
        new SeededRandom(17).FillUniform<double>(lm.ForwardHead.Weight.Value.Data, 1.5);
        if (lm.BackwardHead is { } head) new SeededRandom(19).FillUniform<double>(head.Weight.Value.Data, 1.5);
        return lm;
    }

    [Theory]
    [InlineData(true, 1, true)]    // the classifier's usual encoder: both heads, character features
    [InlineData(false, 2, false)]  // one-way and stacked: the forward head only
    public void GradientsMatchFiniteDifferences(bool bidirectional, int layers, bool chars)
    {
        // 4 output words: the ids 4, 5 and 6 of the batch all fall into the class "another word"
        var lm = Create(SequenceEncoderTests.Config(RecurrentCell.Lstm, chars) with { Bidirectional = bidirectional, Layers = layers }, 4);
        var batch = SequenceEncoderTests.Batch();
        GradientCheck.Run(lm.Parameters, () =>
        {
            lm.Loss(batch);
            lm.BackwardPass();
        }, () => lm.Loss(batch));
    }

    [Fact]
    public void TheLossIsTheCrossEntropyOfTheNeighbouringWords()
    {
        // one sequence of two words: the forward state at 0 predicts word 1, the backward state at 1 predicts word 0
        var lm = Create(SequenceEncoderTests.Config(RecurrentCell.Lstm, chars: false) with { Layers = 1 }, 5);
        var sequence = new EncodedSequence([3, 6], null);
        double loss = lm.Loss([sequence]);
        var hidden = lm.Encoder.Forward([sequence]).ToArray();
        int h = lm.Encoder.Config.HiddenSize;
        double Expected(Linear<double> head, ReadOnlySpan<double> state, int target)
        {
            var logits = new double[head.OutputSize];
            head.Forward(state, 1, logits);
            double max = logits.Max(), sum = logits.Sum(z => Math.Exp(z - max));
            return -(logits[target] - max - Math.Log(sum));
        }
        double forward = Expected(lm.ForwardHead, hidden.AsSpan(0, h), 5);            // word 6 is outside the 5 output words
        double backward = Expected(lm.BackwardHead!, hidden.AsSpan(2 * h + h, h), 3);  // position 1, backward half
        Assert.Equal(forward + backward, loss, 1e-12);
    }

    [Fact]
    public void ABidirectionalStackIsRefused_ItsUpperForwardStatesHaveSeenTheNextWord()
    {
        var encoder = new SequenceEncoder<double>(SequenceEncoderTests.Config(RecurrentCell.Lstm) with { Layers = 2 });
        var error = Assert.Throws<PerplexException>(() => new EncoderLanguageModel<double>(encoder, 10));
        Assert.Contains("one-layer encoder when it is bidirectional", error.Message);
    }

    [Fact]
    public void Pretraining_LowersTheLanguageModelLoss()
    {
        var sentences = Enumerable.Range(0, 200).Select(i => (IReadOnlyList<string>)(i % 2 == 0
            ? ["the", "cat", "sat", "on", "the", "mat"] : ["a", "dog", "ran", "in", "the", "park"])).ToList();
        var tokens = TokenEncoder.Build(sentences, 1, null, withChars: false);
        var config = new SequenceEncoderConfig(RecurrentCell.Lstm, tokens.Words.Count, 8, 8);
        double LossAfter(int epochs)
        {
            var encoder = new SequenceEncoder<float>(config);
            encoder.Initialize(new SeededRandom(1));
            var settings = new TrainingSettings(Epochs: 1, LearningRate: 0.02, BatchSize: 16, Threads: 1, Seed: 1);
            return EncoderPretraining.Run(encoder, tokens, new PretrainingData(sentences, 20, epochs), settings, new NullProgress(), TextWriter.Null);
        }
        double first = LossAfter(1), later = LossAfter(8);
        Assert.True(later < 0.5 * first, $"loss after 1 epoch {first}, after 8 {later}");
    }
}
