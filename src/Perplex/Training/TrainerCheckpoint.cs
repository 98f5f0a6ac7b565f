using System.Globalization;
using System.Text.Json;
using Perplex.Models;
using Perplex.Serialization;
using Perplex.Tensors;
using Perplex.Text;

namespace Perplex.Training;

/// <summary>What a checkpoint says about the run that wrote it, read without loading the weights.</summary>
/// <param name="Config">The model architecture.</param>
/// <param name="Vocabulary">The vocabulary the data must be encoded with.</param>
/// <param name="Options">The recipe of the run.</param>
/// <param name="State">Where the run stood.</param>
public sealed record CheckpointSummary(LanguageModelConfig Config, Vocabulary Vocabulary, TrainingOptions Options, TrainingState State);

public sealed partial class Trainer
{
    private const string TrainingKey = "perplex.training";
    private const string OptimizerPrefix = "optimizer.";
    private const string HiddenName = "state.hidden", CellName = "state.cell", ContextName = "state.context";

    private sealed class CheckpointInfo
    {
        public TrainingOptions Options { get; set; } = new();
        public TrainingState State { get; set; } = new();
        public string ModelRandom { get; set; } = "";
        public string OptimizerKind { get; set; } = "";
        public long OptimizerSteps { get; set; }
        public int StateBatch { get; set; }
        public int TrainTokenCount { get; set; }
        public string TrainFingerprint { get; set; } = "";
    }

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>
    /// Writes the checkpoint atomically: weights, optimizer state, the model's random generator, the carried
    /// state and the data position, so <see cref="Resume"/> continues bit for bit. Does nothing without a path.
    /// </summary>
    public void SaveCheckpoint()
    {
        if (CheckpointPath is null) return;
        var carried = Model.GetState();
        var info = new CheckpointInfo
        {
            Options = Options,
            State = State,
            ModelRandom = Model.Random.State.ToString(CultureInfo.InvariantCulture),
            OptimizerKind = Optimizer.Kind,
            OptimizerSteps = Optimizer.StepCount,
            StateBatch = carried.Batch,
            TrainTokenCount = TrainTokens.Length,
            TrainFingerprint = CorpusTokens.Fingerprint(TrainTokens).ToString("x16", CultureInfo.InvariantCulture),
        };
        var metadata = ModelFile.BaseMetadata(ModelFile.CheckpointKind, NeuralModelFile.ConfigToJson(Model.Config), Vocabulary.ToJson());
        metadata[TrainingKey] = JsonSerializer.Serialize(info, Json);
        var tensors = ModelFile.Tensors(Model.Parameters).ToList();
        tensors.AddRange(Optimizer.StateTensors().Select(s => NamedTensor.From(OptimizerPrefix + s.Name, s.Tensor)));
        tensors.Add(NamedTensor.From(HiddenName, carried.Hidden));
        tensors.Add(NamedTensor.From(CellName, carried.Cell));
        tensors.Add(NamedTensor.From(ContextName, carried.Context.Select(c => (double)c).ToArray()));
        SafetensorsWriter.WriteFile(CheckpointPath, tensors, metadata);
    }

    /// <summary>Reads a checkpoint's architecture, vocabulary, recipe and position (to encode the data and check flags).</summary>
    public static CheckpointSummary Peek(string path)
    {
        using var reader = ModelFile.Open(path, ModelFile.CheckpointKind);
        var info = ReadInfo(reader);
        var config = NeuralModelFile.ConfigFromJson(reader.RequireMetadata(ModelFile.ConfigKey), path);
        var vocabulary = Vocabulary.FromJson(reader.RequireMetadata(ModelFile.VocabularyKey), path);
        return new CheckpointSummary(config, vocabulary, info.Options, info.State);
    }

    /// <summary>
    /// Restores a run from <paramref name="path"/>. The data must be the same token streams (encoded with the
    /// checkpoint's vocabulary) and <paramref name="options"/> the same recipe; only the number of epochs, the step
    /// limit, the checkpoint interval and the log interval may change. Anything else is a clear error.
    /// </summary>
    public static Trainer Resume(string path, int[] train, int[] valid, int[]? test, TrainingOptions options)
    {
        using var reader = ModelFile.Open(path, ModelFile.CheckpointKind);
        var info = ReadInfo(reader);
        CheckSameRecipe(info.Options, options, path);
        var fingerprint = CorpusTokens.Fingerprint(train).ToString("x16", CultureInfo.InvariantCulture);
        if (train.Length != info.TrainTokenCount || fingerprint != info.TrainFingerprint)
            throw new PerplexException(
                $"the training text differs from the one this checkpoint was trained on ({train.Length:N0} tokens now, {info.TrainTokenCount:N0} then): resume needs the same --train and vocabulary", path);
        var (model, vocabulary) = NeuralModelFile.Load(reader);
        if (info.OptimizerKind != options.Optimizer)
            throw new PerplexException($"the checkpoint was trained with --optimizer {info.OptimizerKind}, not {options.Optimizer}", path);
        if (!ulong.TryParse(info.ModelRandom, NumberStyles.None, CultureInfo.InvariantCulture, out var random))
            throw new PerplexException("the checkpoint's random generator state is corrupt", path);
        model.Random.State = random;

        var trainer = new Trainer(model, vocabulary, train, valid, test, options, info.State);
        foreach (var (name, tensor) in trainer.Optimizer.StateTensors())
            reader.ReadInto(OptimizerPrefix + name, tensor);
        trainer.Optimizer.RestoreStepCount(info.OptimizerSteps);
        if (info.StateBatch > 0)
        {
            var hidden = reader.Read<float>(HiddenName).Data;
            var cell = reader.Read<float>(CellName).Data;
            var context = reader.Read<double>(ContextName).Data.Select(c => (int)c).ToArray();
            try
            {
                model.SetState(new ModelState<float>(info.StateBatch, hidden, cell, context));
            }
            catch (ArgumentException ex)
            {
                throw new PerplexException($"the checkpoint's carried state does not fit the model ({ex.Message})", path, inner: ex);
            }
        }
        return trainer;
    }

    private static CheckpointInfo ReadInfo(SafetensorsReader reader)
    {
        try
        {
            return JsonSerializer.Deserialize<CheckpointInfo>(reader.RequireMetadata(TrainingKey), Json)
                ?? throw new PerplexException("the checkpoint's training state is empty", reader.FilePath);
        }
        catch (JsonException ex)
        {
            throw new PerplexException($"the checkpoint's training state is corrupt ({ex.Message})", reader.FilePath, inner: ex);
        }
    }

    private static void CheckSameRecipe(TrainingOptions saved, TrainingOptions given, string path)
    {
        void Same<T>(string flag, T a, T b)
        {
            if (!EqualityComparer<T>.Default.Equals(a, b))
                throw new PerplexException($"{flag} {b} differs from the checkpoint's {a}; a resumed run must keep the recipe (leave the flag out to use the checkpoint's value)", path);
        }
        Same("--batch-size", saved.BatchSize, given.BatchSize);
        Same("--bptt", saved.Bptt, given.Bptt);
        Same("--lr", saved.LearningRate, given.LearningRate);
        Same("--clip", saved.Clip, given.Clip);
        Same("--optimizer", saved.Optimizer, given.Optimizer);
        Same("--weight-decay", saved.WeightDecay, given.WeightDecay);
        Same("--seed", saved.Seed, given.Seed);
        Same("evaluation batch size", saved.EvalBatchSize, given.EvalBatchSize);
    }
}
