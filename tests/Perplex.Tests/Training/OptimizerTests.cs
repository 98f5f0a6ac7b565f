using Perplex.Tensors;
using Perplex.Training;
using Xunit;

namespace Perplex.Tests.Training;

public sealed class OptimizerTests
{
    private static Parameter<double> Param(double[] value) => new("w", new Tensor<double>(value, value.Length));

    [Fact]
    public void SgdSubtractsLearningRateTimesGradient()
    {
        var p = Param([1.0, -2.0]);
        p.Grad.Data[0] = 0.5; p.Grad.Data[1] = -0.25;
        new Sgd<double>([p], 20).Step();
        Assert.Equal([1.0 - 10.0, -2.0 + 5.0], p.Value.Data);
    }

    [Fact]
    public void AdamMatchesHandDerivedValuesOverTwoSteps()
    {
        var p = Param([1.0, -2.0]);
        var adam = new Adam<double>([p], 0.1);
        p.Grad.Data[0] = 0.5; p.Grad.Data[1] = -0.1;
        adam.Step();
        // Step 1: m = 0.1 g, v = 0.001 g², bias corrections 0.1 and 0.001, so the step is lr · g / (|g| + eps).
        Assert.Equal(1.0 - 0.1 * 0.5 / (0.5 + 1e-8), p.Value.Data[0], 15);
        Assert.Equal(-2.0 + 0.1 * 0.1 / (0.1 + 1e-8), p.Value.Data[1], 15);
        double p0 = p.Value.Data[0], p1 = p.Value.Data[1];

        p.Grad.Data[0] = 0.2; p.Grad.Data[1] = 0.3;
        adam.Step();
        // Step 2, element 0: m = 0.9·0.05 + 0.1·0.2 = 0.065, v = 0.999·0.00025 + 0.001·0.04 = 0.00028975,
        // bias corrections 1 − 0.9² = 0.19 and 1 − 0.999² = 0.001999.
        Assert.Equal(p0 - 0.1 / 0.19 * 0.065 / (Math.Sqrt(0.00028975) / Math.Sqrt(0.001999) + 1e-8), p.Value.Data[0], 14);
        // Element 1: m = 0.9·(−0.01) + 0.1·0.3 = 0.021, v = 0.999·0.00001 + 0.001·0.09 = 0.00009999.
        Assert.Equal(p1 - 0.1 / 0.19 * 0.021 / (Math.Sqrt(0.00009999) / Math.Sqrt(0.001999) + 1e-8), p.Value.Data[1], 14);
        Assert.Equal(2, adam.StepCount);
    }

    [Fact]
    public void AdamCouplesAndAdamWDecouplesWeightDecay()
    {
        var coupled = Param([2.0]);
        coupled.Grad.Data[0] = 0.5;
        new Adam<double>([coupled], 0.1, weightDecay: 0.1).Step();
        // Adam: g' = 0.5 + 0.1·2 = 0.7, first step moves by lr·sign(g').
        Assert.Equal(2.0 - 0.1 * 0.7 / (0.7 + 1e-8), coupled.Value.Data[0], 15);

        var decoupled = Param([2.0]);
        decoupled.Grad.Data[0] = 0.5;
        new Adam<double>([decoupled], 0.1, weightDecay: 0.1, decoupled: true).Step();
        // AdamW: p ← p·(1 − lr·λ) = 1.98, then the plain Adam step on g = 0.5.
        Assert.Equal(2.0 * (1 - 0.01) - 0.1 * 0.5 / (0.5 + 1e-8), decoupled.Value.Data[0], 15);
    }

    [Fact]
    public void AdamExposesItsMomentsForCheckpoints()
    {
        var p = Param([1.0]);
        var adam = new Adam<double>([p], 0.1);
        p.Grad.Data[0] = 2;
        adam.Step();
        var state = adam.StateTensors().ToDictionary(s => s.Name, s => s.Tensor.Data[0]);
        Assert.Equal(0.2, state["exp_avg.w"], 15);
        Assert.Equal(0.004, state["exp_avg_sq.w"], 15);
    }

    [Fact]
    public void ClippingScalesOnlyAboveTheMaximumWithTorchsEpsilon()
    {
        var a = Param([0, 0]); var b = Param([0]);
        a.Grad.Data[0] = 3; a.Grad.Data[1] = 0; b.Grad.Data[0] = 4; // global norm 5
        Assert.Equal(5, GradientClipping.ClipGlobalNorm([a, b], 10));
        Assert.Equal([3.0, 0.0], a.Grad.Data);

        Assert.Equal(5, GradientClipping.ClipGlobalNorm([a, b], 0.25));
        double scale = 0.25 / (5 + 1e-6);
        Assert.Equal(3 * scale, a.Grad.Data[0], 15);
        Assert.Equal(4 * scale, b.Grad.Data[0], 15);
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("adam")]
    public void ClippingAndUpdates_AreTheSameOnOneThreadAndSeveral_AndMatchAReference(string kind)
    {
        // sizes that leave partial blocks, and enough blocks that the sweep forks
        int[] sizes = [1, 4095, 4097, 100_000, 37, 70_001];
        (double Norm, float[][] Values) Run(bool oneThread)
        {
            var parameters = sizes.Select((n, i) => new Parameter<float>($"p{i}", n)).ToList();
            for (int i = 0; i < parameters.Count; i++)
            {
                parameters[i].Value.Data.AsSpan().Fill(0.5f);
                Perplex.Tests.Tensors.TestArrays.Random<float>(sizes[i], 10 + i).CopyTo(parameters[i].Grad.Data, 0);
            }
            var optimizer = Optimizer<float>.Create(kind, parameters, 0.1);
            return OnThreads(oneThread, () =>
            {
                double norm = GradientClipping.ClipGlobalNorm(parameters, 1.0);
                optimizer.Step();
                optimizer.ZeroGrad();
                AllGradientsZero(parameters);
                return (norm, parameters.Select(p => p.Value.Data).ToArray());
            });
        }
        var one = Run(oneThread: true);
        var several = Run(oneThread: false);
        Assert.Equal(one.Norm, several.Norm);
        for (int i = 0; i < sizes.Length; i++) Assert.Equal(one.Values[i], several.Values[i]);

        double expectedNorm = Math.Sqrt(sizes.Select((n, i) => Perplex.Tests.Tensors.TestArrays.Random<float>(n, 10 + i).Sum(g => (double)g * g)).Sum());
        Assert.Equal(expectedNorm, one.Norm, expectedNorm * 1e-6);
        if (kind == "sgd")
        {
            // p = 0.5 − lr · g · (1 / (norm + 1e-6))
            var g = Perplex.Tests.Tensors.TestArrays.Random<float>(sizes[3], 13);
            for (int j = 0; j < g.Length; j += 997)
                Assert.Equal(0.5 - 0.1 * g[j] / (expectedNorm + 1e-6), one.Values[3][j], 1e-6);
        }
    }

    [Theory]
    [InlineData("sgd", 1.0)]
    [InlineData("adam", 1.0)]
    [InlineData("sgd", 1e9)] // within the maximum: nothing scaled
    public void StepWithClippingAndZeroing_EqualsClipThenStepThenZero_BitForBit(string kind, double maxNorm)
    {
        // the trainer's fused pass must not change a single bit against the three separate passes it replaces
        int[] sizes = [1, 4095, 4097, 100_000, 37, 70_001];
        (double Norm, float[][] Values) Run(bool fused, bool oneThread)
        {
            var parameters = sizes.Select((n, i) => new Parameter<float>($"p{i}", n)).ToList();
            var optimizer = Optimizer<float>.Create(kind, parameters, 0.1);
            return OnThreads(oneThread, () =>
            {
                double norm = 0;
                for (int step = 0; step < 3; step++)
                {
                    for (int i = 0; i < parameters.Count; i++)
                        Perplex.Tests.Tensors.TestArrays.Random<float>(sizes[i], 10 + i + 100 * step).CopyTo(parameters[i].Grad.Data, 0);
                    if (fused)
                    {
                        (norm, double coefficient) = GradientClipping.Measure(parameters, maxNorm);
                        optimizer.Step(coefficient, zeroGradients: true);
                    }
                    else
                    {
                        norm = GradientClipping.ClipGlobalNorm(parameters, maxNorm);
                        optimizer.Step();
                        optimizer.ZeroGrad();
                    }
                    AllGradientsZero(parameters);
                }
                return (norm, parameters.Select(p => p.Value.Data).ToArray());
            });
        }
        foreach (bool oneThread in new[] { true, false })
        {
            var separate = Run(fused: false, oneThread);
            var fusedRun = Run(fused: true, oneThread);
            Assert.Equal(separate.Norm, fusedRun.Norm);
            for (int i = 0; i < sizes.Length; i++) Assert.Equal(separate.Values[i], fusedRun.Values[i]);
        }
    }

    /// <summary>Runs <paramref name="body"/> with the engine limited to this thread, or with all its threads.</summary>
    private static TResult OnThreads<TResult>(bool oneThread, Func<TResult> body)
    {
        int saved = oneThread ? Parallelism.LimitThisThreadToOne() : 0;
        try
        {
            return body();
        }
        finally
        {
            if (oneThread) Parallelism.RestoreThreadLimit(saved);
        }
    }

    private static void AllGradientsZero(IEnumerable<Parameter<float>> parameters)
        => Assert.All(parameters, p => Assert.All(p.Grad.Data, g => Assert.Equal(0f, g)));

    [Fact]
    public void ClippingReportsNonFiniteNormsWithoutScalingAndNamesTheParameter()
    {
        var a = new Parameter<float>("encoder.weight", 2);
        var b = new Parameter<float>("rnn.weight_hh_l0", 2);
        a.Grad.Data[0] = 1;
        b.Grad.Data[1] = float.PositiveInfinity;
        Assert.True(double.IsInfinity(GradientClipping.ClipGlobalNorm([a, b], 0.25)));
        Assert.Equal(1f, a.Grad.Data[0]);
        Assert.Same(b, GradientClipping.FirstNonFiniteGradient([a, b]));
        b.Grad.Data[1] = 0;
        Assert.Null(GradientClipping.FirstNonFiniteGradient([a, b]));
    }

    [Fact]
    public void AnnealerDividesByFourWhenValidationStopsImproving()
    {
        var annealer = new PlateauAnnealer();
        double lr = 20;
        Assert.True(annealer.Observe(6.0, ref lr));
        Assert.True(annealer.Observe(5.5, ref lr));
        Assert.Equal(20, lr);
        Assert.False(annealer.Observe(5.5, ref lr));
        Assert.Equal(5, lr);
        Assert.False(annealer.Observe(5.7, ref lr));
        Assert.Equal(1.25, lr);
        Assert.Equal(5.5, annealer.BestLoss);
    }

    [Fact]
    public void UnknownOptimizerIsAUserError()
    {
        Assert.Contains("unknown optimizer 'rmsprop'",
            Assert.Throws<PerplexException>(() => Optimizer<float>.Create("rmsprop", [], 1)).Message);
        Assert.Equal("adamw", Optimizer<float>.Create("AdamW", [], 1).Kind);
    }
}
