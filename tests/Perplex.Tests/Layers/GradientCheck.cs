using Perplex.Layers;
using Xunit;

namespace Perplex.Tests.Layers;

/// <summary>
/// Central finite differences in double: for every element v of every checked array,
/// (L(v + ε) − L(v − ε)) / 2ε must match the analytic gradient within tol · max(1, |g|).
/// </summary>
public static class GradientCheck
{
    public sealed record Item(string Name, double[] Values, double[] Gradient);

    public static void Run(IEnumerable<Item> items, Func<double> loss, double eps = 1e-6, double tol = 1e-6)
    {
        int checkedCount = 0;
        foreach (var item in items)
        {
            Assert.Equal(item.Values.Length, item.Gradient.Length);
            for (int i = 0; i < item.Values.Length; i++)
            {
                double saved = item.Values[i];
                item.Values[i] = saved + eps;
                double plus = loss();
                item.Values[i] = saved - eps;
                double minus = loss();
                item.Values[i] = saved;
                double numeric = (plus - minus) / (2 * eps), analytic = item.Gradient[i];
                if (!(Math.Abs(numeric - analytic) <= tol * Math.Max(1, Math.Abs(analytic))))
                    Assert.Fail($"{item.Name}[{i}]: analytic {analytic:R}, finite difference {numeric:R}");
                checkedCount++;
            }
        }
        Assert.True(checkedCount > 0, "nothing was checked");
    }

    /// <summary>Σ a·r, the linear probe used as a loss for layers.</summary>
    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> r)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * r[i];
        return s;
    }

    public static double[] RandomArray(SeededRandom random, int length, double bound = 1)
    {
        var a = new double[length];
        random.FillUniform<double>(a, bound);
        return a;
    }
}
