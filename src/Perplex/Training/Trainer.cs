using System.Diagnostics;
using System.Globalization;
using Perplex.Diagnostics;
using Perplex.Inference;
using Perplex.Models;
using Perplex.Serialization;
using Perplex.Text;

namespace Perplex.Training;

/// <summary>How a call to <see cref="Trainer.Run"/> ended.</summary>
public enum TrainingOutcome
{
    /// <summary>All epochs are done.</summary>
    Completed,

    /// <summary><see cref="TrainingOptions.MaxSteps"/> was reached; the checkpoint allows resuming.</summary>
    StoppedAtMaxSteps,
}

/// <summary>
/// Trains a neural LM as word_language_model does: the training stream batchified into B streams, truncated BPTT
/// over chunks of T tokens with the state carried between chunks and cut from the graph, gradient clipping by global
/// norm, SGD whose learning rate is divided by 4 when the validation loss stops improving (or Adam/AdamW), evaluation
/// on validation and test after every epoch, the best model saved. A checkpoint written after every epoch (and every
/// <see cref="TrainingOptions.CheckpointEvery"/> steps) resumes bit-identically. A NaN or infinite loss or gradient
/// stops training with a message naming the step and the parameters, leaving the last good checkpoint untouched.
/// </summary>
public sealed partial class Trainer
{
    private readonly TokenBatches _train;
    private readonly TokenBatches _valid;
    private readonly TokenBatches? _test;
    private readonly PlateauAnnealer _annealer;

    /// <summary>Sets up training of <paramref name="model"/> on token streams encoded with <paramref name="vocabulary"/>.</summary>
    public Trainer(NeuralLanguageModel<float> model, Vocabulary vocabulary, int[] train, int[] valid, int[]? test, TrainingOptions options)
        : this(model, vocabulary, train, valid, test, options, new TrainingState { LearningRate = options.LearningRate })
    {
    }

    private Trainer(NeuralLanguageModel<float> model, Vocabulary vocabulary, int[] train, int[] valid, int[]? test,
        TrainingOptions options, TrainingState state)
    {
        options.Validate();
        if (vocabulary.Count != model.VocabSize)
            throw new PerplexException($"the vocabulary has {vocabulary.Count} entries but the model predicts {model.VocabSize} tokens");
        Model = model;
        Vocabulary = vocabulary;
        Options = options;
        State = state;
        TrainTokens = train;
        _train = new TokenBatches(train, options.BatchSize);
        if (_train.ChunkCount(options.Bptt) == 0)
            throw new PerplexException($"the training text has {train.Length} tokens, too few for {options.BatchSize} streams (--batch-size) of at least 2 tokens");
        _valid = EvaluationBatches(valid, "validation");
        _test = test is null ? null : EvaluationBatches(test, "test");
        Optimizer = Optimizer<float>.Create(options.Optimizer, model.Parameters, state.LearningRate, options.WeightDecay);
        _annealer = new PlateauAnnealer(4, state.BestValidLoss);
        if (model is WindowLanguageModel<float> window) window.PadToken = Vocabulary.EosId;
    }

    /// <summary>A short text is evaluated with fewer streams rather than trimmed to nothing.</summary>
    private TokenBatches EvaluationBatches(int[] tokens, string what)
    {
        if (tokens.Length < 2) throw new PerplexException($"the {what} text has {tokens.Length} tokens; at least 2 are needed");
        return new TokenBatches(tokens, Math.Min(Options.EvalBatchSize, tokens.Length / 2));
    }

    /// <summary>The model being trained.</summary>
    public NeuralLanguageModel<float> Model { get; }

    /// <summary>Its vocabulary.</summary>
    public Vocabulary Vocabulary { get; }

    /// <summary>The recipe.</summary>
    public TrainingOptions Options { get; }

    /// <summary>Where the run stands.</summary>
    public TrainingState State { get; }

    /// <summary>The optimizer (its state is checkpointed).</summary>
    public Optimizer<float> Optimizer { get; }

    /// <summary>The training token stream (fingerprinted in checkpoints).</summary>
    public int[] TrainTokens { get; }

    /// <summary>Where the best model is saved (null: not saved).</summary>
    public string? SavePath { get; set; }

    /// <summary>Where the checkpoint is written (null: none).</summary>
    public string? CheckpointPath { get; set; }

    /// <summary>Where the CSV log is written after every epoch (null: none).</summary>
    public string? LogPath { get; set; }

    /// <summary>Called after every epoch with the history (e.g. to draw the plot).</summary>
    public Action<TrainingHistory>? EpochCompleted { get; set; }

    /// <summary>Number of BPTT chunks (optimizer steps) per epoch.</summary>
    public int ChunksPerEpoch => _train.ChunkCount(Options.Bptt);

    /// <summary>
    /// Trains until all epochs are done or <see cref="TrainingOptions.MaxSteps"/> is reached. Cancelling
    /// <paramref name="cancellation"/> stops before the next step with a checkpoint and a <see cref="PerplexException"/>.
    /// </summary>
    public TrainingOutcome Run(IProgressSink progress, CancellationToken cancellation = default)
    {
        int bptt = Options.Bptt, batch = Options.BatchSize;
        var starts = _train.ChunkStarts(bptt).ToArray();
        var watch = new Stopwatch();
        Model.ZeroGrad(); // from here on, every update leaves the gradients cleared for the next step
        while (State.Epoch <= Options.Epochs)
        {
            if (State.NextChunk == 0)
            {
                Model.ResetState(batch); // word_language_model starts every epoch from a zero state
                State.EpochLossSum = 0; State.EpochTokens = 0; State.EpochSeconds = 0;
            }
            Model.Training = true;
            progress.BeginStage($"epoch {State.Epoch}/{Options.Epochs}", _train.PredictedTokens, "tokens");
            progress.Advance(State.EpochTokens);
            for (int c = State.NextChunk; c < starts.Length; c++)
            {
                if (State.Step >= Options.MaxSteps) return Stop();
                if (cancellation.IsCancellationRequested) throw Interrupted();
                var (input, target, length) = _train.GetBatch(starts[c], bptt);
                watch.Restart();
                float loss = Model.ForwardBackward(input.Span, target.Span, length, batch);
                if (!float.IsFinite(loss)) throw Diverged(c, $"the training loss is {loss}");
                var (norm, clipping) = GradientClipping.Measure(Model.Parameters, Options.Clip);
                if (!double.IsFinite(norm)) throw Diverged(c, $"the gradient norm is {norm}");
                Optimizer.LearningRate = State.LearningRate;
                // clipping and the clearing for the next step ride along the update's pass over the gradients
                Optimizer.Step(clipping, zeroGradients: true);
                watch.Stop();

                long tokens = (long)length * batch;
                State.NextChunk = c + 1;
                State.Step++;
                State.IntervalLossSum += loss * (double)tokens; State.IntervalTokens += tokens; State.IntervalSeconds += watch.Elapsed.TotalSeconds;
                State.EpochLossSum += loss * (double)tokens; State.EpochTokens += tokens; State.EpochSeconds += watch.Elapsed.TotalSeconds;
                progress.Advance(tokens);
                if (State.Step % Options.LogInterval == 0) RecordInterval(progress, starts.Length);
                else if (State.Step % 10 == 0) progress.SetStatus(RunningStatus(State.IntervalLossSum / State.IntervalTokens, State.IntervalTokens / Math.Max(State.IntervalSeconds, 1e-9)));
                if (Options.CheckpointEvery > 0 && State.Step % Options.CheckpointEvery == 0) SaveCheckpoint();
            }
            EndEpoch(progress);
        }
        return TrainingOutcome.Completed;
    }

    /// <summary>
    /// Ctrl+C between two steps: the state is consistent, so it is checkpointed and the run can be resumed exactly.
    /// </summary>
    private PerplexException Interrupted()
    {
        SaveCheckpoint();
        return new PerplexException(CheckpointPath is null
            ? $"interrupted at epoch {State.Epoch}, step {State.Step} (no checkpoint path was given)"
            : $"interrupted at epoch {State.Epoch}, step {State.Step}; checkpoint saved, continue with --resume {CheckpointPath}");
    }

    private TrainingOutcome Stop()
    {
        SaveCheckpoint();
        return TrainingOutcome.StoppedAtMaxSteps;
    }

    private double Progress(int chunksPerEpoch) => State.Epoch - 1 + (double)State.NextChunk / chunksPerEpoch;

    private void RecordInterval(IProgressSink progress, int chunksPerEpoch)
    {
        double loss = State.IntervalLossSum / State.IntervalTokens;
        State.History.Records.Add(new TrainingRecord("interval", State.Epoch, State.Step, Progress(chunksPerEpoch),
            State.LearningRate, loss, null, null, State.IntervalSeconds, State.IntervalTokens / Math.Max(State.IntervalSeconds, 1e-9)));
        progress.SetStatus(RunningStatus(loss, State.IntervalTokens / Math.Max(State.IntervalSeconds, 1e-9)));
        State.IntervalLossSum = 0; State.IntervalTokens = 0; State.IntervalSeconds = 0;
        if (LogPath is not null) State.History.WriteCsv(LogPath); // a long epoch shows its progress in the log too
    }

    private string RunningStatus(double loss, double tokensPerSecond) => string.Create(CultureInfo.InvariantCulture,
        $"loss {loss:F2}  ppl {Math.Exp(loss):F1}  lr {State.LearningRate:G4}  {tokensPerSecond:N0} tokens/s");

    private void EndEpoch(IProgressSink progress)
    {
        progress.BeginStage($"validating epoch {State.Epoch}", _valid.PredictedTokens, "tokens");
        var valid = NeuralScoring.Score(Model, _valid, Options.Bptt, progress.Advance);
        CorpusScore? test = null;
        if (_test is not null)
        {
            progress.BeginStage($"testing epoch {State.Epoch}", _test.PredictedTokens, "tokens");
            test = NeuralScoring.Score(Model, _test, Options.Bptt, progress.Advance);
        }
        double trainLoss = State.EpochLossSum / Math.Max(1, State.EpochTokens);
        State.History.Records.Add(new TrainingRecord("epoch", State.Epoch, State.Step, State.Epoch, State.LearningRate,
            trainLoss, valid.MeanLoss, test?.MeanLoss, State.EpochSeconds, State.EpochTokens / Math.Max(State.EpochSeconds, 1e-9)));

        // word_language_model: keep the model if validation improved, else anneal the learning rate (SGD only).
        double lr = State.LearningRate;
        bool improved = _annealer.Observe(valid.MeanLoss, ref lr);
        if (Optimizer is Sgd<float>) State.LearningRate = lr;
        State.BestValidLoss = _annealer.BestLoss;
        if (improved)
        {
            State.BestTestLoss = test?.MeanLoss;
            if (SavePath is not null) NeuralModelFile.Save(SavePath, Model, Vocabulary);
        }
        progress.SetStatus(string.Create(CultureInfo.InvariantCulture,
            $"valid ppl {valid.Perplexity:F2}{(test is { } t ? $"  test ppl {t.Perplexity:F2}" : "")}{(improved ? "  (best, saved)" : $"  lr → {State.LearningRate:G4}")}"));
        if (LogPath is not null) State.History.WriteCsv(LogPath);
        EpochCompleted?.Invoke(State.History);
        State.Epoch++;
        State.NextChunk = 0;
        SaveCheckpoint();
    }

    /// <summary>Builds the error for a NaN/∞ loss or gradient: the step, the parameters at fault, the checkpoint kept.</summary>
    private PerplexException Diverged(int chunk, string what)
    {
        var badGradients = Model.Parameters.Where(p => p.Grad.Data.Any(g => !float.IsFinite(g))).Select(p => p.Name).ToList();
        var badValues = Model.Parameters.Where(p => p.Value.Data.Any(v => !float.IsFinite(v))).Select(p => p.Name).ToList();
        var culprit = badValues.Count > 0 ? $"parameters that are no longer finite: {Names(badValues)}"
            : badGradients.Count > 0 ? $"gradients that blew up: {Names(badGradients)}"
            : "every gradient is finite (the forward pass overflowed)";
        var kept = CheckpointPath is not null && File.Exists(CheckpointPath)
            ? $"the last good checkpoint {CheckpointPath} is kept (resume with --resume and a lower --lr)"
            : "no checkpoint was written yet";
        return new PerplexException(
            $"training diverged at epoch {State.Epoch}, step {State.Step + 1} (chunk {chunk + 1} of {ChunksPerEpoch}): {what}; {culprit}. " +
            $"Try a lower --lr or a smaller --clip; {kept}");

        static string Names(List<string> names) => string.Join(", ", names.Take(4)) + (names.Count > 4 ? $" and {names.Count - 4} more" : "");
    }
}
