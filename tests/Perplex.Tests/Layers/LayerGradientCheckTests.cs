using Perplex.Layers;
using Xunit;
using static Perplex.Tests.Layers.GradientCheck;

namespace Perplex.Tests.Layers;

/// <summary>Finite-difference checks of every layer's Backward (double).</summary>
public class LayerGradientCheckTests
{
    [Fact]
    public void Linear_GradientsMatchFiniteDifferences()
    {
        var rng = new SeededRandom(11);
        var layer = new Linear<double>(4, 3, "fc.");
        layer.InitializeDefault(rng);
        int rows = 5;
        var x = RandomArray(rng, rows * 4);
        var r = RandomArray(rng, rows * 3);
        var y = new double[rows * 3];
        double Loss() { layer.Forward(x, rows, y); return Dot(y, r); }
        Loss();
        var dx = new double[x.Length];
        layer.Backward(x, r, rows, dx);
        Run([new("W", layer.Weight.Value.Data, layer.Weight.Grad.Data), new("b", layer.Bias.Value.Data, layer.Bias.Grad.Data), new("x", x, dx)], Loss);
    }

    [Fact]
    public void Embedding_RepeatedIdsAccumulate()
    {
        var rng = new SeededRandom(12);
        var emb = new Embedding<double>(5, 3);
        rng.FillUniform<double>(emb.Weight.Value.Data, 1);
        int[] ids = [1, 3, 1, 0, 1];
        var r = RandomArray(rng, ids.Length * 3);
        var y = new double[ids.Length * 3];
        double Loss() { emb.Forward(ids, y); return Dot(y, r); }
        Loss();
        emb.Backward(ids, r);
        Run([new("E", emb.Weight.Value.Data, emb.Weight.Grad.Data)], Loss);
        Assert.All(emb.Weight.Grad.Data.AsSpan(4 * 3, 3).ToArray(), g => Assert.Equal(0.0, g)); // id 4 unused
    }

    [Fact]
    public void Dropout_WithFixedMask()
    {
        var rng = new SeededRandom(13);
        var drop = new Dropout<double>(0.5, rng);
        var x = RandomArray(rng, 8);
        double[] mask = [2, 0, 2, 2, 0, 0, 2, 2];
        drop.UseFixedMask(mask);
        var r = RandomArray(rng, 8);
        var y = new double[8];
        double Loss() { drop.Forward(x, y, training: true); return Dot(y, r); }
        Loss();
        var dx = new double[8];
        drop.Backward(r, dx);
        Run([new("x", x, dx)], Loss);
        Loss();
        for (int i = 0; i < 8; i++) Assert.Equal(x[i] * mask[i], y[i]);
    }

    [Fact]
    public void Dropout_DrawsInvertedMaskAndIsIdentityInEvaluation()
    {
        var drop = new Dropout<double>(0.25, new SeededRandom(14));
        var x = Enumerable.Repeat(1.0, 20000).ToArray();
        var y = new double[x.Length];
        drop.Forward(x, y, training: true);
        Assert.All(y, v => Assert.True(v == 0 || Math.Abs(v - 1 / 0.75) < 1e-15));
        double kept = y.Count(v => v != 0) / (double)y.Length;
        Assert.InRange(kept, 0.74, 0.76);
        drop.Forward(x, y, training: false);
        Assert.Equal(x, y);
    }

    [Fact]
    public void SoftmaxCrossEntropy_GradientMatchesFiniteDifferences()
    {
        var rng = new SeededRandom(15);
        int classes = 6;
        int[] targets = [0, 5, 2, 2];
        var z = RandomArray(rng, targets.Length * classes, 3);
        var ce = new SoftmaxCrossEntropy<double>();
        double Loss() => ce.Forward(z, targets, classes);
        var dz = new double[z.Length];
        Assert.Equal(Loss(), ce.ForwardBackward(z, targets, classes, dz));
        var dzAlone = new double[z.Length];
        ce.Backward(z, targets, classes, dzAlone);
        Assert.Equal(dz, dzAlone);
        Run([new("z", z, dz)], Loss);
        // the loss itself: mean of logsumexp − z[target], computed naively
        double expected = 0;
        for (int n = 0; n < targets.Length; n++)
        {
            var row = z.AsSpan(n * classes, classes).ToArray();
            expected += Math.Log(row.Sum(Math.Exp)) - row[targets[n]];
        }
        Assert.Equal(expected / targets.Length, Loss(), 12);
    }

    public static TheoryData<RecurrentCell> Cells() => new(Enum.GetValues<RecurrentCell>());

    [Theory]
    [MemberData(nameof(Cells))]
    public void RecurrentStack_TwoLayersBidirectionalWithDropout(RecurrentCell cell)
    {
        var rng = new SeededRandom(16 + (ulong)cell);
        int inputSize = 3, hidden = 4, layers = 2, steps = 4, batch = 2;
        var net = new RecurrentStack<double>(cell, inputSize, hidden, layers, bidirectional: true, dropout: 0.3, rng) { Training = true };
        net.InitializeDefault(rng);
        var mask = RandomArray(rng, steps * batch * net.OutputSize).Select(v => v > -0.3 ? 1 / 0.7 : 0).ToArray();
        net.InterLayerDropouts[0].UseFixedMask(mask);
        int stateLength = net.StateCount * batch * hidden;
        bool lstm = cell.HasCellState();
        var x = RandomArray(rng, steps * batch * inputSize);
        var h0 = RandomArray(rng, stateLength, 0.5);
        var c0 = lstm ? RandomArray(rng, stateLength, 0.5) : [];
        var r = RandomArray(rng, steps * batch * net.OutputSize);
        var s = RandomArray(rng, stateLength);
        var s2 = lstm ? RandomArray(rng, stateLength) : [];
        var output = new double[r.Length];
        var hN = new double[stateLength];
        var cN = new double[c0.Length];
        double Loss()
        {
            net.Forward(x, steps, batch, h0, c0, output, hN, cN);
            return Dot(output, r) + Dot(hN, s) + Dot(cN, s2);
        }
        Loss();
        var dx = new double[x.Length];
        var dh0 = new double[h0.Length];
        var dc0 = new double[c0.Length];
        net.Backward(x, r, s, s2, dx, dh0, dc0);
        var items = net.Parameters.Select(p => new Item(p.Name, p.Value.Data, p.Grad.Data)).ToList();
        items.AddRange([new("x", x, dx), new("h0", h0, dh0)]);
        if (lstm) items.Add(new("c0", c0, dc0));
        Run(items, Loss);
    }
}
