using Perplex.Inference;
using Perplex.Training;
using Xunit;

namespace Perplex.Tests.Inference;

public sealed class TokenSamplerTests
{
    private static readonly double[] Probabilities = [0.5, 0.3, 0.15, 0.05];
    private static readonly float[] Logits = Probabilities.Select(p => (float)Math.Log(p) + 3f).ToArray();

    private static double[] Frequencies(SamplingOptions options, int draws = 200_000)
    {
        var sampler = new TokenSampler(options, new TrainingRandom(11));
        var counts = new double[Logits.Length];
        for (int i = 0; i < draws; i++) counts[sampler.Next(Logits)]++;
        return counts.Select(c => c / draws).ToArray();
    }

    private static void AssertClose(double[] expected, double[] actual)
    {
        for (int i = 0; i < expected.Length; i++)
            Assert.InRange(actual[i], expected[i] - 0.005, expected[i] + 0.005); // > 4 standard deviations at 200k draws
    }

    [Fact]
    public void PlainSamplingFollowsTheSoftmax() => AssertClose(Probabilities, Frequencies(new SamplingOptions()));

    [Fact]
    public void TemperatureRaisesProbabilitiesToOneOverT()
    {
        var squared = Probabilities.Select(p => p * p).ToArray();
        AssertClose(squared.Select(p => p / squared.Sum()).ToArray(), Frequencies(new SamplingOptions(Temperature: 0.5)));
    }

    [Fact]
    public void TopKRenormalisesOverTheKBest() =>
        AssertClose([0.5 / 0.8, 0.3 / 0.8, 0, 0], Frequencies(new SamplingOptions(TopK: 2)));

    [Theory]
    [InlineData(0.75, 2)]
    [InlineData(0.85, 3)]
    [InlineData(0.3, 1)]
    public void TopPKeepsTheSmallestNucleusReachingP(double p, int kept)
    {
        var expected = Probabilities.Select((q, i) => i < kept ? q / Probabilities.Take(kept).Sum() : 0).ToArray();
        AssertClose(expected, Frequencies(new SamplingOptions(TopP: p)));
    }

    [Fact]
    public void GreedyAndZeroTemperatureTakeTheArgMaxAndExclusionsAreHonoured()
    {
        var rng = new TrainingRandom(1);
        Assert.Equal(0, new TokenSampler(new SamplingOptions(Greedy: true), rng).Next(Logits));
        Assert.Equal(0, new TokenSampler(new SamplingOptions(Temperature: 0), rng).Next(Logits));
        Assert.Equal(1, new TokenSampler(new SamplingOptions(Greedy: true), rng).Next(Logits, id => id != 0));
        var freq = new double[4];
        var sampler = new TokenSampler(new SamplingOptions(), rng);
        for (int i = 0; i < 1000; i++) freq[sampler.Next(Logits, id => id >= 2)]++;
        Assert.Equal(0, freq[0] + freq[1]);
    }

    [Fact]
    public void SameSeedSameTokens()
    {
        int[] Draw() { var s = new TokenSampler(new SamplingOptions(0.8, 3, 0.95), new TrainingRandom(5)); return Enumerable.Range(0, 50).Select(_ => s.Next(Logits)).ToArray(); }
        Assert.Equal(Draw(), Draw());
    }

    [Theory]
    [InlineData(-1, 0, 1, "--temperature")]
    [InlineData(1, -2, 1, "--top-k")]
    [InlineData(1, 0, 0, "--top-p")]
    [InlineData(1, 0, 1.5, "--top-p")]
    public void RejectsNonsenseOptions(double t, int k, double p, string flag) =>
        Assert.Contains(flag, Assert.Throws<PerplexException>(() => new SamplingOptions(t, k, p).Validate()).Message);
}
