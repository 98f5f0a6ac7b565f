using System.Text.Json;
using Perplex.Serialization;
using Perplex.Tensors;

namespace Perplex.Encoders;

/// <summary>Where a supervised training run stood when its checkpoint was written.</summary>
/// <param name="Epoch">Epochs finished (the last one possibly cut short by the time limit or an interruption).</param>
/// <param name="BestScore">Best validation score so far.</param>
/// <param name="BestEpoch">The epoch of the saved best model (0: none yet).</param>
/// <param name="LearningRate">The learning rate of the next step.</param>
/// <param name="AnnealerBest">The plateau annealer's best loss, or null before the first validation.</param>
/// <param name="ShuffleState">State of the generator that orders the batches.</param>
/// <param name="Seconds">Training time spent so far (counts against --max-minutes after a resume).</param>
/// <param name="Steps">Optimizer steps taken.</param>
internal sealed record SupervisedProgress(int Epoch, double BestScore, int BestEpoch, double LearningRate, double? AnnealerBest,
    ulong ShuffleState, double Seconds, long Steps);

/// <summary>
/// The training checkpoint of a tagger or classifier: a complete model file (kind <c>checkpoint</c>, so every command
/// that reads a model reads it) plus the optimizer's moments (<c>optimizer.exp_avg.…</c>) and a
/// <see cref="SupervisedProgress"/> in the metadata. It is rewritten atomically after every epoch and when training
/// is interrupted, so a crash or Ctrl+C loses at most the epoch in progress, and <c>--resume</c> continues from it.
/// Dropout masks after a resume are drawn afresh, so a resumed run is not bit-identical to an uninterrupted one.
/// </summary>
internal sealed class SupervisedCheckpoint(string path, Action<string, IReadOnlyList<NamedTensor>, IReadOnlyDictionary<string, string>> writeModel)
{
    public const string ProgressKey = "perplex.supervised_progress";
    private const string OptimizerPrefix = "optimizer.";
    private const string AveragePrefix = "average.";
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals, // best score −∞ before any validation
    };

    /// <summary>Where the checkpoint goes.</summary>
    public string Path { get; } = path;

    /// <summary>The checkpoint path used next to a model saved at <paramref name="savePath"/>.</summary>
    public static string PathFor(string savePath) => savePath + ".ckpt";

    /// <summary>Writes the model with the optimizer's state, the weight average's (<c>average.…</c>, when there is one)
    /// and <paramref name="progress"/>.</summary>
    public void Write(RowSparseOptimizer optimizer, SupervisedProgress progress, WeightAverage? average = null)
    {
        var tensors = optimizer.StateTensors().Select(s => NamedTensor.From(OptimizerPrefix + s.Name, s.Tensor)).ToList();
        if (average is not null) tensors.AddRange(average.StateTensors().Select(s => NamedTensor.From(AveragePrefix + s.Name, s.Tensor)));
        writeModel(Path, tensors, new Dictionary<string, string> { [ProgressKey] = JsonSerializer.Serialize(progress, Json) });
    }

    /// <summary>Reads the optimizer state of the checkpoint at <paramref name="resumePath"/> into <paramref name="optimizer"/>
    /// (and the weight average into <paramref name="average"/>) and returns the run's progress (the weights were loaded
    /// with the model).</summary>
    public static SupervisedProgress Restore(string resumePath, RowSparseOptimizer optimizer, WeightAverage? average = null)
    {
        using var reader = ModelFile.Open(resumePath, ModelFile.CheckpointKind);
        SupervisedProgress? progress;
        try
        {
            progress = JsonSerializer.Deserialize<SupervisedProgress>(reader.RequireMetadata(ProgressKey), Json);
        }
        catch (JsonException e)
        {
            throw new PerplexException($"the checkpoint's training state is not valid: {e.Message}", resumePath);
        }
        if (progress is null) throw new PerplexException("the checkpoint has no training state", resumePath);
        foreach (var (name, tensor) in optimizer.StateTensors())
        {
            if (!reader.Contains(OptimizerPrefix + name))
                throw new PerplexException($"the checkpoint has no optimizer state '{name}' (was it written with another --optimizer?)", resumePath);
            reader.ReadInto(OptimizerPrefix + name, tensor);
        }
        foreach (var (name, tensor) in average?.StateTensors() ?? [])
        {
            if (!reader.Contains(AveragePrefix + name))
                throw new PerplexException($"the checkpoint has no weight average of '{name}' (was it written without --average?)", resumePath);
            reader.ReadInto(AveragePrefix + name, tensor);
        }
        optimizer.RestoreStepCount(progress.Steps);
        return progress;
    }
}
