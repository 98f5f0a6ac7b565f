using System.Text.Json;
using Perplex.Serialization;
using Perplex.Tensors;

namespace Perplex.Encoders;

/// <summary>
/// Model files of encoder-based tasks (tagger, classifier): a Perplex safetensors model file whose metadata also
/// names the task and holds the label set, next to the configuration and the word/character vocabularies.
/// Written atomically, so an interrupted save never corrupts the previous best model.
/// </summary>
internal static class TaskModelFile
{
    public const string TaskKey = "perplex.task";
    public const string LabelsKey = "perplex.labels";

    /// <summary>
    /// Writes a model file; with <paramref name="extraTensors"/> and <paramref name="extraMetadata"/> (optimizer state and
    /// training progress) it is a checkpoint, which still reads as a model.
    /// </summary>
    public static void Save(string path, string task, string configJson, TokenEncoder tokens, IReadOnlyList<string> labels,
        IEnumerable<Parameter<float>> parameters, IReadOnlyList<NamedTensor>? extraTensors = null, IReadOnlyDictionary<string, string>? extraMetadata = null)
    {
        var metadata = ModelFile.BaseMetadata(extraMetadata is null ? ModelFile.ModelKind : ModelFile.CheckpointKind, configJson, tokens.ToJson());
        metadata[TaskKey] = task;
        metadata[LabelsKey] = JsonSerializer.Serialize(labels);
        foreach (var (key, value) in extraMetadata ?? new Dictionary<string, string>()) metadata[key] = value;
        SafetensorsWriter.WriteFile(path, [.. ModelFile.Tensors(parameters), .. extraTensors ?? []], metadata);
    }

    /// <summary>
    /// Loads a model of <paramref name="task"/>: parses its configuration as <typeparamref name="TConfig"/>, builds the
    /// model with <paramref name="create"/> and reads the weights of <paramref name="parameters"/> into it.
    /// </summary>
    public static TModel Load<TConfig, TModel>(string path, string task, Func<TConfig, SequenceEncoderConfig> encoderOf,
        Func<TConfig, TokenEncoder, List<string>, TModel> create, Func<TModel, IEnumerable<Parameter<float>>> parameters)
    {
        var (reader, configJson, tokens, labels) = Open(path, task);
        using (reader)
        {
            TConfig config;
            try
            {
                config = JsonSerializer.Deserialize<TConfig>(configJson, SequenceEncoderConfig.Json)
                    ?? throw new PerplexException($"the {task} configuration is empty", path);
            }
            catch (JsonException e)
            {
                throw new PerplexException($"the {task} configuration is not valid: {e.Message}", path);
            }
            encoderOf(config).Validate(path);
            TModel model;
            try
            {
                model = create(config, tokens, labels);
            }
            catch (PerplexException e) when (e.FilePath is null)
            {
                throw new PerplexException($"the {task} configuration is not valid: {e.Problem}", path, inner: e);
            }
            ModelFile.LoadParameters(reader, parameters(model));
            return model;
        }
    }

    /// <summary>Opens a model file of <paramref name="task"/>; anything else is a clear error.</summary>
    public static (SafetensorsReader Reader, string ConfigJson, TokenEncoder Tokens, List<string> Labels) Open(string path, string task)
    {
        if (!File.Exists(path)) throw new PerplexException("model file not found", path);
        var reader = ModelFile.Open(path, ModelFile.ModelKind);
        try
        {
            var actual = reader.Metadata.GetValueOrDefault(TaskKey);
            if (actual != task)
                throw new PerplexException($"this is not a {task} model (its task is {actual ?? "a language model"})", path);
            var labels = JsonSerializer.Deserialize<List<string>>(reader.RequireMetadata(LabelsKey));
            if (labels is not { Count: > 0 }) throw new PerplexException("the model has no labels", path);
            var tokens = TokenEncoder.FromJson(reader.RequireMetadata(ModelFile.VocabularyKey), path);
            return (reader, reader.RequireMetadata(ModelFile.ConfigKey), tokens, labels);
        }
        catch (JsonException e)
        {
            reader.Dispose();
            throw new PerplexException($"the model's label list is not valid JSON: {e.Message}", path);
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }
}
