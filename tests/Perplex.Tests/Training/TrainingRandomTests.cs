using Perplex.Training;
using Xunit;

namespace Perplex.Tests.Training;

public sealed class TrainingRandomTests
{
    [Fact]
    public void MatchesTheXoshiro256StarStarReferenceSequence()
    {
        // Reference outputs of xoshiro256** from state {1, 2, 3, 4} (as in the authors' C code).
        var rng = new TrainingRandom(0);
        rng.SetState([1, 2, 3, 4]);
        Assert.Equal([11520UL, 0UL, 1509978240UL, 1215971899390074240UL],
            new[] { rng.NextUInt64(), rng.NextUInt64(), rng.NextUInt64(), rng.NextUInt64() });
    }

    [Fact]
    public void SeedsThroughSplitMix64()
    {
        // SplitMix64 from 0 yields 0xE220A8397B1DCDAF first: that is the first state word.
        Assert.Equal(0xE220A8397B1DCDAFUL, new TrainingRandom(0).GetState()[0]);
    }

    [Fact]
    public void RestoringTheStateReplaysTheSequence()
    {
        var a = new TrainingRandom(42);
        for (int i = 0; i < 10; i++) a.NextDouble();
        var state = a.GetState();
        var expected = Enumerable.Range(0, 20).Select(_ => a.Next(1000)).ToArray();
        var b = new TrainingRandom(7);
        b.SetState(state);
        Assert.Equal(expected, Enumerable.Range(0, 20).Select(_ => b.Next(1000)));
    }

    [Fact]
    public void DrawsAreUniformAndInRange()
    {
        var rng = new TrainingRandom(3);
        var counts = new int[7];
        const int n = 70_000;
        for (int i = 0; i < n; i++) counts[rng.Next(7)]++;
        foreach (var c in counts) Assert.InRange(c, n / 7 - 500, n / 7 + 500); // ±5 standard deviations
        for (int i = 0; i < 1000; i++)
        {
            Assert.InRange(rng.NextDouble(), 0.0, 0.9999999999999999);
            Assert.InRange(rng.NextSingle(), 0f, 0.99999994f);
            Assert.InRange(rng.Next(-3, 4), -3, 3);
        }
        double sum = 0, sumSq = 0;
        for (int i = 0; i < n; i++) { var g = rng.NextGaussian(); sum += g; sumSq += g * g; }
        Assert.InRange(sum / n, -0.02, 0.02);
        Assert.InRange(sumSq / n, 0.97, 1.03);
    }
}
