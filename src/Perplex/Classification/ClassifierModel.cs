using System.Text.Json;
using Perplex.Encoders;
using Perplex.Layers;
using Perplex.Tensors;
using Perplex.Text;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Perplex.Classification;

/// <summary>What a classifier model file stores besides weights, vocabularies and labels.</summary>
/// <param name="Encoder">The encoder architecture.</param>
/// <param name="Pooling">last, max or mean.</param>
/// <param name="Tokenizer">How text is split: word, char or jamo.</param>
/// <param name="Normalization">Unicode normalization applied first.</param>
/// <param name="TextColumn">The TSV column holding the text (used by eval unless overridden).</param>
/// <param name="LabelColumn">The TSV column holding the label.</param>
/// <param name="OutputDropout">Dropout on the pooled vector in training.</param>
/// <param name="NGrams">Settings of the n-gram model combined with the RNN (<see cref="NGramLogisticRegression"/>); null for none.</param>
/// <param name="NGramMix">The n-gram model's weight α in the mixed log-probability (see <see cref="ClassifierScores"/>).</param>
public sealed record ClassifierConfig(SequenceEncoderConfig Encoder, Pooling Pooling, string Tokenizer, string Normalization,
    string TextColumn, string LabelColumn, double OutputDropout, NGramFeatureConfig? NGrams = null, double NGramMix = 0.5);

/// <summary>A prediction: the most likely label, its probability, and every label's probability.</summary>
/// <param name="Label">The most likely label.</param>
/// <param name="Probability">Its probability.</param>
/// <param name="Probabilities">All probabilities, in the model's label order.</param>
public sealed record ClassPrediction(string Label, double Probability, float[] Probabilities);

/// <summary>
/// A trained sentence classifier with its vocabularies, labels and text preprocessing, saved as a safetensors model
/// file (<see cref="Save"/>, <see cref="Load"/>): the RNN network and, optionally, an n-gram model whose
/// log-probabilities are mixed with the network's.
/// </summary>
public sealed class ClassifierModel
{
    /// <summary>The task name stored in model files.</summary>
    public const string Task = "classifier";

    /// <summary>Creates an untrained model (weights initialised from <paramref name="seed"/>).</summary>
    public ClassifierModel(ClassifierConfig config, TokenEncoder tokens, IReadOnlyList<string> labels, ulong seed = 1)
    {
        Config = config;
        Tokens = tokens;
        Labels = labels;
        Network = new SentenceClassifier<float>(config.Encoder, labels.Count, config.Pooling, config.OutputDropout, new SeededRandom(seed ^ 0xC1A55UL));
        Network.Initialize(new SeededRandom(seed));
        if (config.NGrams is { } ngrams) NGrams = new NGramLogisticRegression(ngrams, labels.Count);
    }

    /// <summary>Architecture and preprocessing.</summary>
    public ClassifierConfig Config { get; private set; }

    /// <summary>Word and character vocabularies.</summary>
    public TokenEncoder Tokens { get; }

    /// <summary>The labels, by class id.</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>The network.</summary>
    public SentenceClassifier<float> Network { get; }

    /// <summary>The n-gram model mixed with the network, if the classifier has one.</summary>
    public NGramLogisticRegression? NGrams { get; }

    /// <summary>Every tensor of the model file: the network's, then the n-gram model's.</summary>
    public IReadOnlyList<Parameter<float>> Parameters => [.. Network.Parameters, .. NGrams?.Parameters ?? []];

    /// <summary>Sets the n-gram weight α (0 = the RNN alone, 1 = the n-gram model alone).</summary>
    public void SetNGramMix(double mix)
    {
        if (!(mix is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(mix), mix, "the n-gram weight must lie in [0, 1]");
        Config = Config with { NGramMix = mix };
    }

    /// <summary>The tokenizer the model was trained with.</summary>
    public ITokenizer Tokenizer => ClassifierTokenizers.Create(Config.Tokenizer);

    /// <summary>Tokens of <paramref name="text"/> as the model sees them.</summary>
    public List<string> Tokenize(string text) => LabeledText.Tokenize(text, Tokenizer, TextNormalization.Parse(Config.Normalization));

    /// <summary>Writes the model file atomically.</summary>
    public void Save(string path) =>
        TaskModelFile.Save(path, Task, JsonSerializer.Serialize(Config, SequenceEncoderConfig.Json), Tokens, Labels, Parameters);

    /// <summary>Writes a training checkpoint: the model plus optimizer tensors and training-progress metadata.</summary>
    internal void SaveCheckpoint(string path, IReadOnlyList<Perplex.Serialization.NamedTensor> extraTensors, IReadOnlyDictionary<string, string> extraMetadata) =>
        TaskModelFile.Save(path, Task, JsonSerializer.Serialize(Config, SequenceEncoderConfig.Json), Tokens, Labels, Parameters, extraTensors, extraMetadata);

    /// <summary>Reads a model file written by <see cref="Save"/>.</summary>
    public static ClassifierModel Load(string path) =>
        TaskModelFile.Load<ClassifierConfig, ClassifierModel>(path, Task, c => c.Encoder, (c, tokens, labels) => new ClassifierModel(c, tokens, labels), m => m.Parameters);

    /// <summary>Predicts every document (token lists, batched by length); an empty document gets null.</summary>
    public ClassPrediction?[] Classify(IReadOnlyList<IReadOnlyList<string>> documents, int batchSize = 64) => Predict(Score(documents, batchSize));

    /// <summary>The predictions of scored documents, mixed with the model's n-gram weight; an empty document gets null.</summary>
    public ClassPrediction?[] Predict(ClassifierScores scores)
    {
        var result = new ClassPrediction?[scores.Count];
        for (int d = 0; d < scores.Count; d++)
        {
            if (!scores.Scored[d]) continue;
            var p = new float[Labels.Count];
            scores.Probabilities(d, Config.NGramMix, p);
            int best = TP.IndexOfMax<float>(p);
            result[d] = new ClassPrediction(Labels[best], p[best], p);
        }
        return result;
    }

    /// <summary>The network's and the n-gram model's log-probabilities for every document (empty ones are not scored).</summary>
    public ClassifierScores Score(IReadOnlyList<IReadOnlyList<string>> documents, int batchSize = 64)
    {
        int classes = Labels.Count;
        var rnn = new float[documents.Count * classes];
        var ngram = NGrams is null ? null : new float[documents.Count * classes];
        var scored = documents.Select(d => d.Count > 0).ToArray();
        Network.Training = false;
        var nonEmpty = Enumerable.Range(0, documents.Count).Where(i => scored[i]).ToList();
        // batched by encoded length: with subwords a document has more pieces than tokens
        var encoded = nonEmpty.Select(i => Tokens.Encode(documents[i])).ToList();
        foreach (var batch in LengthBatches.Create(encoded.Select(e => e.Length).ToList(), batchSize))
        {
            var logits = Network.Logits(batch.Select(j => encoded[j]).ToList());
            for (int k = 0; k < batch.Length; k++)
                Kernels.LogSoftmax(logits.Slice(k * classes, classes), 1, classes, rnn.AsSpan(nonEmpty[batch[k]] * classes, classes));
        }
        if (NGrams is { } model)
            foreach (int d in nonEmpty)
                model.LogProbabilities(model.Features(documents[d]), ngram.AsSpan(d * classes, classes));
        return new ClassifierScores(classes, rnn, ngram, scored);
    }
}
