using System.Text.Json;
using Perplex.Encoders;
using Perplex.Layers;

namespace Perplex.Tagging;

/// <summary>What a tagger model file stores besides weights and vocabularies.</summary>
/// <param name="Encoder">The encoder architecture.</param>
/// <param name="Column">The CoNLL-U column it was trained on (upos or xpos), or "tag" for two-column files.</param>
/// <param name="OutputDropout">Dropout before the output layer in training.</param>
public sealed record TaggerConfig(SequenceEncoderConfig Encoder, string Column, double OutputDropout);

/// <summary>
/// A trained tagger with everything needed to use it: the network, the word/character vocabularies and the tag
/// set. Saved as a safetensors model file (<see cref="Save"/>, <see cref="Load"/>).
/// </summary>
public sealed class TaggerModel
{
    /// <summary>The task name stored in model files.</summary>
    public const string Task = "tagger";

    /// <summary>Creates an untrained model (weights initialised from <paramref name="seed"/>).</summary>
    public TaggerModel(TaggerConfig config, TokenEncoder tokens, IReadOnlyList<string> tags, ulong seed = 1)
    {
        Config = config;
        Tokens = tokens;
        Tags = tags;
        Network = new SequenceTagger<float>(config.Encoder, tags.Count, config.OutputDropout, new SeededRandom(seed ^ 0xD20A0UL));
        Network.Initialize(new SeededRandom(seed));
    }

    /// <summary>Architecture and data settings.</summary>
    public TaggerConfig Config { get; }

    /// <summary>Word and character vocabularies.</summary>
    public TokenEncoder Tokens { get; }

    /// <summary>The tags, by id.</summary>
    public IReadOnlyList<string> Tags { get; }

    /// <summary>The network.</summary>
    public SequenceTagger<float> Network { get; }

    /// <summary>Writes the model file atomically.</summary>
    public void Save(string path) =>
        TaskModelFile.Save(path, Task, JsonSerializer.Serialize(Config, SequenceEncoderConfig.Json), Tokens, Tags, Network.Parameters);

    /// <summary>Writes a training checkpoint: the model plus optimizer tensors and training-progress metadata.</summary>
    internal void SaveCheckpoint(string path, IReadOnlyList<Perplex.Serialization.NamedTensor> extraTensors, IReadOnlyDictionary<string, string> extraMetadata) =>
        TaskModelFile.Save(path, Task, JsonSerializer.Serialize(Config, SequenceEncoderConfig.Json), Tokens, Tags, Network.Parameters, extraTensors, extraMetadata);

    /// <summary>Reads a model file written by <see cref="Save"/>.</summary>
    public static TaggerModel Load(string path) =>
        TaskModelFile.Load<TaggerConfig, TaggerModel>(path, Task, c => c.Encoder, (c, tokens, tags) => new TaggerModel(c, tokens, tags), m => m.Network.Parameters);

    /// <summary>Predicts a tag for every token of every sentence (sentences batched by length).</summary>
    public List<string[]> Tag(IReadOnlyList<IReadOnlyList<string>> sentences, int batchSize = 64)
    {
        var result = new string[sentences.Count][];
        Network.Training = false;
        var encoded = sentences.Select(s => s.Count == 0 ? null : Tokens.Encode(s)).ToList();
        var nonEmpty = Enumerable.Range(0, sentences.Count).Where(i => encoded[i] is not null).ToList();
        foreach (var batch in LengthBatches.Create(nonEmpty.Select(i => sentences[i].Count).ToList(), batchSize))
        {
            var predicted = Network.Predict(batch.Select(j => encoded[nonEmpty[j]]!).ToList());
            for (int k = 0; k < batch.Length; k++)
                result[nonEmpty[batch[k]]] = predicted[k].Select(id => Tags[id]).ToArray();
        }
        for (int i = 0; i < result.Length; i++) result[i] ??= [];
        return result.ToList();
    }
}
