using Perplex.Training;
using Xunit;

namespace Perplex.Tests.Training;

public sealed class TokenBatchesTests
{
    [Fact]
    public void BatchifyTrimsAndLaysStreamsOutAsColumns()
    {
        // 26 tokens, B = 4: trimmed to 24, stream b = tokens [6b, 6b+6), as word_language_model's example
        // (a g m s / b h n t / ...).
        var tokens = Enumerable.Range(0, 26).ToArray();
        var batches = new TokenBatches(tokens, 4);
        Assert.Equal(6, batches.Rows);
        Assert.Equal([0, 6, 12, 18, 1, 7, 13, 19], batches.Data[..8].ToArray());
        Assert.Equal(20, batches.PredictedTokens);
    }

    [Fact]
    public void GetBatchShiftsTargetsByOneAndShortensTheLastChunk()
    {
        var batches = new TokenBatches(Enumerable.Range(0, 24).ToArray(), 4); // 6 rows
        Assert.Equal([0, 2, 4], batches.ChunkStarts(2));
        Assert.Equal(3, batches.ChunkCount(2));
        Assert.Equal([0, 4], batches.ChunkStarts(4));
        Assert.Equal(2, batches.ChunkCount(4));

        var (input, target, length) = batches.GetBatch(4, 4);
        Assert.Equal(1, length); // min(bptt, 6 − 1 − 4)
        Assert.Equal([4, 10, 16, 22], input.ToArray());
        Assert.Equal([5, 11, 17, 23], target.ToArray());

        (input, target, length) = batches.GetBatch(0, 2);
        Assert.Equal(2, length);
        Assert.Equal([0, 6, 12, 18, 1, 7, 13, 19], input.ToArray());
        Assert.Equal([1, 7, 13, 19, 2, 8, 14, 20], target.ToArray());
    }

    [Fact]
    public void TooShortStreamsYieldNoChunks()
    {
        var batches = new TokenBatches([1, 2, 3], 4);
        Assert.Equal(0, batches.Rows);
        Assert.Empty(batches.ChunkStarts(35));
        Assert.Equal(0, batches.ChunkCount(35));
    }
}
