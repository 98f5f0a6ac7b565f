using System.Numerics;
using Xunit;

namespace Perplex.Tests.Tensors;

/// <summary>Seeded random arrays and element-by-element comparisons for the tensor tests.</summary>
internal static class TestArrays
{
    /// <summary>Values uniform in [−scale, scale), reproducible from the seed.</summary>
    public static T[] Random<T>(int length, int seed, double scale = 1.0) where T : IFloatingPointIeee754<T>
    {
        var rng = new Random(seed);
        var result = new T[length];
        for (int i = 0; i < length; i++) result[i] = T.CreateChecked((rng.NextDouble() * 2 - 1) * scale);
        return result;
    }

    public static void Equal<T>(ReadOnlySpan<T> expected, ReadOnlySpan<T> actual, string what) where T : IFloatingPointIeee754<T>
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (!expected[i].Equals(actual[i]))
                Assert.Fail($"{what}: element {i} is {actual[i]}, expected exactly {expected[i]}");
        }
    }

    /// <summary>|actual − expected| ≤ tolerance·max(1, |expected|) for every element.</summary>
    public static void Close<T>(ReadOnlySpan<T> expected, ReadOnlySpan<T> actual, double tolerance, string what) where T : IFloatingPointIeee754<T>
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double e = double.CreateChecked(expected[i]), a = double.CreateChecked(actual[i]);
            if (!(Math.Abs(a - e) <= tolerance * Math.Max(1.0, Math.Abs(e))))
                Assert.Fail($"{what}: element {i} is {a}, expected {e} within {tolerance}");
        }
    }

    /// <summary>Every length 0..256 and a few odd large ones, as the kernel contract promises.</summary>
    public static IEnumerable<int> KernelLengths()
    {
        for (int n = 0; n <= 256; n++) yield return n;
        foreach (var n in new[] { 1021, 4099, 10007 }) yield return n;
    }
}
