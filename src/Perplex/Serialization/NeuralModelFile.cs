using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Perplex.Models;
using Perplex.Text;

namespace Perplex.Serialization;

/// <summary>
/// Saves and loads a trained neural language model as one safetensors file: the weights under their PyTorch
/// state_dict names, the architecture (word_language_model's names: model, ntoken, emsize, nhid, nlayers, dropout,
/// tied, window) and the vocabulary as JSON in the metadata. A tied model stores the shared matrix once, as
/// <c>embedding.weight</c>.
/// </summary>
public static class NeuralModelFile
{
    /// <summary>Writes <paramref name="model"/> and its <paramref name="vocabulary"/> to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, NeuralLanguageModel<float> model, Vocabulary vocabulary)
    {
        CheckVocabulary(model.Config, vocabulary, path);
        var metadata = ModelFile.BaseMetadata(ModelFile.ModelKind, ConfigToJson(model.Config), vocabulary.ToJson());
        SafetensorsWriter.WriteFile(path, ModelFile.Tensors(model.Parameters).ToList(), metadata);
    }

    /// <summary>Loads a model saved by <see cref="Save"/> (or the model inside a training checkpoint).</summary>
    public static (NeuralLanguageModel<float> Model, Vocabulary Vocabulary) Load(string path)
    {
        using var reader = ModelFile.Open(path, ModelFile.ModelKind);
        return Load(reader);
    }

    /// <summary>Builds the model described by an opened Perplex file and fills in its weights.</summary>
    public static (NeuralLanguageModel<float> Model, Vocabulary Vocabulary) Load(SafetensorsReader reader)
    {
        var config = ConfigFromJson(reader.RequireMetadata(ModelFile.ConfigKey), reader.FilePath);
        var vocabulary = Vocabulary.FromJson(reader.RequireMetadata(ModelFile.VocabularyKey), reader.FilePath);
        CheckVocabulary(config, vocabulary, reader.FilePath);
        var model = LanguageModels.Create<float>(config);
        ModelFile.LoadParameters(reader, model.Parameters);
        if (model is WindowLanguageModel<float> window) window.PadToken = Vocabulary.EosId;
        return (model, vocabulary);
    }

    private static void CheckVocabulary(LanguageModelConfig config, Vocabulary vocabulary, string path)
    {
        if (vocabulary.Count != config.VocabSize)
            throw new PerplexException($"the vocabulary has {vocabulary.Count} entries but the model predicts {config.VocabSize} tokens", path);
    }

    /// <summary>The configuration as JSON with word_language_model's argument names.</summary>
    public static string ConfigToJson(LanguageModelConfig config) => new JsonObject
    {
        ["model"] = LanguageModelConfig.KindName(config.Kind),
        ["ntoken"] = config.VocabSize,
        ["emsize"] = config.EmbeddingSize,
        ["nhid"] = config.HiddenSize,
        ["nlayers"] = config.Layers,
        ["dropout"] = config.Dropout,
        ["tied"] = config.Tied,
        ["window"] = config.Window,
    }.ToJsonString();

    /// <summary>Parses <see cref="ConfigToJson"/> output; problems name <paramref name="source"/>.</summary>
    public static LanguageModelConfig ConfigFromJson(string json, string? source)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json) as JsonObject ?? throw new PerplexException("the model configuration is not a JSON object", source);
        }
        catch (JsonException ex)
        {
            throw new PerplexException($"the model configuration is not valid JSON ({ex.Message})", source, inner: ex);
        }
        T Get<T>(string key)
        {
            try
            {
                var node = root[key] ?? throw new PerplexException($"the model configuration has no '{key}'", source);
                return node.GetValue<T>();
            }
            catch (Exception ex) when (ex is FormatException or InvalidOperationException)
            {
                throw new PerplexException($"the model configuration's '{key}' is not a {typeof(T).Name}", source, inner: ex);
            }
        }
        var config = new LanguageModelConfig(
            LanguageModelConfig.ParseKind(Get<string>("model"), source),
            Get<int>("ntoken"), Get<int>("emsize"), Get<int>("nhid"), Get<int>("nlayers"),
            Get<double>("dropout"), Get<bool>("tied"), Get<int>("window"));
        config.Validate(source);
        return config;
    }

    /// <summary>A one-line description such as <c>LSTM 2×200, emsize 200, 18,331 tokens, tied</c>.</summary>
    public static string Describe(LanguageModelConfig c) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{LanguageModelConfig.KindName(c.Kind)} {(c.IsRecurrent ? $"{c.Layers}×{c.HiddenSize}" : $"window {c.Window}, hidden {c.HiddenSize}")}, emsize {c.EmbeddingSize}, vocabulary {c.VocabSize:N0}{(c.Tied ? ", tied" : "")}");
}
