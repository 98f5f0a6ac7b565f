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

    /// <summary>Largest error of <paramref name="f"/> in ulp of the float nearest the exact value, over [−20, 20] and tiny values.</summary>
    private static double WorstUlp(Func<float[], float[]> f, Func<double, double> exact)
    {
        var x = new List<float>();
        for (int i = -20 * 8192; i <= 20 * 8192; i++) x.Add(i / 8192f);
        foreach (float tiny in new[] { 1e-3f, 1e-6f, 1e-20f, 1e-38f }) { x.Add(tiny); x.Add(-tiny); }
        while (x.Count % 16 != 0) x.Add(0.5f);
        var input = x.ToArray();
        var actual = f(input);
        double worst = 0;
        for (int i = 0; i < input.Length; i++)
        {
            double e = exact(input[i]);
            float nearest = (float)e;
            double ulp = MathF.BitIncrement(MathF.Abs(nearest)) - MathF.Abs(nearest);
            worst = Math.Max(worst, Math.Abs(actual[i] - e) / ulp);
        }
        return worst;
    }

    [Fact]
    public void SigmoidAndTanhAreWithinFourUlp()
    {
        if (!VectorExp.IsSupported) return;
        float[] Map<TF>(float[] x) where TF : struct, IVectorFunction
        {
            var y = new float[x.Length];
            VectorExp.Map<TF>(x, y);
            return y;
        }
        double sigmoid = WorstUlp(Map<SigmoidFunction>, v => 1 / (1 + Math.Exp(-v)));
        double tanh = WorstUlp(Map<TanhFunction>, Math.Tanh);
        Assert.True(sigmoid <= 4, $"sigmoid: largest error {sigmoid:F2} ulp");
        Assert.True(tanh <= 4, $"tanh: largest error {tanh:F2} ulp");
        // the ends, NaN, and a tail shorter than a vector (in place)
        float[] ends = [float.NegativeInfinity, -1000f, 1000f, float.PositiveInfinity, float.NaN];
        var s = (float[])ends.Clone();
        VectorExp.Map<SigmoidFunction>(s, s);
        Assert.Equal([0f, 0f, 1f, 1f], s[..4]);
        Assert.True(float.IsNaN(s[4]));
        var t = (float[])ends.Clone();
        VectorExp.Map<TanhFunction>(t, t);
        Assert.Equal([-1f, -1f, 1f, 1f], t[..4]);
        Assert.True(float.IsNaN(t[4]));
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
