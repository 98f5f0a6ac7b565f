using Perplex.Classification;
using Perplex.Encoders;
using Perplex.Layers;
using Perplex.Tests.Encoders;
using Xunit;

namespace Perplex.Tests.Classification;

public class SentenceClassifierTests
{
    private static SentenceClassifier<double> Create(Pooling pooling, bool bidirectional, RecurrentCell cell = RecurrentCell.Lstm)
    {
        var config = SequenceEncoderTests.Config(cell) with { Bidirectional = bidirectional };
        var classifier = new SentenceClassifier<double>(config, 3, pooling);
        classifier.Initialize(new SeededRandom(5));
        foreach (var p in classifier.Parameters.Where(p => p.Name.Contains("embedding")))
            new SeededRandom(13).FillUniform<double>(p.Value.Data, 0.8);
        new SeededRandom(17).FillUniform<double>(classifier.Output.Weight.Value.Data, 1.5);
        return classifier;
    }

    [Theory]
    [InlineData(Pooling.Last, true)]
    [InlineData(Pooling.Last, false)]
    [InlineData(Pooling.Max, true)]
    [InlineData(Pooling.Mean, true)]
    [InlineData(Pooling.Mean, false)]
    public void GradientsMatchFiniteDifferences(Pooling pooling, bool bidirectional)
    {
        var classifier = Create(pooling, bidirectional);
        var batch = SequenceEncoderTests.Batch();
        int[] labels = [2, 0];
        GradientCheck.Run(classifier.Parameters, () =>
        {
            classifier.Loss(batch, labels);
            classifier.Backward();
        }, () => classifier.Loss(batch, labels));
    }

    [Fact]
    public void PoolingsComputeWhatTheyPromise()
    {
        // hidden [T=3][B=1][D·H=2·1]: forward column 0, reverse column 1
        double[] hidden = [1, 10, 5, 20, 3, 30];
        var pooled = new double[2];
        new PoolingLayer<double>(Pooling.Last, 2, 1).Forward(hidden, 3, 1, pooled);
        Assert.Equal([3.0, 10.0], pooled); // forward state at the last step, reverse state at the first step
        new PoolingLayer<double>(Pooling.Max, 2, 1).Forward(hidden, 3, 1, pooled);
        Assert.Equal([5.0, 30.0], pooled);
        new PoolingLayer<double>(Pooling.Mean, 2, 1).Forward(hidden, 3, 1, pooled);
        Assert.Equal([3.0, 20.0], pooled);
    }

    [Theory]
    [InlineData(Pooling.Max)]
    [InlineData(Pooling.Last)]
    public void LearnsWhetherASentenceContainsAKeyword(Pooling pooling)
    {
        // Random sentences of 3..8 words over 12 filler words; label 1 when word 4 ("good") occurs anywhere.
        var random = new SeededRandom(21);
        var inputs = new List<EncodedSequence>();
        var labels = new List<int>();
        for (int n = 0; n < 400; n++)
        {
            int length = 3 + random.NextInt(6);
            var ids = Enumerable.Range(0, length).Select(_ => 5 + random.NextInt(12)).ToArray();
            int label = n % 2;
            if (label == 1) ids[random.NextInt(length)] = 4;
            inputs.Add(new EncodedSequence(ids));
            labels.Add(label);
        }
        var config = new SequenceEncoderConfig(RecurrentCell.Lstm, 17, 8, 8);
        var model = new SentenceClassifier<float>(config, 2, pooling, random: new SeededRandom(1));
        model.Initialize(new SeededRandom(2));
        var optimizer = new Perplex.Training.Adam<float>(model.Parameters, 0.01);
        for (int epoch = 0; epoch < 12; epoch++)
            foreach (var batch in LengthBatches.Create(inputs.Select(i => i.Length).ToList(), 16, random))
            {
                optimizer.ZeroGrad();
                model.Loss(batch.Select(i => inputs[i]).ToList(), batch.Select(i => labels[i]).ToArray());
                model.Backward();
                optimizer.Step();
            }
        int correct = 0;
        foreach (var batch in LengthBatches.Create(inputs.Select(i => i.Length).ToList(), 64))
        {
            var p = model.Probabilities(batch.Select(i => inputs[i]).ToList());
            for (int k = 0; k < batch.Length; k++)
                if ((p[2 * k + 1] > p[2 * k] ? 1 : 0) == labels[batch[k]]) correct++;
        }
        Assert.True(correct >= 0.97 * inputs.Count, $"{correct}/{inputs.Count} correct");
    }
}
