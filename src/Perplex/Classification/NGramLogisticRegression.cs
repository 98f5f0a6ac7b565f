using Perplex.Encoders;
using Perplex.Layers;
using Perplex.Tensors;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Perplex.Classification;

/// <summary>
/// Multinomial logistic regression over a binary bag of hashed n-grams (<see cref="NGramBag"/>):
/// z = b + Σ_{f in doc} W[f], p = softmax(z). A strong linear sentiment model that makes different mistakes from the
/// RNN, so averaging the two log-probabilities is better than either (as Mesnil et al. 2014 combined an RNN LM with
/// NBSVM on IMDB). Trained by AdaGrad with a light L2 penalty, in seconds; the weights are saved in the classifier's
/// model file as <c>ngram.weight</c> [buckets, classes] and <c>ngram.bias</c>.
/// With <see cref="NGramFeatureConfig.NaiveBayes"/>, training sees feature f with the value s_f, its naive Bayes
/// log-count ratio (Wang and Manning's NBSVM, 2012): s_f = max over classes c of |log(P(f | c) / P(f | not c))|, counts
/// smoothed by one. A feature that is far more common in one class than in the others starts with a large value, so
/// the few training passes move its weight further; on NSMC this was worth 0.4 points of test accuracy (docs/applications.md).
/// After training W[f] ← s_f·W[f], which is the same model over binary features.
/// </summary>
public sealed class NGramLogisticRegression
{
    private const float L2 = 1e-6f, Epsilon = 1e-8f;

    /// <summary>Creates a zero model for <paramref name="classes"/> classes.</summary>
    public NGramLogisticRegression(NGramFeatureConfig config, int classes)
    {
        config.Validate();
        Config = config;
        ClassCount = classes;
        Weight = Parameter<float>.WithoutGradient("ngram.weight", config.Buckets, classes);
        Bias = Parameter<float>.WithoutGradient("ngram.bias", classes);
    }

    /// <summary>Feature settings.</summary>
    public NGramFeatureConfig Config { get; }

    /// <summary>Number of classes.</summary>
    public int ClassCount { get; }

    /// <summary>One row of class weights per hash bucket.</summary>
    public Parameter<float> Weight { get; }

    /// <summary>Class biases.</summary>
    public Parameter<float> Bias { get; }

    /// <summary>The tensors saved in a model file.</summary>
    public IReadOnlyList<Parameter<float>> Parameters => [Weight, Bias];

    /// <summary>The features of a document.</summary>
    public int[] Features(IReadOnlyList<string> tokens) => NGramBag.Features(tokens, Config);

    /// <summary>Writes log p(class | document) for the document with <paramref name="features"/> into <paramref name="logProbabilities"/>.</summary>
    public void LogProbabilities(int[] features, Span<float> logProbabilities)
    {
        Logits(features, logProbabilities);
        Kernels.LogSoftmax<float>(logProbabilities, 1, ClassCount, logProbabilities);
    }

    /// <summary>
    /// Fits the model to <paramref name="documents"/> (feature sets) with class ids <paramref name="targets"/>, visiting them
    /// in an order shuffled by <paramref name="seed"/>. Returns the mean training cross-entropy of the last epoch.
    /// </summary>
    public double Train(IReadOnlyList<int[]> documents, IReadOnlyList<int> targets, ulong seed)
    {
        int c = ClassCount;
        var w = Weight.Value.Data;
        var b = Bias.Value.Data;
        var scale = Config.NaiveBayes ? NaiveBayesScales(documents, targets) : null;
        var wSquares = new float[w.Length];
        var bSquares = new float[c];
        float lr = (float)Config.LearningRate;
        Span<float> p = stackalloc float[c];
        var order = Enumerable.Range(0, documents.Count).ToList();
        var random = new SeededRandom(seed);
        double loss = 0;
        for (int epoch = 0; epoch < Config.Epochs; epoch++)
        {
            LengthBatches.Shuffle(order, random);
            loss = 0;
            foreach (int d in order)
            {
                Logits(documents[d], p, scale);
                TP.SoftMax(p, p);
                loss -= Math.Log(Math.Max(p[targets[d]], 1e-30f));
                p[targets[d]] -= 1; // ∂loss/∂z = p − onehot(y)
                for (int k = 0; k < c; k++) AdaGrad(ref b[k], ref bSquares[k], p[k], lr);
                // A feature present has value s_f (1 without scaling), so its weight row's gradient is s_f·∂loss/∂z (plus L2).
                foreach (int f in documents[d])
                {
                    float value = scale is null ? 1 : scale[f];
                    for (int k = 0; k < c; k++)
                        AdaGrad(ref w[f * c + k], ref wSquares[f * c + k], value * p[k] + L2 * w[f * c + k], lr);
                }
            }
            loss /= Math.Max(1, documents.Count);
        }
        if (scale is not null)
            for (int f = 0; f < scale.Length; f++)
                TP.Multiply(w.AsSpan(f * c, c), scale[f], w.AsSpan(f * c, c));
        return loss;
    }

    /// <summary>s_f = max_c |log(P(f | c) / P(f | not c))| with add-one counts, P(f | c) = (n_cf + 1) / Σ_g (n_cg + 1).</summary>
    internal float[] NaiveBayesScales(IReadOnlyList<int[]> documents, IReadOnlyList<int> targets)
    {
        int c = ClassCount, buckets = Config.Buckets;
        var counts = new int[(long)buckets * c];
        var classTotals = new double[c];
        for (int d = 0; d < documents.Count; d++)
        {
            foreach (int f in documents[d]) counts[f * c + targets[d]]++;
            classTotals[targets[d]] += documents[d].Length;
        }
        double allTotal = 0;
        for (int k = 0; k < c; k++) allTotal += classTotals[k] += buckets; // the add-one smoothing, once per bucket
        var scale = new float[buckets];
        for (int f = 0; f < buckets; f++)
        {
            double all = 0;
            for (int k = 0; k < c; k++) all += counts[f * c + k] + 1;
            double best = 0;
            for (int k = 0; k < c; k++)
            {
                double inClass = counts[f * c + k] + 1, rest = all - inClass;
                double ratio = Math.Log(inClass / classTotals[k]) - Math.Log(rest / (allTotal - classTotals[k]));
                best = Math.Max(best, Math.Abs(ratio));
            }
            scale[f] = (float)best;
        }
        return scale;
    }

    private void Logits(int[] features, Span<float> z, float[]? scale = null)
    {
        int c = ClassCount;
        Bias.Value.Span.CopyTo(z);
        var w = Weight.Value.Data;
        if (scale is null)
            foreach (int f in features) TP.Add(z, w.AsSpan(f * c, c), z);
        else
            foreach (int f in features) TP.MultiplyAdd(w.AsSpan(f * c, c), scale[f], z, z);
    }

    private static void AdaGrad(ref float weight, ref float squares, float gradient, float lr)
    {
        squares += gradient * gradient;
        weight -= lr * gradient / MathF.Sqrt(squares + Epsilon);
    }
}
