using Perplex.Models;
using Perplex.Tensors;
using Perplex.Tests.Tensors;
using Xunit;

namespace Perplex.Tests.Models;

/// <summary>
/// Thread counts: evaluation does not depend on them at all; a training step split between threads by streams (data
/// parallelism) equals the whole step up to float rounding, is deterministic, and carries each stream's state.
/// </summary>
[Collection(GlobalThreadCount.Name)]
public class ThreadCountTests
{
    // big enough (rows × vocabulary ≥ 2¹⁶) that the decoder-side work of a whole step is split between threads
    private static readonly Random Rng = new(5);
    private const int Steps = 10, Batch = 5, Vocab = 3000;
    private static readonly int[] Tokens = Enumerable.Range(0, 2 * Steps * Batch).Select(_ => Rng.Next(Vocab)).ToArray();
    private static readonly int[] Targets = Enumerable.Range(0, 2 * Steps * Batch).Select(_ => Rng.Next(Vocab)).ToArray();

    private static LanguageModelConfig Config(ModelKind kind, double dropout = 0, bool tied = false)
        => new(kind, Vocab, 24, 24, Layers: 2, Dropout: dropout, Tied: tied, Window: 3);

    [Theory]
    [InlineData(ModelKind.Lstm)]
    [InlineData(ModelKind.Window)]
    public void Evaluation_IsBitIdenticalForOneAndTwoThreads(ModelKind kind)
    {
        double Run(int threads)
        {
            int saved = Parallelism.MaxThreads;
            try
            {
                Parallelism.MaxThreads = threads;
                var model = LanguageModels.Create<float>(Config(kind), seed: 4);
                return model.LogProbability(Tokens.AsSpan(0, Steps * Batch), Targets.AsSpan(0, Steps * Batch), Steps, Batch)
                    + model.LogProbability(Tokens.AsSpan(Steps * Batch), Targets.AsSpan(Steps * Batch), Steps, Batch);
            }
            finally
            {
                Parallelism.MaxThreads = saved;
            }
        }
        Assert.Equal(Run(1), Run(2));
    }

    /// <summary>Two consecutive training steps (the second starts from the state the first carried) with the streams cut into <paramref name="shards"/> shares.</summary>
    /// <remarks>
    /// With <paramref name="update"/>, a plain SGD step and a cleared gradient come between the two, as in training:
    /// the second step must then read the new weights (the decoder's shared packing) and start from zero gradients.
    /// </remarks>
    private static (float[] Losses, float[][] Grads, float[] Hidden, float[] Cell) TwoSteps(ModelKind kind, int shards, double dropout = 0, bool tied = false, bool update = false)
    {
        StreamParallelStep<float>.ForcedShards = shards;
        try
        {
            var model = LanguageModels.Create<float>(Config(kind, dropout, tied), seed: 4);
            var losses = new float[2];
            for (int s = 0; s < 2; s++)
            {
                if (s == 1 && update)
                {
                    foreach (var p in model.Parameters)
                        for (int i = 0; i < p.Value.Data.Length; i++) p.Value.Data[i] -= 0.5f * p.Grad.Data[i];
                    model.ZeroGrad();
                }
                losses[s] = model.ForwardBackward(Tokens.AsSpan(s * Steps * Batch, Steps * Batch), Targets.AsSpan(s * Steps * Batch, Steps * Batch), Steps, Batch);
            }
            var state = model.GetState();
            return (losses, model.Parameters.Select(p => (float[])p.Grad.Data.Clone()).ToArray(), state.Hidden, state.Cell);
        }
        finally
        {
            StreamParallelStep<float>.ForcedShards = 0;
        }
    }

    [Theory]
    [InlineData(ModelKind.Lstm, 2)]
    [InlineData(ModelKind.Lstm, 3)] // unequal shares: 1 + 2 + 2 streams
    [InlineData(ModelKind.Gru, 2)]
    [InlineData(ModelKind.Window, 2)]
    [InlineData(ModelKind.Lstm, 2, true)] // tied: the decoder's gradient lands in the shared embedding matrix
    public void TrainingStepsSplitByStreams_EqualTheWholeSteps(ModelKind kind, int shards, bool tied = false)
    {
        var whole = TwoSteps(kind, 1, tied: tied);
        var split = TwoSteps(kind, shards, tied: tied);
        LossesAndGradientsAgree(whole, split);
        CloseToScale(whole.Hidden, split.Hidden, 1e-5, "carried h");
        CloseToScale(whole.Cell, split.Cell, 1e-5, "carried c");
        Assert.NotEqual(0f, whole.Grads[0].Max(Math.Abs)); // the embedding gradient is summed from every share too
    }

    [Theory]
    [InlineData(ModelKind.Lstm, 2)]
    [InlineData(ModelKind.Window, 3)]
    public void SummingTheEmbeddingGradientByTouchedRows_EqualsSummingItDensely_BitForBit(ModelKind kind, int shards)
    {
        var byRows = TwoSteps(kind, shards, update: true);
        StreamParallelStep<float>.DenseEmbeddingSum = true;
        try
        {
            var dense = TwoSteps(kind, shards, update: true);
            Assert.Equal(dense.Losses, byRows.Losses);
            for (int p = 0; p < dense.Grads.Length; p++) Assert.Equal(dense.Grads[p], byRows.Grads[p]);
        }
        finally
        {
            StreamParallelStep<float>.DenseEmbeddingSum = false;
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SplitTrainingSteps_AfterAnUpdate_EqualTheWholeSteps(bool tied)
    {
        var whole = TwoSteps(ModelKind.Lstm, 1, tied: tied, update: true);
        var split = TwoSteps(ModelKind.Lstm, 2, tied: tied, update: true);
        var before = TwoSteps(ModelKind.Lstm, 1, tied: tied);
        Assert.NotEqual(before.Losses[1], whole.Losses[1]); // the update changed what the second step sees
        LossesAndGradientsAgree(whole, split);
    }

    [Theory]
    [InlineData(ModelKind.Lstm)]
    [InlineData(ModelKind.Gru)]
    public void ALargeRecurrentWeightRunsTheStepWholeOnTwoThreads_BitForBitTheOneThreadStep(ModelKind kind)
    {
        // H = 512: W_hh is 3–4 MB, above the size from which the step is not split by streams
        var config = new LanguageModelConfig(kind, 50, 8, 512, Layers: 1);
        Assert.Equal(1, ShardsWith(2, config));
        Assert.Equal(2, ShardsWith(2, Config(kind) with { HiddenSize = 128 }));
        (float Loss, float[][] Grads) Step(int threads)
        {
            int saved = Parallelism.MaxThreads;
            try
            {
                Parallelism.MaxThreads = threads;
                var model = LanguageModels.Create<float>(config, seed: 4);
                var tokens = Tokens.Take(3 * 32).Select(t => t % 50).ToArray();
                var targets = Targets.Take(3 * 32).Select(t => t % 50).ToArray();
                float loss = model.ForwardBackward(tokens, targets, 3, 32);
                return (loss, model.Parameters.Select(p => (float[])p.Grad.Data.Clone()).ToArray());
            }
            finally
            {
                Parallelism.MaxThreads = saved;
            }
        }
        var one = Step(1);
        var two = Step(2);
        Assert.Equal(one.Loss, two.Loss);
        for (int i = 0; i < one.Grads.Length; i++) Assert.True(one.Grads[i].AsSpan().SequenceEqual(two.Grads[i]), $"gradient {i} differs");
    }

    [Fact]
    public void TheSplitCanBeForcedEitherWay_ButOneThreadNeverSplits()
    {
        var big = new LanguageModelConfig(ModelKind.Lstm, 50, 8, 512, Layers: 1);
        var small = Config(ModelKind.Lstm) with { HiddenSize = 128 };
        try
        {
            StreamParallelStep<float>.Split = StepSplit.Streams;
            Assert.Equal(2, ShardsWith(2, big));
            Assert.Equal(1, ShardsWith(1, big));
            StreamParallelStep<float>.Split = StepSplit.Whole;
            Assert.Equal(1, ShardsWith(2, small));
        }
        finally
        {
            StreamParallelStep<float>.Split = StepSplit.Auto;
        }
    }

    private static int ShardsWith(int threads, LanguageModelConfig config)
    {
        int saved = Parallelism.MaxThreads;
        try
        {
            Parallelism.MaxThreads = threads;
            return StreamParallelStep<float>.ShardCount(config, 35, 20);
        }
        finally
        {
            Parallelism.MaxThreads = saved;
        }
    }

    /// <summary>The split steps' losses and gradients equal the whole steps' up to float rounding.</summary>
    private static void LossesAndGradientsAgree((float[] Losses, float[][] Grads, float[] Hidden, float[] Cell) whole,
        (float[] Losses, float[][] Grads, float[] Hidden, float[] Cell) split)
    {
        for (int s = 0; s < 2; s++) Assert.Equal(whole.Losses[s], split.Losses[s], 5e-6f * Math.Abs(whole.Losses[s]));
        for (int i = 0; i < whole.Grads.Length; i++) CloseToScale(whole.Grads[i], split.Grads[i], 1e-4, $"gradient {i}");
    }

    [Fact]
    public void SplitTrainingSteps_AreDeterministic_WithDropout()
    {
        var first = TwoSteps(ModelKind.Lstm, 2, dropout: 0.3);
        var second = TwoSteps(ModelKind.Lstm, 2, dropout: 0.3);
        Assert.Equal(first.Losses, second.Losses);
        for (int i = 0; i < first.Grads.Length; i++) Assert.Equal(first.Grads[i], second.Grads[i]);
        Assert.Equal(first.Hidden, second.Hidden);
    }

    /// <summary>Every |actual − expected| within tolerance × the largest |expected| (a wrongly scaled or missing share fails).</summary>
    private static void CloseToScale(float[] expected, float[] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Length == 0 ? 0 : expected.Max(x => Math.Abs((double)x));
        for (int i = 0; i < expected.Length; i++)
            if (!(Math.Abs(actual[i] - (double)expected[i]) <= tolerance * scale))
                Assert.Fail($"{what}: element {i} is {actual[i]}, expected {expected[i]} (scale {scale})");
    }
}
