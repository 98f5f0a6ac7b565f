using Perplex.Models;
using Xunit;

namespace Perplex.Tests.Models;

/// <summary>The training and evaluation loops reuse their buffers: no managed allocation after the first chunk.</summary>
public class AllocationTests
{
    [Theory]
    [InlineData(ModelKind.Lstm)]
    [InlineData(ModelKind.Gru)]
    [InlineData(ModelKind.RnnTanh)]
    [InlineData(ModelKind.Window)]
    [InlineData(ModelKind.Lstm, 2)] // streams split between two threads
    public void TrainingStep_AllocatesNothingAfterWarmUp(ModelKind kind, int shards = 0)
    {
        StreamParallelStep<float>.ForcedShards = shards;
        try
        {
            // equal shares (2 + 2 streams): a thread's scratch buffers fit whichever share it happens to run
            TrainingLoopAllocatesNothing(kind, batch: shards > 0 ? 4 : 3);
        }
        finally
        {
            StreamParallelStep<float>.ForcedShards = 0;
        }
    }

    private static void TrainingLoopAllocatesNothing(ModelKind kind, int batch)
    {
        var cfg = new LanguageModelConfig(kind, 50, 8, 8, Layers: 2, Dropout: 0.2, Tied: true, Window: 4);
        var model = LanguageModels.Create<float>(cfg, seed: 2);
        int steps = 5;
        var tokens = Enumerable.Range(0, steps * batch).Select(i => i % 50).ToArray();
        var targets = tokens.Select(t => (t + 1) % 50).ToArray();
        var logits = new float[batch * 50];
        void Step()
        {
            model.ZeroGrad();
            model.ForwardBackward(tokens, targets, steps, batch);
            model.LogProbability(tokens, targets, steps, batch);
            model.NextLogits(tokens.AsSpan(0, batch), logits);
        }
        Step();
        Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5; i++) Step();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }
}
