using Perplex.Encoders;
using Perplex.Tensors;
using Xunit;

namespace Perplex.Tests.Encoders;

public class WeightAverageTests
{
    [Fact]
    public void TheAverageFollowsTheWeightsWithTheDecayPerIntervalAndTheWarmUpRule()
    {
        var w = new Parameter<float>("w", 2, 3);
        var b = new Parameter<float>("b", 5);
        var random = new Random(4);
        void Wander()
        {
            for (int i = 0; i < w.Value.Length; i++) w.Value.Data[i] += (float)(random.NextDouble() - 0.5);
            for (int i = 0; i < b.Value.Length; i++) b.Value.Data[i] += (float)(random.NextDouble() - 0.5);
        }
        Wander();
        const double Decay = 0.99;
        var average = new WeightAverage([w, b], Decay);
        // the reference in double: start at the weights, then a ← d·a + (1 − d)·w at every completed interval
        double[] expected = [.. w.Value.Data.Concat(b.Value.Data).Select(v => (double)v)];
        int updates = 0;
        for (long step = 1; step <= 20 * WeightAverage.Interval + 3; step++)
        {
            Wander();
            average.Update(step);
            if (step % WeightAverage.Interval != 0) continue;
            double d = Math.Min(Math.Pow(Decay, WeightAverage.Interval), (1.0 + updates) / (10.0 + updates));
            updates++;
            float[] now = [.. w.Value.Data, .. b.Value.Data];
            for (int i = 0; i < expected.Length; i++) expected[i] = d * expected[i] + (1 - d) * now[i];
        }
        float[] raw = [.. w.Value.Data, .. b.Value.Data];
        using (average.Apply())
        {
            float[] applied = [.. w.Value.Data, .. b.Value.Data];
            for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], applied[i], 1e-5);
            Assert.NotEqual(raw, applied);
        }
        float[] after = [.. w.Value.Data, .. b.Value.Data];
        Assert.Equal(raw, after); // the training weights come back bit for bit
    }

    [Fact]
    public void TheWarmUpRuleForgetsTheInitialWeightsSoonerThanTheDecayAlone()
    {
        var p = new Parameter<float>("p", 1);
        var average = new WeightAverage([p], 0.9999);
        p.Value.Data[0] = 1; // moved away from the initial 0 and left there
        for (long step = 1; step <= 10 * WeightAverage.Interval; step++) average.Update(step);
        using (average.Apply())
            // after ten updates the warm-up decays are 1/10, 2/11, …, 10/19: their product is tiny; 0.9999^80 would leave 0.992
            Assert.True(p.Value.Data[0] > 0.99f, $"average {p.Value.Data[0]}");
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    public void ADecayOutsideTheOpenUnitIntervalIsRefused(double decay) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new WeightAverage([new Parameter<float>("p", 1)], decay));
}
