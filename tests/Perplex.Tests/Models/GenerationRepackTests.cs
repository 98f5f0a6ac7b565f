using Perplex.Models;
using Xunit;

namespace Perplex.Tests.Models;

/// <summary>One-token calls reuse the packed W_hh while it is unchanged, and repack as soon as any weight changes.</summary>
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

        var hh = model.Parameters.First(p => p.Name == "rnn.weight_hh_l1");
        hh.Value.Data[17] += 0.5f;     // an in-place change, as an optimizer step or a finite-difference check makes
        var changed = Next(model);
        Assert.NotEqual(before, changed);

        var fresh = LanguageModels.Create<float>(cfg, seed: 99);
        for (int i = 0; i < model.Parameters.Count; i++) model.Parameters[i].Value.Data.CopyTo(fresh.Parameters[i].Value.Data, 0);
        Assert.Equal(Next(fresh), changed); // exactly what a model that never saw the old weights computes
    }
}
