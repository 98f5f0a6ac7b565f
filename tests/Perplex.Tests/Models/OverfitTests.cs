using Perplex.Models;
using Xunit;

namespace Perplex.Tests.Models;

/// <summary>A tiny model memorises a tiny repetitive corpus with plain SGD (float, the training path).</summary>
public class OverfitTests
{
    [Theory]
    [InlineData(ModelKind.Lstm)]
    [InlineData(ModelKind.Gru)]
    [InlineData(ModelKind.Window)]
    public void TinyModel_OverfitsTinyCorpus(ModelKind kind)
    {
        string[] words = "the cat sat on the mat . the dog ate the bone .".Split(' ');
        var vocab = words.Distinct().ToList();
        var ids = Enumerable.Range(0, 40).SelectMany(_ => words).Select(w => vocab.IndexOf(w)).ToArray();
        int batch = 2, steps = 8, streamLength = ids.Length / batch;
        // batchify as word_language_model: stream b is the b-th contiguous slice, laid out [time][stream]
        int[] At(int t, int b) => [ids[b * streamLength + t], ids[b * streamLength + t + 1]];
        var cfg = new LanguageModelConfig(kind, vocab.Count, 16, 32, Layers: 1, Window: 5);
        var model = LanguageModels.Create<float>(cfg, seed: 1);
        var tokens = new int[steps * batch];
        var targets = new int[steps * batch];
        float first = 0, last = 0;
        int step = 0;
        for (int epoch = 0; epoch < 12; epoch++)
        {
            model.ResetState(batch);
            for (int start = 0; start + steps < streamLength; start += steps, step++)
            {
                for (int t = 0; t < steps; t++)
                    for (int b = 0; b < batch; b++)
                    {
                        var pair = At(start + t, b);
                        tokens[t * batch + b] = pair[0];
                        targets[t * batch + b] = pair[1];
                    }
                model.ZeroGrad();
                float loss = model.ForwardBackward(tokens, targets, steps, batch);
                if (step == 0) first = loss;
                last = loss;
                foreach (var p in model.Parameters)
                    for (int i = 0; i < p.Value.Length; i++) p.Value.Data[i] -= 0.5f * p.Grad.Data[i];
            }
        }
        Assert.True(step >= 300, $"only {step} steps");
        Assert.InRange(first, 2.0f, 3.0f); // about ln 9 at the start
        Assert.True(last < 0.15f, $"{kind}: loss went from {first} to {last} in {step} steps");
    }
}
