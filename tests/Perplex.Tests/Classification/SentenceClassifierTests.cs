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
    [InlineData(Pooling.Concat, true)]
    [InlineData(Pooling.Concat, false)]
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

    [Theory]
    [InlineData(Pooling.Max)]
    [InlineData(Pooling.Mean)]
    [InlineData(Pooling.Concat)]
    public void AdversarialGradientsMatchFiniteDifferencesOfBothLosses(Pooling pooling)
    {
        // J(θ) = L(x) + L(x + r) with r held at the value the step computed (no gradient flows through r)
        var classifier = Create(pooling, bidirectional: true);
        var batch = SequenceEncoderTests.Batch();
        int[] labels = [2, 0];
        double[] r = [];
        GradientCheck.Run(classifier.Parameters, () =>
        {
            classifier.AdversarialLoss(batch, labels, 0.7);
            r = classifier.LastPerturbation.ToArray();
        }, () => classifier.Loss(batch, labels) + classifier.PerturbedLoss(r));
        Assert.Contains(r, v => v != 0);
    }

    [Fact]
    public void AdversarialStepWithoutPerturbationCountsTheCleanLossTwice()
    {
        var batch = SequenceEncoderTests.Batch();
        int[] labels = [1, 2];
        var (plain, loss) = LabelLossWithGradients(batch, labels);
        var adversarial = Create(Pooling.Max, bidirectional: true);
        Assert.Equal(loss, adversarial.AdversarialLoss(batch, labels, 0));
        AssertGradients(plain, 2, adversarial);
    }

    /// <summary>A fresh max-pooling classifier with the gradients of its label loss on <paramref name="batch"/>, and that loss.</summary>
    private static (SentenceClassifier<double> Model, double Loss) LabelLossWithGradients(List<Perplex.Encoders.EncodedSequence> batch, int[] labels)
    {
        var model = Create(Pooling.Max, bidirectional: true);
        double loss = model.Loss(batch, labels);
        model.Backward();
        return (model, loss);
    }

    private static void AssertGradients(SentenceClassifier<double> expected, double factor, SentenceClassifier<double> actual)
    {
        for (int i = 0; i < expected.Parameters.Count; i++)
            for (int j = 0; j < expected.Parameters[i].Grad.Data.Length; j++)
                Assert.Equal(factor * expected.Parameters[i].Grad.Data[j], actual.Parameters[i].Grad.Data[j], 1e-12);
    }

    [Fact]
    public void AdversarialPerturbationHasNormEpsilonPerTextAndRaisesTheLossMost()
    {
        var classifier = Create(Pooling.Mean, bidirectional: true);
        var batch = SequenceEncoderTests.Batch();
        int[] labels = [2, 0];
        const double epsilon = 1e-3;
        double clean = classifier.AdversarialLoss(batch, labels, epsilon);
        var r = classifier.LastPerturbation.ToArray();
        int steps = batch[0].Length, width = classifier.Encoder.Config.InputSize;
        for (int b = 0; b < batch.Count; b++)
        {
            double squares = 0;
            for (int t = 0; t < steps; t++)
                for (int i = 0; i < width; i++) squares += r[(t * batch.Count + b) * width + i] * r[(t * batch.Count + b) * width + i];
            Assert.Equal(epsilon, Math.Sqrt(squares), 1e-12);
        }
        Assert.Equal(clean, classifier.Loss(batch, labels), 1e-12);
        double worst = classifier.PerturbedLoss(r);
        Assert.True(worst > clean, $"L(x + r) = {worst} is not above L(x) = {clean}");
        // no other direction of the same norm per text raises the loss as much (to first order r is the best one)
        var random = new SeededRandom(3);
        for (int trial = 0; trial < 20; trial++)
        {
            var other = new double[r.Length];
            random.FillUniform<double>(other, 1);
            SentenceClassifier<double>.AdversarialPerturbation(other, steps, batch.Count, epsilon, other);
            Assert.True(classifier.PerturbedLoss(other) < worst);
        }
    }

    [Fact]
    public void SoftLossIsTheCrossEntropyAgainstADistributionWithItsGradient()
    {
        var classifier = Create(Pooling.Mean, bidirectional: true);
        var batch = SequenceEncoderTests.Batch();
        double[] q = [0.2, 0.5, 0.3, 0.9, 0.0, 0.1];
        var p = classifier.Probabilities(batch);
        double expected = 0;
        for (int i = 0; i < q.Length; i++) expected -= q[i] * Math.Log(p[i]) / batch.Count;
        Assert.Equal(expected, classifier.SoftLoss(batch, q), 1e-12);
        GradientCheck.Run(classifier.Parameters, () =>
        {
            classifier.SoftLoss(batch, q);
            classifier.Backward();
        }, () => classifier.SoftLoss(batch, q));
        GradientCheck.Run(classifier.Parameters, () => classifier.AdversarialSoftLoss(batch, q, 0.5),
            () => classifier.SoftLoss(batch, q) + classifier.PerturbedLoss(classifier.LastPerturbation.ToArray()));
    }

    [Fact]
    public void SoftLossWithOneHotTargetsIsTheLabelLoss()
    {
        var batch = SequenceEncoderTests.Batch();
        int[] labels = [2, 0];
        var (hard, hardLoss) = LabelLossWithGradients(batch, labels);
        var soft = Create(Pooling.Max, bidirectional: true);
        Assert.Equal(hardLoss, soft.SoftLoss(batch, [0, 0, 1, 1, 0, 0]), 1e-12);
        soft.Backward();
        AssertGradients(hard, 1, soft);
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
        var concat = new double[6];
        new PoolingLayer<double>(Pooling.Concat, 2, 1).Forward(hidden, 3, 1, concat);
        Assert.Equal([3.0, 10.0, 5.0, 30.0, 3.0, 20.0], concat); // last, max, mean side by side
    }

    [Fact]
    public void ConcatPoolingGradientIsTheSumOfItsThreeParts()
    {
        // hidden [T=3][B=2][D·H=2·2]; each part of the concat gradient must reach dHidden as its own pooling sends it
        var random = new SeededRandom(3);
        var hidden = new double[3 * 2 * 4];
        random.FillUniform<double>(hidden, 1.0);
        var dConcat = new double[2 * 12];
        random.FillUniform<double>(dConcat, 1.0);
        var expected = new double[hidden.Length];
        Pooling[] parts = [Pooling.Last, Pooling.Max, Pooling.Mean];
        for (int part = 0; part < 3; part++)
        {
            var layer = new PoolingLayer<double>(parts[part], 2, 2);
            layer.Forward(hidden, 3, 2, new double[8]);
            var dPart = new double[8];
            for (int b = 0; b < 2; b++) dConcat.AsSpan(b * 12 + part * 4, 4).CopyTo(dPart.AsSpan(b * 4, 4));
            var dHidden = new double[hidden.Length];
            layer.Backward(dPart, dHidden);
            for (int i = 0; i < hidden.Length; i++) expected[i] += dHidden[i];
        }
        var concat = new PoolingLayer<double>(Pooling.Concat, 2, 2);
        var pooled = new double[2 * 12];
        concat.Forward(hidden, 3, 2, pooled);
        var actual = new double[hidden.Length];
        actual.AsSpan().Fill(double.NaN); // Backward must overwrite, not accumulate into stale values
        concat.Backward(dConcat, actual);
        for (int i = 0; i < hidden.Length; i++) Assert.Equal(expected[i], actual[i], 1e-15);
    }

    [Theory]
    [InlineData(Pooling.Max)]
    [InlineData(Pooling.Last)]
    [InlineData(Pooling.Concat)]
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
