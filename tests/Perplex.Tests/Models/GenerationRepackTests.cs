using Perplex.Models;
using Xunit;

namespace Perplex.Tests.Models;

/// <summary>One-token calls reuse the packed W_hh while unchanged, and repack as soon as any weight changes.</summary>
public class GenerationRepackTests
{
    [Theory]
    [InlineData(ModelKind.Lstm)]
    [InlineData(ModelKind.Gru)]
    public void OneTokenCalls_SeeEveryChangeOfTheRecurrentWeights(ModelKind kind)
    {
        var cfg = new LanguageModelConfig(kind, 40, 12, 16, Layers: 2);
        var model = LanguageModels.Create<float>(cfg, seed: 3);
        int[] prompt = [5, 7, 9];
        var logits = new float[prompt.Length * 40];
        model.ResetState(prompt.Length);
        model.NextLogits(prompt, logits);
        var state = model.GetState();

        float[] Next(NeuralLanguageModel<float> m)
        {
            m.SetState(state);
            var result = new float[prompt.Length * 40];
            m.NextLogits(prompt, result);
            return result;
        }
        var before = Next(model);
        Assert.Equal(before, Next(model)); // unchanged weights: same numbers (the packed copy is reused)

        foreach (var name in new[] { "rnn.weight_hh_l1", "rnn.weight_hh_l0" })
        {
            var weight = model.Parameters.First(p => p.Name == name);
            weight.Value.Data[17] += 0.5f;     // an in-place change, as an optimizer step or a finite-difference check makes
            var changed = Next(model);
            Assert.NotEqual(before, changed);

            var fresh = LanguageModels.Create<float>(cfg, seed: 99);
            for (int i = 0; i < model.Parameters.Count; i++) model.Parameters[i].Value.Data.CopyTo(fresh.Parameters[i].Value.Data, 0);
            Assert.Equal(Next(fresh), changed); // exactly what a model that never saw the old weights computes
            before = changed;
        }
    }

    [Fact]
    public void ShortCalls_GiveBitForBitTheNumbersOfLongerOnes()
    {
        // rows are computed independently of how many there are: the one-token path equals the batched one
        var model = LanguageModels.Create<float>(new LanguageModelConfig(ModelKind.Lstm, 40, 12, 16, Layers: 2), seed: 3);
        var three = new float[3 * 40];
        var five = new float[5 * 40];
        model.ResetState(3);
        model.Logits([5, 7, 9], 1, 3, three);
        model.ResetState(5);
        model.Logits([5, 7, 9, 5, 7], 1, 5, five);
        Assert.Equal(three, five.AsSpan(0, 3 * 40).ToArray());
    }
}
