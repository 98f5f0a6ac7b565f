using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Perplex.Classification;

/// <summary>
/// Log-probabilities of a set of documents from the RNN and, when the classifier has one, from its n-gram model; the
/// prediction mixes them as log p = (1 − α)·log p_rnn + α·log p_ngram, renormalized, where α is the n-gram weight
/// chosen on validation data (<see cref="ChooseMix"/>).
/// </summary>
public sealed class ClassifierScores
{
    /// <summary>The weights α tried by <see cref="ChooseMix"/>: 0, 0.05, …, 1.</summary>
    public static IReadOnlyList<double> MixGrid { get; } = Enumerable.Range(0, 21).Select(i => i / 20.0).ToArray();

    internal ClassifierScores(int classes, float[] rnn, float[]? ngram, bool[] scored)
    {
        ClassCount = classes;
        Rnn = rnn;
        NGram = ngram;
        Scored = scored;
    }

    /// <summary>Number of classes.</summary>
    public int ClassCount { get; }

    /// <summary>The RNN's log-probabilities, [documents, classes].</summary>
    public float[] Rnn { get; }

    /// <summary>The n-gram model's log-probabilities, [documents, classes]; null without an n-gram model.</summary>
    public float[]? NGram { get; }

    /// <summary>False for empty documents, which get no prediction.</summary>
    public bool[] Scored { get; }

    /// <summary>Number of documents.</summary>
    public int Count => Scored.Length;

    /// <summary>Writes the mixed class probabilities of document <paramref name="d"/> for n-gram weight <paramref name="mix"/>.</summary>
    public void Probabilities(int d, double mix, Span<float> probabilities)
    {
        var rnn = Rnn.AsSpan(d * ClassCount, ClassCount);
        if (NGram is null || mix == 0)
            rnn.CopyTo(probabilities);
        else
        {
            var ngram = NGram.AsSpan(d * ClassCount, ClassCount);
            for (int k = 0; k < ClassCount; k++) probabilities[k] = (float)((1 - mix) * rnn[k] + mix * ngram[k]);
        }
        TP.SoftMax(probabilities, probabilities);
    }

    /// <summary>The fraction of documents whose most probable class is <paramref name="gold"/>'s (−1: a label the model does not know).</summary>
    public double Accuracy(IReadOnlyList<int> gold, double mix)
    {
        Span<float> p = stackalloc float[ClassCount];
        int correct = 0;
        for (int d = 0; d < Count; d++)
        {
            if (!Scored[d]) continue;
            Probabilities(d, mix, p);
            if (TP.IndexOfMax<float>(p) == gold[d]) correct++;
        }
        return Count == 0 ? 0 : (double)correct / Count;
    }

    /// <summary>Mean cross-entropy (nats) of the scored documents with known labels.</summary>
    public double CrossEntropy(IReadOnlyList<int> gold, double mix)
    {
        Span<float> p = stackalloc float[ClassCount];
        double sum = 0;
        int n = 0;
        for (int d = 0; d < Count; d++)
        {
            if (!Scored[d] || gold[d] < 0) continue;
            Probabilities(d, mix, p);
            sum -= Math.Log(Math.Max(p[gold[d]], 1e-30f));
            n++;
        }
        return n == 0 ? 0 : sum / n;
    }

    /// <summary>
    /// The n-gram weight of <see cref="MixGrid"/> with the lowest cross-entropy on these (validation) documents:
    /// cross-entropy rather than accuracy because it changes smoothly with α, so the choice overfits a small
    /// validation set less. 0 without an n-gram model.
    /// </summary>
    public double ChooseMix(IReadOnlyList<int> gold) =>
        NGram is null ? 0 : MixGrid.MinBy(mix => CrossEntropy(gold, mix));
}
