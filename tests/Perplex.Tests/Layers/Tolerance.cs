using System.Numerics;
using Xunit;

namespace Perplex.Tests.Layers;

/// <summary>Element-wise comparison |a − b| ≤ tol · max(1, |b|), reporting the first offending index.</summary>
public static class Tolerance
{
    public static void AssertClose<T>(ReadOnlySpan<double> expected, ReadOnlySpan<T> actual, double tol, string what)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assert.True(expected.Length == actual.Length, $"{what}: expected {expected.Length} values, got {actual.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            double a = double.CreateTruncating(actual[i]), b = expected[i];
            if (!(Math.Abs(a - b) <= tol * Math.Max(1, Math.Abs(b))))
                Assert.Fail($"{what}[{i}]: expected {b:R}, got {a:R} (|diff| {Math.Abs(a - b):E2}, tol {tol:E0})");
        }
    }

    public static void AssertClose(double expected, double actual, double tol, string what)
        => AssertClose<double>([expected], [actual], tol, what);

    public static T[] Convert<T>(double[] values) where T : unmanaged, IFloatingPointIeee754<T>
        => values.Select(T.CreateTruncating).ToArray();
}
