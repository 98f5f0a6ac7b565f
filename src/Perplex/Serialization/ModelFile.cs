using System.Globalization;
using Perplex.Tensors;

namespace Perplex.Serialization;

/// <summary>
/// Perplex's model and checkpoint files: one safetensors file whose tensors are named as PyTorch's state_dict
/// and whose <c>__metadata__</c> carries the file kind, a format version, the model configuration and the
/// vocabulary (both as JSON strings). Python opens it with <c>safetensors.torch.load_file</c>.
/// </summary>
public static class ModelFile
{
    /// <summary>Metadata key naming the kind of file (<see cref="ModelKind"/> or <see cref="CheckpointKind"/>).</summary>
    public const string KindKey = "perplex.kind";

    /// <summary>Metadata key holding the format version as a decimal integer.</summary>
    public const string VersionKey = "perplex.format_version";

    /// <summary>Metadata key holding the model configuration as JSON.</summary>
    public const string ConfigKey = "perplex.config";

    /// <summary>Metadata key holding the vocabulary as JSON.</summary>
    public const string VocabularyKey = "perplex.vocabulary";

    /// <summary>The kind of a trained model file.</summary>
    public const string ModelKind = "model";

    /// <summary>The kind of a training checkpoint (a model plus optimizer, RNG and data position).</summary>
    public const string CheckpointKind = "checkpoint";

    /// <summary>The format version this build writes and the only one it reads.</summary>
    public const int CurrentVersion = 1;

    /// <summary>The metadata every Perplex file starts with.</summary>
    public static Dictionary<string, string> BaseMetadata(string kind, string configJson, string vocabularyJson) => new()
    {
        [KindKey] = kind,
        [VersionKey] = CurrentVersion.ToString(CultureInfo.InvariantCulture),
        [ConfigKey] = configJson,
        [VocabularyKey] = vocabularyJson,
    };

    /// <summary>
    /// Opens a Perplex file and checks its kind and version. A checkpoint is accepted where a model is expected
    /// (it holds a complete model), not the other way round.
    /// </summary>
    public static SafetensorsReader Open(string path, string expectedKind)
    {
        var reader = SafetensorsReader.Open(path);
        try
        {
            if (!reader.Metadata.TryGetValue(VersionKey, out var versionText) || !reader.Metadata.TryGetValue(KindKey, out var kind))
                throw new PerplexException("not a Perplex model file (its safetensors metadata has no perplex.format_version)", path);
            if (!int.TryParse(versionText, NumberStyles.None, CultureInfo.InvariantCulture, out var version) || version != CurrentVersion)
                throw new PerplexException(
                    $"model file format version {versionText} is not supported by this Perplex (it reads version {CurrentVersion}); retrain or convert the model", path);
            if (kind != expectedKind && !(expectedKind == ModelKind && kind == CheckpointKind))
                throw new PerplexException($"this is a Perplex {kind} file, but a {expectedKind} file was expected", path);
            reader.RequireMetadata(ConfigKey);
            reader.RequireMetadata(VocabularyKey);
            return reader;
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <summary>The parameters as safetensors entries, named by their state_dict names.</summary>
    public static IEnumerable<NamedTensor> Tensors(IEnumerable<Parameter<float>> parameters) =>
        parameters.Select(p => NamedTensor.From(p.Name, p.Value));

    /// <summary>
    /// Loads every parameter's value from <paramref name="reader"/>; a missing tensor or a shape mismatch is a
    /// clear error naming the tensor (e.g. a model trained with another --nhid).
    /// </summary>
    public static void LoadParameters(SafetensorsReader reader, IEnumerable<Parameter<float>> parameters)
    {
        foreach (var p in parameters)
            reader.ReadInto(p.Name, p.Value);
    }
}
