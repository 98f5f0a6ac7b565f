using Perplex.Models;
using Perplex.Serialization;
using Perplex.Tests.Training;
using Xunit;

namespace Perplex.Tests.Serialization;

public sealed class NeuralModelFileTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(ModelKind.Lstm, false)]
    [InlineData(ModelKind.Gru, true)]
    [InlineData(ModelKind.Window, false)]
    public void SavedModelsLoadWithTheSameWeightsConfigAndVocabulary(ModelKind kind, bool tied)
    {
        var vocabulary = TinyCorpus.Vocabulary();
        var model = LanguageModels.Create<float>(TinyCorpus.Config(vocabulary, kind, 0.1, tied), 5);
        var path = _dir.Combine("m.safetensors");
        NeuralModelFile.Save(path, model, vocabulary);
        var (loaded, loadedVocabulary) = NeuralModelFile.Load(path);
        Assert.Equal(model.Config, loaded.Config);
        Assert.Equal(vocabulary.Tokens, loadedVocabulary.Tokens);
        Assert.Equal(model.Parameters.Select(p => p.Name), loaded.Parameters.Select(p => p.Name));
        for (int i = 0; i < model.Parameters.Count; i++)
            Assert.Equal(model.Parameters[i].Value.Data, loaded.Parameters[i].Value.Data);

        using var reader = SafetensorsReader.Open(path);
        Assert.Equal(tied, !reader.Contains("decoder.weight"));
        Assert.True(reader.Contains("embedding.weight"));
        Assert.Contains("\"nhid\":8", reader.Metadata[ModelFile.ConfigKey]);
    }

    [Fact]
    public void CorruptOrForeignFilesAreClearErrors()
    {
        var vocabulary = TinyCorpus.Vocabulary();
        var model = LanguageModels.Create<float>(TinyCorpus.Config(vocabulary), 5);
        var path = _dir.Combine("m.safetensors");
        NeuralModelFile.Save(path, model, vocabulary);
        var bytes = File.ReadAllBytes(path);

        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        Assert.Contains("truncated", Assert.Throws<PerplexException>(() => NeuralModelFile.Load(path)).Message);

        var other = LanguageModels.Create<float>(TinyCorpus.Config(vocabulary) with { HiddenSize = 9 }, 5);
        var metadata = ModelFile.BaseMetadata(ModelFile.ModelKind, NeuralModelFile.ConfigToJson(model.Config), vocabulary.ToJson());
        SafetensorsWriter.WriteFile(path, ModelFile.Tensors(other.Parameters).ToList(), metadata);
        Assert.Contains("shape", Assert.Throws<PerplexException>(() => NeuralModelFile.Load(path)).Message);

        metadata[ModelFile.ConfigKey] = "{\"model\":\"TRANSFORMER\"}";
        SafetensorsWriter.WriteFile(path, [], metadata);
        Assert.Contains("unknown model 'TRANSFORMER'", Assert.Throws<PerplexException>(() => NeuralModelFile.Load(path)).Message);
    }
}
