using System.Numerics;
using Perplex.Models;
using Perplex.Tests.Layers;
using Xunit;

namespace Perplex.Tests.Models;

/// <summary>
/// lm.json / lm_tied.json (and any other "kind": "lm" fixture): Embedding → 2-layer LSTM → Linear with PyTorch's
/// weights; logits, states, loss and every gradient, double (1e-9) and float (1e-4).
/// </summary>
public class LanguageModelTorchParityTests
{
    public static IEnumerable<object[]> LmCases() => TorchFixture.Files(languageModels: true);

    [Theory]
    [MemberData(nameof(LmCases))]
    public void TorchParity_Double(string file) => Check<double>(TorchFixture.Load(file), 1e-9);

    [Theory]
    [MemberData(nameof(LmCases))]
    public void TorchParity_Float(string file) => Check<float>(TorchFixture.Load(file), 1e-4);

    public static IEnumerable<object[]> TiedLmCases() => LmCases().Where(c => TorchFixture.Load((string)c[0]).Bool("tied"));

    [Theory]
    [MemberData(nameof(TiedLmCases))]
    public void TorchParity_TiedSplitParts(string file)
    {
        var fx = TorchFixture.Load(file);
        // An untied model whose decoder weight equals the embedding computes the same function; its two
        // gradients are exactly the two paths that the tied matrix sums.
        var cfg = Config(fx) with { Tied = false };
        var model = new RecurrentLanguageModel<double>(cfg);
        var weights = fx.Section("weights");
        foreach (var p in model.Parameters)
            (p.Name == "decoder.weight" ? weights["embedding.weight"] : weights[p.Name]).CopyTo(p.Value.Data, 0);
        int steps = fx.Int("seq_len"), batch = fx.Int("batch");
        model.SetState(new ModelState<double>(batch, fx.Array("h0"), fx.Array("c0"), []));
        model.ForwardBackward(fx.Ints("tokens"), fx.Ints("targets"), steps, batch);
        var split = fx.Section("grads_split");
        var byName = model.Parameters.ToDictionary(p => p.Name);
        Tolerance.AssertClose<double>(split["embedding.weight(lookup path)"], byName["embedding.weight"].Grad.Data, 1e-9, "lookup path");
        Tolerance.AssertClose<double>(split["embedding.weight(decoder path)"], byName["decoder.weight"].Grad.Data, 1e-9, "decoder path");
    }

    private static LanguageModelConfig Config(TorchFixture fx)
    {
        Assert.Equal("lstm", fx.String("cell"));
        return new LanguageModelConfig(ModelKind.Lstm, fx.Int("vocab"), fx.Int("embed_size"), fx.Int("hidden_size"),
            fx.Int("num_layers"), Dropout: 0, Tied: fx.Bool("tied"));
    }

    private static void Check<T>(TorchFixture fx, double tol) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var model = new RecurrentLanguageModel<T>(Config(fx));
        var weights = fx.Section("weights");
        Assert.Equal(weights.Keys.Order(), model.Parameters.Select(p => p.Name).Order());
        foreach (var p in model.Parameters) Tolerance.Convert<T>(weights[p.Name]).CopyTo(p.Value.Data, 0);

        int steps = fx.Int("seq_len"), batch = fx.Int("batch"), vocab = fx.Int("vocab");
        var tokens = fx.Ints("tokens");
        var targets = fx.Ints("targets");
        var start = new ModelState<T>(batch, Tolerance.Convert<T>(fx.Array("h0")), Tolerance.Convert<T>(fx.Array("c0")), []);

        model.SetState(start);
        var logits = new T[steps * batch * vocab];
        model.Logits(tokens, steps, batch, logits);
        Tolerance.AssertClose(fx.Array("logits"), logits, tol, $"{fx.Name} logits");
        Tolerance.AssertClose(fx.Array("output"), model.LastRecurrentOutput, tol, $"{fx.Name} output");
        var end = model.GetState();
        Tolerance.AssertClose<T>(fx.Array("h_n"), end.Hidden, tol, $"{fx.Name} h_n");
        Tolerance.AssertClose<T>(fx.Array("c_n"), end.Cell, tol, $"{fx.Name} c_n");

        model.SetState(start);
        double logProb = model.LogProbability(tokens, targets, steps, batch);
        Tolerance.AssertClose(fx.Double("loss"), -logProb / tokens.Length, tol, $"{fx.Name} log-probability");

        model.SetState(start);
        model.ZeroGrad();
        T loss = model.ForwardBackward(tokens, targets, steps, batch);
        Tolerance.AssertClose(fx.Double("loss"), double.CreateTruncating(loss), tol, $"{fx.Name} loss");
        var grads = fx.Section("grads");
        foreach (var p in model.Parameters) Tolerance.AssertClose(grads[p.Name], p.Grad.Data, tol, $"{fx.Name} d{p.Name}");
    }
}
