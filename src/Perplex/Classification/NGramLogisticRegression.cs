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
                Logits(documents[d], p);
                TP.SoftMax(p, p);
                loss -= Math.Log(Math.Max(p[targets[d]], 1e-30f));
                p[targets[d]] -= 1; // ∂loss/∂z = p − onehot(y)
                for (int k = 0; k < c; k++) AdaGrad(ref b[k], ref bSquares[k], p[k], lr);
                // Every feature present has value 1, so its weight row's gradient is ∂loss/∂z itself (plus L2).
                foreach (int f in documents[d])
                    for (int k = 0; k < c; k++)
                        AdaGrad(ref w[f * c + k], ref wSquares[f * c + k], p[k] + L2 * w[f * c + k], lr);
            }
            loss /= Math.Max(1, documents.Count);
        }
        return loss;
    }

    private void Logits(int[] features, Span<float> z)
    {
        int c = ClassCount;
        Bias.Value.Span.CopyTo(z);
        var w = Weight.Value.Data;
        foreach (int f in features) TP.Add(z, w.AsSpan(f * c, c), z);
    }

    private static void AdaGrad(ref float weight, ref float squares, float gradient, float lr)
    {
        squares += gradient * gradient;
        weight -= lr * gradient / MathF.Sqrt(squares + Epsilon);
    }
}
