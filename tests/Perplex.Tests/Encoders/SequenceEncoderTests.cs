using Perplex.Encoders;
using Perplex.Layers;
using Xunit;

namespace Perplex.Tests.Encoders;

public class SequenceEncoderTests
{
    // Two sentences of length 3; "word" 4 (chars 1 2 3) appears twice so the shared character feature is exercised,
    // and the words have 1, 2 and 3 characters so several length groups run.
    internal static List<EncodedSequence> Batch() =>
    [
        new([4, 5, 0], [[1, 2, 3], [2], [5, 4]]),
        new([6, 4, 3], [[3, 3], [1, 2, 3], [0]]),
    ];

    internal static SequenceEncoderConfig Config(RecurrentCell cell, bool chars = true, bool ngrams = false) =>
        new(cell, WordVocabSize: 7, EmbeddingSize: 3, HiddenSize: 4, Layers: 2, Bidirectional: true,
            CharVocabSize: chars || ngrams ? 6 : 0, CharEmbeddingSize: chars ? 3 : 0, CharHiddenSize: chars ? 2 : 0, CharCell: cell == RecurrentCell.Gru ? RecurrentCell.Gru : RecurrentCell.Lstm,
            // few buckets, so that n-grams of different words share rows and their gradients add up
            CharNGramOrder: ngrams ? 3 : 0, CharNGramBuckets: ngrams ? 11 : 0);

    private static SequenceEncoder<double> Create(SequenceEncoderConfig config)
    {
        var encoder = new SequenceEncoder<double>(config);
        encoder.Initialize(new SeededRandom(7));
        // make the embeddings as large as the recurrent weights so their gradients are not tiny
        foreach (var p in encoder.Parameters.Where(p => p.Name.Contains("embedding")))
            new SeededRandom(11).FillUniform<double>(p.Value.Data, 0.8);
        return encoder;
    }

    [Theory]
    [InlineData(RecurrentCell.Lstm, true, false)]
    [InlineData(RecurrentCell.Gru, true, false)]
    [InlineData(RecurrentCell.RnnTanh, true, false)]
    [InlineData(RecurrentCell.Lstm, true, true)]
    [InlineData(RecurrentCell.Gru, false, true)]
    public void GradientsMatchFiniteDifferences(RecurrentCell cell, bool chars, bool ngrams)
    {
        var encoder = Create(Config(cell, chars, ngrams));
        var batch = Batch();
        int size = batch[0].Length * batch.Count * encoder.OutputSize;
        var weights = new double[size];
        new SeededRandom(3).FillUniform<double>(weights, 1);
        double Loss()
        {
            var h = encoder.Forward(batch);
            double sum = 0;
            for (int i = 0; i < h.Length; i++) sum += h[i] * weights[i] + 0.5 * h[i] * h[i];
            return sum;
        }
        GradientCheck.Run(encoder.Parameters, () =>
        {
            var h = encoder.Forward(batch).ToArray();
            var d = new double[h.Length];
            for (int i = 0; i < h.Length; i++) d[i] = weights[i] + h[i];
            encoder.Backward(d);
        }, Loss);
    }

    [Fact]
    public void ParametersHaveStateDictNames()
    {
        var names = new SequenceEncoder<float>(Config(RecurrentCell.Lstm)).Parameters.Select(p => p.Name).ToList();
        Assert.Equal("embedding.weight", names[0]);
        Assert.Equal("char_embedding.weight", names[1]);
        Assert.Contains("char_rnn.weight_hh_l0_reverse", names);
        Assert.Contains("rnn.weight_ih_l1_reverse", names);
        Assert.Equal(names.Count, names.Distinct().Count());
    }

    [Fact]
    public void TheNGramTableFollowsTheWordEmbeddingInStateDictOrder()
    {
        var names = new SequenceEncoder<float>(Config(RecurrentCell.Lstm, ngrams: true)).Parameters.Select(p => p.Name).ToList();
        Assert.Equal(["embedding.weight", "char_ngram_embedding.weight", "char_embedding.weight"], names.Take(3));
        var onlyNGrams = new SequenceEncoder<float>(Config(RecurrentCell.Lstm, chars: false, ngrams: true));
        Assert.Null(onlyNGrams.CharRnn);
        Assert.Equal([11, 3], onlyNGrams.CharNGramEmbedding!.Weight.Value.Shape);
    }

    [Fact]
    public void NGramBucketsAreFastTextsSubwordsHashedTheSameWayEverywhere()
    {
        var buckets = new List<int>();
        CharNGramEmbedding<float>.Buckets([7, 8, 9], 4, 1 << 20, buckets);
        // 3 unigrams, then 4 bigrams, 3 trigrams and 2 four-grams over <w> = [begin, 7, 8, 9, end]
        Assert.Equal(3 + 4 + 3 + 2, buckets.Count);
        // FNV-1a (32 bit) over the order and the ids, begin = -1 and end = -2 as unsigned, modulo 2^20; computed apart
        // from this code (python3), so that a change to the hash, which would silently scramble saved models, fails here
        Assert.Equal([269265, 266444, 266847, 991083, 457642, 146586, 17838, 379976, 165316, 625249, 365662, 459555], buckets);
        var again = new List<int>();
        CharNGramEmbedding<float>.Buckets([7, 8, 9], 4, 1 << 20, again);
        Assert.Equal(buckets, again);
    }

    [Fact]
    public void AWordVectorGetsTheMeanOfItsNGramRows()
    {
        var ngrams = new CharNGramEmbedding<double>(2, 13, 3);
        new SeededRandom(5).FillUniform<double>(ngrams.Table.Weight.Value.Data, 1);
        int[][] words = [[1, 2], [3]];
        var embedded = new double[] { 1, 2, 3, 0, 0, 0 };
        ngrams.Forward(words, embedded);
        for (int r = 0; r < words.Length; r++)
        {
            var ids = new List<int>();
            CharNGramEmbedding<double>.Buckets(words[r], 2, 13, ids);
            Assert.Equal(words[r].Length + words[r].Length + 1, ids.Count); // unigrams, and bigrams with the two markers
            for (int j = 0; j < 3; j++)
            {
                double expected = (r == 0 ? j + 1 : 0) + ids.Average(g => ngrams.Table.Weight.Value.Data[g * 3 + j]);
                Assert.Equal(expected, embedded[r * 3 + j], 12);
            }
        }
    }

    [Fact]
    public void BatchingEqualLengthsGivesTheSameStatesAsOneAtATime()
    {
        var encoder = Create(Config(RecurrentCell.Lstm));
        var batch = Batch();
        var together = encoder.Forward(batch).ToArray();
        int w = encoder.OutputSize;
        for (int b = 0; b < batch.Count; b++)
        {
            var alone = encoder.Forward([batch[b]]).ToArray();
            for (int t = 0; t < batch[b].Length; t++)
                for (int j = 0; j < w; j++)
                    Assert.Equal(alone[t * w + j], together[(t * batch.Count + b) * w + j], 12);
        }
    }

    [Fact]
    public void CharacterFeaturesDistinguishUnknownWords()
    {
        // Two different unknown words (both word id 0) must get different states thanks to their characters.
        var encoder = Create(Config(RecurrentCell.Lstm));
        var a = encoder.Forward([new EncodedSequence([0], [[1, 2]])]).ToArray();
        var b = encoder.Forward([new EncodedSequence([0], [[3, 4, 5]])]).ToArray();
        Assert.NotEqual(a, b);
        var plain = Create(Config(RecurrentCell.Lstm, chars: false));
        Assert.Equal(plain.Forward([new EncodedSequence([0])]).ToArray(), plain.Forward([new EncodedSequence([0])]).ToArray());
        var ngrams = Create(Config(RecurrentCell.Lstm, chars: false, ngrams: true));
        Assert.NotEqual(ngrams.Forward([new EncodedSequence([0], [[1, 2]])]).ToArray(), ngrams.Forward([new EncodedSequence([0], [[3, 4, 5]])]).ToArray());
    }

    [Fact]
    public void MixedLengthsInOneBatchAreRejected()
    {
        var encoder = Create(Config(RecurrentCell.Lstm));
        Assert.Throws<ArgumentException>(() => encoder.Forward([new EncodedSequence([1, 2], [[1], [2]]), new EncodedSequence([1], [[1]])]).Length);
    }

    [Fact]
    public void LengthBatchesHoldOneLengthAndEveryIndexOnce()
    {
        int[] lengths = [3, 1, 3, 2, 3, 1, 3];
        var batches = LengthBatches.Create(lengths, 2, new SeededRandom(5));
        Assert.All(batches, b => Assert.Single(b.Select(i => lengths[i]).Distinct()));
        Assert.All(batches, b => Assert.InRange(b.Length, 1, 2));
        Assert.Equal(Enumerable.Range(0, lengths.Length), batches.SelectMany(b => b).Order());
    }
}
