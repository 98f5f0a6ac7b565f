using Perplex.Tensors;
using Xunit;

namespace Perplex.Tests.Encoders;

/// <summary>Compares analytic gradients with central finite differences in double precision.</summary>
public static class GradientCheck
{
    /// <summary>
    /// <paramref name="lossAndBackward"/> must zero nothing itself: it runs forward and backward once (gradients are
    /// cleared here first); <paramref name="loss"/> only runs forward. Every parameter is checked at up to
    /// <paramref name="perParameter"/> evenly spread elements.
    /// </summary>
    public static void Run(IReadOnlyList<Parameter<double>> parameters, Action lossAndBackward, Func<double> loss, int perParameter = 12, double tol = 1e-6)
    {
        foreach (var p in parameters) p.ZeroGrad();
        lossAndBackward();
        const double h = 1e-5;
        int checkedCount = 0;
        foreach (var p in parameters)
        {
            var values = p.Value.Data;
            int stride = Math.Max(1, values.Length / perParameter);
            for (int i = 0; i < values.Length; i += stride)
            {
                double saved = values[i];
                values[i] = saved + h;
                double up = loss();
                values[i] = saved - h;
                double down = loss();
                values[i] = saved;
                double numeric = (up - down) / (2 * h);
                double analytic = p.Grad.Data[i];
                Assert.True(Math.Abs(numeric - analytic) <= tol + 1e-4 * Math.Abs(numeric),
                    $"{p.Name}[{i}]: finite difference {numeric:E6}, backward {analytic:E6}");
                checkedCount++;
            }
        }
        Assert.True(checkedCount > parameters.Count, "nothing was checked");
    }
}
