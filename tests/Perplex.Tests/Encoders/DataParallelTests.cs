using Perplex.Classification;
using Perplex.Encoders;
using Perplex.Layers;
using Xunit;

namespace Perplex.Tests.Encoders;

public class DataParallelTests
{
    private static ClassifierTrainer.Trainable Create(List<EncodedSequence> inputs, int[] targets, bool ngrams)
    {
        var config = SequenceEncoderTests.Config(RecurrentCell.Lstm, ngrams: ngrams) with { Layers = 1 };
        var network = new SentenceClassifier<float>(config, 3, Pooling.Max, random: new SeededRandom(1));
        network.Initialize(new SeededRandom(2));
        return new ClassifierTrainer.Trainable(network, inputs, targets);
    }

    [Theory]
    [InlineData(2, false)]
    [InlineData(3, false)]
    [InlineData(2, true)]
    public void SplitBatchGivesTheWholeBatchGradient(int threads, bool ngrams)
    {
        var random = new SeededRandom(4);
        var inputs = new List<EncodedSequence>();
        for (int n = 0; n < 7; n++)
            inputs.Add(new EncodedSequence([.. Enumerable.Range(0, 3).Select(_ => random.NextInt(7))],
                [.. Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, 1 + random.NextInt(3)).Select(_ => random.NextInt(6)).ToArray())]));
        int[] targets = [0, 1, 2, 1, 0, 2, 2];
        int[] batch = [6, 0, 3, 1, 5, 2, 4];

        var single = Create(inputs, targets, ngrams);
        double expectedLoss = single.TrainBatch(batch);
        var parallel = Create(inputs, targets, ngrams);
        var workers = new DataParallel(parallel, threads, 77);
        double loss = workers.TrainBatch(batch);

        Assert.Equal(expectedLoss, loss, 5);
        for (int i = 0; i < single.Parameters.Count; i++)
            for (int j = 0; j < single.Parameters[i].Grad.Length; j++)
                Assert.Equal(single.Parameters[i].Grad.Data[j], parallel.Parameters[i].Grad.Data[j], 1e-5f);
        // the used rows of the main model cover every row the whole batch used
        Assert.Equal(ngrams ? 3 : 2, single.SparseTables.Count);
        for (int t = 0; t < single.SparseTables.Count; t++)
            Assert.Equal(single.SparseTables[t].Rows.Rows.Order(), parallel.SparseTables[t].Rows.Rows.Order());
    }
}
