using System.Runtime.Intrinsics;
using Perplex.Tensors;
using Xunit;

namespace Perplex.Tests.Tensors;

/// <summary>The softmax's own float exponential against double-precision exp, over its whole range and at the ends.</summary>
public class VectorExpTests
{
    private static float[] Exp(float[] x)
    {
        var y = new float[x.Length];
        for (int i = 0; i < x.Length; i += 16) VectorExp.Exp(Vector512.Create(x.AsSpan(i, 16))).CopyTo(y.AsSpan(i, 16));
        return y;
    }

    [Fact]
    public void WithinTwoUlpOfTheExactValueOverTheNormalRange()
    {
        if (!VectorExp.IsSupported) return; // the portable softmax path is tested by KernelTests
        // every 1/4096 from −87 to 88, plus random points: the exponents of all normal results, and every reduction offset
        var x = new List<float>();
        for (int i = -87 * 4096; i < 88 * 4096; i++) x.Add(i / 4096f);
        var random = new Random(5);
        for (int i = 0; i < 160_000; i++) x.Add((float)(random.NextDouble() * 175 - 87));
        while (x.Count % 16 != 0) x.Add(0f);
        var input = x.ToArray();
        var actual = Exp(input);
        double worst = 0;
        for (int i = 0; i < input.Length; i++)
        {
            double exact = Math.Exp(input[i]);
            double ulp = MathF.BitIncrement((float)exact) - (float)exact;
            worst = Math.Max(worst, Math.Abs(actual[i] - exact) / ulp);
        }
        Assert.True(worst <= 2, $"largest error {worst:F2} ulp");
        Assert.Equal(1f, Exp(new float[16])[0]);
    }

    [Fact]
    public void UnderflowsToZeroOverflowsToInfinityAndKeepsNaN()
    {
        if (!VectorExp.IsSupported) return;
        float[] x = [float.NegativeInfinity, -1000f, -104f, -103f, -95f, float.PositiveInfinity, 1000f, 89f, float.NaN, -88.5f, 88.7f, 0f, 1f, -1f, 10f, -10f];
        var y = Exp(x);
        Assert.Equal(0f, y[0]);
        Assert.Equal(0f, y[1]);
        Assert.Equal(0f, y[2]);
        Assert.True(y[3] >= 0 && y[3] <= float.Epsilon * 2, $"e^−103 = {y[3]}"); // the smallest subnormals
        Assert.InRange(y[4], Math.Exp(-95) * 0.99, Math.Exp(-95) * 1.01); // a subnormal with a few bits
        Assert.Equal(float.PositiveInfinity, y[5]);
        Assert.Equal(float.PositiveInfinity, y[6]);
        Assert.Equal(float.PositiveInfinity, y[7]);
        Assert.True(float.IsNaN(y[8]));
        Assert.InRange(y[9], Math.Exp(x[9]) * (1 - 1e-5), Math.Exp(x[9]) * (1 + 1e-5)); // subnormal: fewer bits
        Assert.InRange(y[10], Math.Exp(x[10]) * (1 - 1e-6), Math.Exp(x[10]) * (1 + 1e-6));
    }
}
