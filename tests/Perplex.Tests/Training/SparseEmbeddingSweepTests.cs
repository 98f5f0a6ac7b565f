using Perplex.Models;
using Perplex.Tensors;
using Perplex.Training;
using Xunit;

namespace Perplex.Tests.Training;

/// <summary>
/// An untied embedding's gradient is zero outside the rows of the step's tokens, and the sweeps over all gradients
/// (clipping norm, SGD update, zeroing) skip the rest: the same weights to the bit, for less memory traffic.
/// </summary>
[Collection(GlobalThreadCount.Name)] // ForcedShards runs the stream-split step, whose shares use the engine's threads
public class SparseEmbeddingSweepTests
{
    private const int Steps = 6, Batch = 4, Vocab = 700;
    // [steps][batch]: stream b uses rows 100·b … 100·b + 49 only, so split streams touch different rows, and with 64-wide rows
    // different blocks of the sweeps (4,096 elements: 64 rows)
    private static readonly int[] Tokens = Enumerable.Range(0, 5 * Steps * Batch).Select(i => i % Batch * 100 + (i * 37 + i / 7) % 50).ToArray();
    private static readonly int[] Targets = Enumerable.Range(0, 5 * Steps * Batch).Select(i => (i * 11 + 3) % Vocab).ToArray();

    private static NeuralLanguageModel<float> Model(ModelKind kind) => LanguageModels.Create<float>(new LanguageModelConfig(kind, Vocab, 64, 16, Layers: 2, Window: 3), seed: 9);

    /// <summary>Five clipped SGD steps; the norm of each step and the final weights.</summary>
    private static (double[] Norms, float[][] Weights) Train(NeuralLanguageModel<float> model, int shards)
    {
        StreamParallelStep<float>.ForcedShards = shards;
        try
        {
            var sgd = new Sgd<float>(model.Parameters, 0.5);
            var norms = new double[5];
            for (int s = 0; s < 5; s++)
            {
                model.ForwardBackward(Tokens.AsSpan(s * Steps * Batch, Steps * Batch), Targets.AsSpan(s * Steps * Batch, Steps * Batch), Steps, Batch);
                var (norm, coefficient) = GradientClipping.Measure(model.Parameters, 0.1); // small, so every step scales
                norms[s] = norm;
                sgd.Step(coefficient, zeroGradients: true);
            }
            return (norms, model.Parameters.Select(p => (float[])p.Value.Data.Clone()).ToArray());
        }
        finally
        {
            StreamParallelStep<float>.ForcedShards = 0;
        }
    }

    [Theory]
    [InlineData(ModelKind.Lstm, 0)]
    [InlineData(ModelKind.Lstm, 2)] // streams split: shard 0 writes the master's gradient, the other's rows are added in
    [InlineData(ModelKind.Window, 0)]
    public void SkippingUntouchedRows_GivesTheWeightsOfTheDenseSweep(ModelKind kind, int shards)
    {
        var sparse = Model(kind);
        var dense = Model(kind);
        dense.EmbeddingLayer.GradientRows = null; // every block swept, as before
        var (sparseNorms, sparseWeights) = Train(sparse, shards);
        var (denseNorms, denseWeights) = Train(dense, shards);
        Assert.Equal(denseNorms, sparseNorms);
        for (int p = 0; p < denseWeights.Length; p++) Assert.Equal(denseWeights[p], sparseWeights[p]);
        Assert.Empty(sparse.EmbeddingLayer.GradientRows!.Rows); // the update's zeroing cleared the record
    }

    [Fact]
    public void TheSweepsSkipRowsNoTokenUsed_AndAdamStillVisitsThem()
    {
        var model = Model(ModelKind.Lstm);
        var rows = model.EmbeddingLayer.GradientRows!;
        model.ForwardBackward(Tokens.AsSpan(0, Steps * Batch), Targets.AsSpan(0, Steps * Batch), Steps, Batch);
        Assert.InRange(rows.Rows.Count, 1, 200);
        // a row no token used, poisoned: a sweep that read it would see the NaN
        var table = model.EmbeddingLayer.Weight;
        int unused = Vocab - 1, width = table.Value.Shape[1];
        Assert.DoesNotContain(unused, rows.Rows);
        table.Grad.Data.AsSpan(unused * width, width).Fill(float.NaN);
        Assert.True(double.IsFinite(GradientClipping.Measure(model.Parameters, 0).Norm));
        var before = table.Value.Data.AsSpan(unused * width, width).ToArray();
        new Sgd<float>(model.Parameters, 0.5).Step(1, zeroGradients: false);
        Assert.Equal(before, table.Value.Data.AsSpan(unused * width, width).ToArray());
        // Adam moves weights with a zero gradient too (its moments), so it must visit every row
        new Adam<float>(model.Parameters, 0.01).Step(1, zeroGradients: false);
        Assert.Contains(table.Value.Data.AsSpan(unused * width, width).ToArray(), float.IsNaN);
    }
}
