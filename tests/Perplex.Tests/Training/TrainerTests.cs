using Perplex.Diagnostics;
using Perplex.Models;
using Perplex.Serialization;
using Perplex.Training;
using Xunit;

namespace Perplex.Tests.Training;

public sealed class TrainerTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static TrainingOptions Recipe(string optimizer = "adam", int epochs = 3, long? maxSteps = null) => new()
    {
        Epochs = epochs, BatchSize = 4, Bptt = 5, Optimizer = optimizer, LearningRate = optimizer == "sgd" ? 2 : 0.01,
        Clip = 0.5, EvalBatchSize = 2, LogInterval = 3, MaxSteps = maxSteps, Seed = 7,
    };

    private Trainer NewTrainer(TrainingOptions options, ModelKind kind = ModelKind.Lstm, double dropout = 0.3, int repeats = 12)
    {
        var vocabulary = TinyCorpus.Vocabulary();
        var model = LanguageModels.Create<float>(TinyCorpus.Config(vocabulary, kind, dropout), options.Seed);
        return new Trainer(model, vocabulary, TinyCorpus.Tokens(vocabulary, repeats), TinyCorpus.Tokens(vocabulary, 3), TinyCorpus.Tokens(vocabulary, 2), options)
        {
            CheckpointPath = _dir.Combine("run.checkpoint.safetensors"),
            SavePath = _dir.Combine("best.safetensors"),
        };
    }

    [Fact]
    public void ATinyModelLearnsATinyCorpus()
    {
        var trainer = NewTrainer(Recipe("adam", epochs: 12) with { LearningRate = 0.03 }, dropout: 0);
        Assert.Equal(TrainingOutcome.Completed, trainer.Run(NullProgress.Instance));
        var epochs = trainer.State.History.Epochs.ToList();
        Assert.Equal(12, epochs.Count);
        // 15-entry vocabulary: uniform guessing is ppl 15; the text is almost deterministic after its first word.
        Assert.True(Math.Exp(epochs[0].ValidLoss!.Value) > 8, $"first epoch valid ppl {Math.Exp(epochs[0].ValidLoss!.Value)}");
        Assert.True(Math.Exp(epochs[^1].ValidLoss!.Value) < 2.5, $"last epoch valid ppl {Math.Exp(epochs[^1].ValidLoss!.Value)}");
        Assert.True(File.Exists(trainer.SavePath));
        var (saved, _) = NeuralModelFile.Load(trainer.SavePath!);
        Assert.Equal(trainer.Model.Config, saved.Config);
    }

    [Theory]
    [InlineData("adam", ModelKind.Lstm, 11)]   // stops mid-epoch: carried state, dropout generator and moments restored
    [InlineData("sgd", ModelKind.Gru, 14)]     // stops right after an epoch boundary, with evaluation and annealing in between
    [InlineData("adamw", ModelKind.Window, 9)]
    public void ResumingGivesBitIdenticalResults(string optimizer, ModelKind kind, int half)
    {
        long total = 2 * half;
        var straight = NewTrainer(Recipe(optimizer, epochs: 4, maxSteps: total), kind);
        straight.CheckpointPath = null;
        straight.Run(NullProgress.Instance);

        var first = NewTrainer(Recipe(optimizer, epochs: 4, maxSteps: half), kind);
        Assert.Equal(TrainingOutcome.StoppedAtMaxSteps, first.Run(NullProgress.Instance));
        Assert.Equal(half, first.State.Step);

        var vocabulary = TinyCorpus.Vocabulary();
        var resumed = Trainer.Resume(first.CheckpointPath!, TinyCorpus.Tokens(vocabulary, 12), TinyCorpus.Tokens(vocabulary, 3),
            TinyCorpus.Tokens(vocabulary, 2), Recipe(optimizer, epochs: 4, maxSteps: total));
        resumed.Run(NullProgress.Instance);

        Assert.Equal(total, resumed.State.Step);
        Assert.Equal(straight.State.LearningRate, resumed.State.LearningRate);
        for (int i = 0; i < straight.Model.Parameters.Count; i++)
        {
            var a = straight.Model.Parameters[i].Value.Data;
            var b = resumed.Model.Parameters[i].Value.Data;
            Assert.True(a.AsSpan().SequenceEqual(b), $"{straight.Model.Parameters[i].Name} differs after resume");
        }
        Assert.Equal(straight.Model.GetState().Hidden, resumed.Model.GetState().Hidden);
        Assert.Equal(straight.State.History.Records.Select(r => (r.Kind, r.Step, r.TrainLoss, r.ValidLoss)),
            resumed.State.History.Records.Select(r => (r.Kind, r.Step, r.TrainLoss, r.ValidLoss)));
        Assert.True(straight.State.History.Epochs.Any(), "the runs should cross an epoch boundary");
    }

    [Theory]
    [InlineData("sgd", ModelKind.Lstm, 11)]
    [InlineData("adam", ModelKind.Window, 9)]
    public void ResumingARunSplitBetweenThreadsGivesBitIdenticalResults(string optimizer, ModelKind kind, int half)
    {
        // every step's 4 streams split in two shares (data parallelism), dropout on: the shares' generators must resume too
        StreamParallelStep<float>.ForcedShards = 2;
        try
        {
            ResumingGivesBitIdenticalResults(optimizer, kind, half);
        }
        finally
        {
            StreamParallelStep<float>.ForcedShards = 0;
        }
    }

    [Fact]
    public void ResumeRejectsOtherDataOrRecipe()
    {
        var first = NewTrainer(Recipe(maxSteps: 4));
        first.Run(NullProgress.Instance);
        var vocabulary = TinyCorpus.Vocabulary();
        var valid = TinyCorpus.Tokens(vocabulary, 3);
        Assert.Contains("the training text differs", Assert.Throws<PerplexException>(() =>
            Trainer.Resume(first.CheckpointPath!, TinyCorpus.Tokens(vocabulary, 11), valid, null, Recipe())).Message);
        Assert.Contains("--bptt 6 differs from the checkpoint's 5", Assert.Throws<PerplexException>(() =>
            Trainer.Resume(first.CheckpointPath!, TinyCorpus.Tokens(vocabulary, 12), valid, null, Recipe() with { Bptt = 6 })).Message);
    }

    [Fact]
    public void ANonFiniteLossStopsTrainingNamingTheStepAndParameterAndKeepsTheCheckpoint()
    {
        var trainer = NewTrainer(Recipe(maxSteps: 3));
        trainer.Run(NullProgress.Instance);
        var checkpoint = File.ReadAllBytes(trainer.CheckpointPath!);

        // a fresh trainer from that checkpoint, without the step limit, whose decoder bias then turns NaN
        var unlimited = Trainer.Resume(trainer.CheckpointPath!, trainer.TrainTokens, TinyCorpus.Tokens(TinyCorpus.Vocabulary(), 3), null, Recipe());
        unlimited.CheckpointPath = trainer.CheckpointPath;
        unlimited.Model.Parameters.Single(p => p.Name == "decoder.bias").Value.Data[2] = float.NaN;
        var ex = Assert.Throws<PerplexException>(() => unlimited.Run(NullProgress.Instance));
        Assert.Contains("training diverged at epoch 1, step 4", ex.Message);
        Assert.Contains("decoder.bias", ex.Message);
        Assert.Contains("last good checkpoint", ex.Message);
        Assert.Equal(checkpoint, File.ReadAllBytes(trainer.CheckpointPath!));
    }

    [Fact]
    public void AnExplodingLearningRateIsCaughtBeforeTheWeightsAreSaved()
    {
        var trainer = NewTrainer(Recipe("sgd", epochs: 5) with { LearningRate = 3e38, Clip = 0 }, dropout: 0);
        trainer.SavePath = null;
        var ex = Assert.Throws<PerplexException>(() => trainer.Run(NullProgress.Instance));
        Assert.Contains("training diverged at epoch", ex.Message);
        Assert.Matches("(gradients that blew up|no longer finite|overflowed)", ex.Message);
    }

    [Fact]
    public void AShortValidationTextIsEvaluatedWithFewerStreams()
    {
        var vocabulary = TinyCorpus.Vocabulary();
        var model = LanguageModels.Create<float>(TinyCorpus.Config(vocabulary), 1);
        var oneLine = TinyCorpus.Tokens(vocabulary, 1)[..7]; // "the cat sat on the mat </s>"
        var trainer = new Trainer(model, vocabulary, TinyCorpus.Tokens(vocabulary, 4), oneLine, null, Recipe(epochs: 1) with { EvalBatchSize = 10 });
        trainer.Run(NullProgress.Instance);
        Assert.True(double.IsFinite(trainer.State.BestValidLoss!.Value));
        Assert.Contains("at least 2 are needed", Assert.Throws<PerplexException>(() =>
            new Trainer(model, vocabulary, TinyCorpus.Tokens(vocabulary, 4), [2], null, Recipe())).Message);
    }

    [Fact]
    public void CancellingCheckpointsAndTheRunResumesExactly()
    {
        var straight = NewTrainer(Recipe(epochs: 2));
        straight.CheckpointPath = null;
        straight.Run(NullProgress.Instance);

        var interrupted = NewTrainer(Recipe(epochs: 2));
        using var source = new CancellationTokenSource();
        var ex = Assert.Throws<PerplexException>(() => interrupted.Run(new CancelAfter(7 * 4 * 5, source), source.Token));
        Assert.Contains("interrupted at epoch 1, step 7; checkpoint saved", ex.Message);

        var vocabulary = TinyCorpus.Vocabulary();
        var resumed = Trainer.Resume(interrupted.CheckpointPath!, TinyCorpus.Tokens(vocabulary, 12), TinyCorpus.Tokens(vocabulary, 3),
            TinyCorpus.Tokens(vocabulary, 2), Recipe(epochs: 2));
        resumed.Run(NullProgress.Instance);
        for (int i = 0; i < straight.Model.Parameters.Count; i++)
            Assert.True(straight.Model.Parameters[i].Value.Data.AsSpan().SequenceEqual(resumed.Model.Parameters[i].Value.Data));
    }
}
