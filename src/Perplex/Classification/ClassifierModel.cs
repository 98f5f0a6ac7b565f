using System.Text.Json;
using Perplex.Encoders;
using Perplex.Layers;
using Perplex.Text;

namespace Perplex.Classification;

/// <summary>What a classifier model file stores besides weights, vocabularies and labels.</summary>
/// <param name="Encoder">The encoder architecture.</param>
/// <param name="Pooling">last, max or mean.</param>
/// <param name="Tokenizer">How text is split: word, char or jamo.</param>
/// <param name="Normalization">Unicode normalization applied first.</param>
/// <param name="TextColumn">The TSV column holding the text (used by eval unless overridden).</param>
/// <param name="LabelColumn">The TSV column holding the label.</param>
/// <param name="OutputDropout">Dropout on the pooled vector in training.</param>
public sealed record ClassifierConfig(SequenceEncoderConfig Encoder, Pooling Pooling, string Tokenizer, string Normalization,
    string TextColumn, string LabelColumn, double OutputDropout);

/// <summary>A prediction: the most likely label, its probability, and every label's probability.</summary>
/// <param name="Label">The most likely label.</param>
/// <param name="Probability">Its probability.</param>
/// <param name="Probabilities">All probabilities, in the model's label order.</param>
public sealed record ClassPrediction(string Label, double Probability, float[] Probabilities);

/// <summary>
/// A trained sentence classifier with its vocabularies, labels and text preprocessing, saved as a safetensors model
/// file (<see cref="Save"/>, <see cref="Load"/>).
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
    }

    /// <summary>Architecture and preprocessing.</summary>
    public ClassifierConfig Config { get; }

    /// <summary>Word and character vocabularies.</summary>
    public TokenEncoder Tokens { get; }

    /// <summary>The labels, by class id.</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>The network.</summary>
    public SentenceClassifier<float> Network { get; }

    /// <summary>The tokenizer the model was trained with.</summary>
    public ITokenizer Tokenizer => ClassifierTokenizers.Create(Config.Tokenizer);

    /// <summary>Tokens of <paramref name="text"/> as the model sees them.</summary>
    public List<string> Tokenize(string text) => LabeledText.Tokenize(text, Tokenizer, TextNormalization.Parse(Config.Normalization));

    /// <summary>Writes the model file atomically.</summary>
    public void Save(string path) =>
        TaskModelFile.Save(path, Task, JsonSerializer.Serialize(Config, SequenceEncoderConfig.Json), Tokens, Labels, Network.Parameters);

    /// <summary>Writes a training checkpoint: the model plus optimizer tensors and training-progress metadata.</summary>
    internal void SaveCheckpoint(string path, IReadOnlyList<Perplex.Serialization.NamedTensor> extraTensors, IReadOnlyDictionary<string, string> extraMetadata) =>
        TaskModelFile.Save(path, Task, JsonSerializer.Serialize(Config, SequenceEncoderConfig.Json), Tokens, Labels, Network.Parameters, extraTensors, extraMetadata);

    /// <summary>Reads a model file written by <see cref="Save"/>.</summary>
    public static ClassifierModel Load(string path) =>
        TaskModelFile.Load<ClassifierConfig, ClassifierModel>(path, Task, c => c.Encoder, (c, tokens, labels) => new ClassifierModel(c, tokens, labels), m => m.Network.Parameters);

    /// <summary>Predicts every document (token lists, batched by length); an empty document gets null.</summary>
    public ClassPrediction?[] Classify(IReadOnlyList<IReadOnlyList<string>> documents, int batchSize = 64)
    {
        var result = new ClassPrediction?[documents.Count];
        Network.Training = false;
        var nonEmpty = Enumerable.Range(0, documents.Count).Where(i => documents[i].Count > 0).ToList();
        int classes = Labels.Count;
        foreach (var batch in LengthBatches.Create(nonEmpty.Select(i => documents[i].Count).ToList(), batchSize))
        {
            var probabilities = Network.Probabilities(batch.Select(j => Tokens.Encode(documents[nonEmpty[j]])).ToList());
            for (int k = 0; k < batch.Length; k++)
            {
                var p = probabilities.AsSpan(k * classes, classes).ToArray();
                int best = System.Numerics.Tensors.TensorPrimitives.IndexOfMax<float>(p);
                result[nonEmpty[batch[k]]] = new ClassPrediction(Labels[best], p[best], p);
            }
        }
        return result;
    }
}
