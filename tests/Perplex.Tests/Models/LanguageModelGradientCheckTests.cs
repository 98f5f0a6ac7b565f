using Perplex.Layers;
using Perplex.Models;
using Xunit;
using static Perplex.Tests.Layers.GradientCheck;

namespace Perplex.Tests.Models;

/// <summary>
/// Finite-difference checks of whole models (double): every parameter, with dropout active (the mask generator
/// is rewound before each evaluation so every evaluation sees the same masks) and a non-zero carried state.
/// </summary>
public class LanguageModelGradientCheckTests
{
    public static TheoryData<ModelKind, bool> Cases() => new()
    {
        { ModelKind.Window, false },
        { ModelKind.Window, true },
        { ModelKind.Lstm, true },
        { ModelKind.Gru, false },
        { ModelKind.RnnSigmoid, true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Model_GradientsMatchFiniteDifferences(ModelKind kind, bool tied)
    {
        var cfg = new LanguageModelConfig(kind, VocabSize: 7, EmbeddingSize: 4, HiddenSize: 4, Layers: 2,
            Dropout: 0.2, Tied: tied, Window: 3);
        var model = LanguageModels.Create<double>(cfg, seed: 5);
        int steps = 4, batch = 2;
        var rng = new SeededRandom(99);
        int[] Tokens() => Enumerable.Range(0, steps * batch).Select(_ => rng.NextInt(7)).ToArray();
        // a first chunk so the state carried into the checked chunk is not the initial one
        model.ForwardBackward(Tokens(), Tokens(), steps, batch);
        var state = model.GetState();
        ulong masks = model.Random.State;
        var tokens = Tokens();
        var targets = Tokens();
        double Loss()
        {
            model.SetState(state);
            model.Random.State = masks;
            return model.ForwardBackward(tokens, targets, steps, batch);
        }
        model.ZeroGrad();
        Loss();
        var grads = model.Parameters.Select(p => (double[])p.Grad.Data.Clone()).ToList();
        Run(model.Parameters.Select((p, i) => new Item(p.Name, p.Value.Data, grads[i])), Loss);
    }

    [Fact]
    public void TiedModel_SharesOneMatrixAndSumsBothGradients()
    {
        var cfg = new LanguageModelConfig(ModelKind.Lstm, 9, 5, 5, Tied: true);
        var tied = new RecurrentLanguageModel<double>(cfg);
        Assert.DoesNotContain(tied.Parameters, p => p.Name == "decoder.weight");
        var untied = new RecurrentLanguageModel<double>(cfg with { Tied = false });
        foreach (var p in untied.Parameters)
            tied.Parameters.Single(q => q.Name == (p.Name == "decoder.weight" ? "embedding.weight" : p.Name)).Value.Data.CopyTo(p.Value.Data, 0);
        int[] tokens = [1, 2, 3, 4, 5, 6], targets = [2, 3, 4, 5, 6, 7];
        double a = tied.ForwardBackward(tokens, targets, 3, 2), b = untied.ForwardBackward(tokens, targets, 3, 2);
        Assert.Equal(b, a, 14);
        var u = untied.Parameters.ToDictionary(p => p.Name);
        var sum = u["embedding.weight"].Grad.Data.Zip(u["decoder.weight"].Grad.Data, (x, y) => x + y).ToArray();
        var total = tied.Parameters.Single(p => p.Name == "embedding.weight").Grad.Data;
        for (int i = 0; i < sum.Length; i++) Assert.Equal(sum[i], total[i], 14);
    }

    public static TheoryData<ModelKind> Kinds() => new(Enum.GetValues<ModelKind>());

    [Theory]
    [MemberData(nameof(Kinds))]
    public void CarriedState_ChunksEqualOneLongChunkAndSingleSteps(ModelKind kind)
    {
        var cfg = new LanguageModelConfig(kind, 8, 3, 5, Layers: 2, Window: 3);
        var model = LanguageModels.Create<double>(cfg, seed: 3);
        int steps = 6, batch = 2;
        var rng = new SeededRandom(7);
        var tokens = Enumerable.Range(0, steps * batch).Select(_ => rng.NextInt(8)).ToArray();
        var targets = Enumerable.Range(0, steps * batch).Select(_ => rng.NextInt(8)).ToArray();

        var before = model.GetState(); // taken before any call: no state yet
        Assert.Equal(0, before.Batch);
        double whole = model.LogProbability(tokens, targets, steps, batch);
        model.SetState(before);
        Assert.Equal(whole, model.LogProbability(tokens, targets, steps, batch));
        model.ResetState(batch);
        double parts = model.LogProbability(tokens.AsSpan(0, 2 * batch), targets.AsSpan(0, 2 * batch), 2, batch)
            + model.LogProbability(tokens.AsSpan(2 * batch), targets.AsSpan(2 * batch), steps - 2, batch);
        Assert.Equal(whole, parts, 12);

        model.ResetState(batch);
        var all = new double[steps * batch * 8];
        model.Logits(tokens, steps, batch, all);
        model.ResetState(batch);
        var one = new double[batch * 8];
        for (int t = 0; t < steps; t++)
        {
            model.NextLogits(tokens.AsSpan(t * batch, batch), one);
            for (int i = 0; i < one.Length; i++) Assert.Equal(all[t * batch * 8 + i], one[i], 12);
        }
    }

    [Fact]
    public void Config_RejectsInconsistentSettingsWithAClearMessage()
    {
        var e = Assert.Throws<PerplexException>(() => new LanguageModelConfig(ModelKind.Lstm, 10, 8, 16, Tied: true).Validate());
        Assert.Contains("--nhid equal to --emsize", e.Message);
        Assert.Throws<PerplexException>(() => new LanguageModelConfig(ModelKind.Window, 10, 8, 16).Validate());
        Assert.Throws<PerplexException>(() => LanguageModelConfig.ParseKind("TRANSFORMER"));
        Assert.Equal(ModelKind.RnnSigmoid, LanguageModelConfig.ParseKind("rnn_sigmoid"));
        foreach (var kind in Enum.GetValues<ModelKind>())
            Assert.Equal(kind, LanguageModelConfig.ParseKind(LanguageModelConfig.KindName(kind)));
    }
}

/// <summary>The window model sees exactly the last W tokens, across chunk boundaries.</summary>
public class WindowContextTests
{
    [Fact]
    public void Prediction_DependsOnlyOnTheLastWindowTokens()
    {
        var cfg = new LanguageModelConfig(ModelKind.Window, 10, 3, 4, Window: 3);
        var model = new WindowLanguageModel<double>(cfg, seed: 8);
        double[] LastLogits(int[] stream)
        {
            model.ResetState(1);
            // feed all but the last token as one chunk, the last one as a step: the window crosses the boundary
            model.Logits(stream.AsSpan(0, stream.Length - 1), stream.Length - 1, 1, new double[(stream.Length - 1) * 10]);
            var logits = new double[10];
            model.NextLogits(stream.AsSpan(stream.Length - 1), logits);
            return logits;
        }
        var baseline = LastLogits([1, 2, 3, 4, 5, 6]);
        Assert.Equal(baseline, LastLogits([9, 8, 7, 4, 5, 6]));     // only tokens outside the window changed
        Assert.NotEqual(baseline, LastLogits([1, 2, 3, 9, 5, 6]));  // the oldest token inside the window changed
        // a fresh stream pads its window with PadToken
        model.PadToken = 7;
        Assert.Equal(LastLogits([7, 7, 5]), LastLogits([5]));
    }
}
