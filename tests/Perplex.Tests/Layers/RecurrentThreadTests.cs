using Perplex.Layers;
using Perplex.Tensors;
using Xunit;

namespace Perplex.Tests.Layers;

/// <summary>
/// A recurrent network on two threads splits its cell's elementwise work by rows of the batch and packs W_hh in two
/// parts; rows are independent, so outputs, final states and every gradient must equal the one-thread run bit for bit.
/// </summary>
[Collection(GlobalThreadCount.Name)]
public class RecurrentThreadTests
{
    // sizes where batch × gate rows ≥ 2¹⁵ and gate rows × hidden ≥ 2¹⁶, so both splits happen
    [Theory]
    [InlineData(RecurrentCell.Lstm, 32, 256)]
    [InlineData(RecurrentCell.Gru, 48, 256)]
    [InlineData(RecurrentCell.RnnSigmoid, 64, 512)]
    public void TwoThreadsGiveTheOneThreadResultsBitForBit(RecurrentCell cell, int batch, int hidden)
    {
        var one = Run(cell, batch, hidden, threads: 1);
        var two = Run(cell, batch, hidden, threads: 2);
        Assert.Equal(one.Count, two.Count);
        for (int i = 0; i < one.Count; i++) Assert.True(one[i].AsSpan().SequenceEqual(two[i]), $"array {i} differs");
        Assert.Contains(one[^1], v => v != 0); // the last parameter's gradient was computed at all
    }

    /// <summary>Output, h_n, c_n, dx, dh0, then every parameter gradient of a 2-layer bidirectional network over 3 steps.</summary>
    private static List<float[]> Run(RecurrentCell cell, int batch, int hidden, int threads)
    {
        int saved = Parallelism.MaxThreads;
        try
        {
            Parallelism.MaxThreads = threads;
            const int steps = 3, input = 8, layers = 2;
            var net = new RecurrentStack<float>(cell, input, hidden, layers, bidirectional: true);
            net.InitializeDefault(new SeededRandom(3));
            var random = new Random(7);
            float[] Noise(int n) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            var x = Noise(steps * batch * input);
            int states = layers * 2 * batch * hidden;
            var h0 = Noise(states);
            var c0 = cell == RecurrentCell.Lstm ? Noise(states) : [];
            var output = new float[steps * batch * 2 * hidden];
            var hN = new float[states];
            var cN = new float[c0.Length];
            net.Forward(x, steps, batch, h0, c0, output, hN, cN);
            var dx = new float[x.Length];
            var dh0 = new float[states];
            var dc0 = new float[c0.Length];
            net.Backward(x, Noise(output.Length), Noise(states), cell == RecurrentCell.Lstm ? Noise(states) : [], dx, dh0, dc0);
            return [output, hN, cN, dx, dh0, dc0, .. net.Parameters.Select(p => p.Grad.Data.ToArray())];
        }
        finally
        {
            Parallelism.MaxThreads = saved;
        }
    }
}
