using System.Diagnostics;
using Perplex.Diagnostics;
using Perplex.Layers;
using Perplex.Training;

namespace Perplex.Encoders;

/// <summary>What a training run achieved.</summary>
/// <param name="BestScore">The best validation score (or the last epoch's training loss negated without validation).</param>
/// <param name="BestEpoch">The epoch whose model was saved last.</param>
/// <param name="Epochs">Epochs run (the last one may be partial when a time limit stopped it).</param>
/// <param name="Seconds">Wall-clock training time (including the time before a resume).</param>
/// <param name="Interrupted">True when a cancellation (Ctrl+C) stopped the run; its checkpoint can be resumed.</param>
public sealed record TrainingOutcome(double BestScore, int BestEpoch, int Epochs, double Seconds, bool Interrupted = false);

/// <summary>
/// The training loop the tagger and the classifier share: each epoch visits the training examples in shuffled
/// equal-length batches (split across <see cref="TrainingSettings.Threads"/> copies of the network, see
/// <see cref="DataParallel"/>), clips the global gradient norm and steps the optimizer (embedding tables lazily, see
/// <see cref="RowSparseOptimizer"/>); then the model is validated and
/// SAVED whenever validation improved (so a run that dies or is stopped keeps its best model), and the learning
/// rate is divided by <see cref="TrainingSettings.LearningRateDecay"/> when it did not (or, with a
/// <see cref="TrainingSettings.Schedule"/> other than plateau, follows that schedule step by step). With
/// <see cref="TrainingSettings.AverageDecay"/> the validated and saved weights are a moving average of the trained ones.
/// </summary>
public static class SupervisedTrainer
{
    /// <summary>
    /// Trains <paramref name="model"/> on examples with lengths <paramref name="lengths"/>. <paramref name="validate"/>
    /// returns a score where higher is better (accuracy); without it every epoch is saved. <paramref name="save"/>
    /// receives the epoch number. Progress and a line per epoch go to <paramref name="progress"/> and <paramref name="log"/>.
    /// After every epoch (and when <paramref name="cancel"/> fires, after the batch in progress) the run is written to
    /// <paramref name="checkpoint"/>; <paramref name="resumeFrom"/> names a checkpoint whose weights the model already
    /// holds, and whose optimizer state and progress are restored here.
    /// </summary>
    internal static TrainingOutcome Run(ISupervisedModel model, IReadOnlyList<int> lengths, TrainingSettings settings,
        Func<double>? validate, Action<int> save, IProgressSink progress, TextWriter log,
        SupervisedCheckpoint? checkpoint = null, string? resumeFrom = null, CancellationToken cancel = default)
    {
        // The threads go to data parallelism: the matrix products of these small networks are too small to split. The
        // limit is this thread's (and each worker's), so a language model trained meanwhile elsewhere in the process keeps its own.
        int saved = Tensors.Parallelism.LimitThisThreadToOne();
        try
        {
            return RunOnOneThreadPerShare(model, lengths, settings, validate, save, progress, log, checkpoint, resumeFrom, cancel);
        }
        finally
        {
            Tensors.Parallelism.RestoreThreadLimit(saved);
        }
    }

    private static TrainingOutcome RunOnOneThreadPerShare(ISupervisedModel model, IReadOnlyList<int> lengths, TrainingSettings settings,
        Func<double>? validate, Action<int> save, IProgressSink progress, TextWriter log,
        SupervisedCheckpoint? checkpoint, string? resumeFrom, CancellationToken cancel)
    {
        var optimizer = new RowSparseOptimizer(settings.Optimizer, model.Parameters, model.SparseTables, settings.LearningRate);
        var average = settings.AverageDecay > 0 ? new WeightAverage(model.Parameters, settings.AverageDecay) : null;
        var shuffle = new SeededRandom(settings.Seed ^ 0x5EED5EEDUL);
        double factor = Math.Max(1.000001, settings.LearningRateDecay);
        var annealer = new PlateauAnnealer(factor);
        double bestScore = double.NegativeInfinity, secondsBefore = 0;
        int bestEpoch = 0, epoch = 0;
        if (resumeFrom is not null)
        {
            var state = SupervisedCheckpoint.Restore(resumeFrom, optimizer, average);
            (epoch, bestScore, bestEpoch, secondsBefore) = (state.Epoch, state.BestScore, state.BestEpoch, state.Seconds);
            optimizer.LearningRate = state.LearningRate;
            annealer = new PlateauAnnealer(factor, state.AnnealerBest);
            shuffle.State = state.ShuffleState;
            log.WriteLine($"resuming after epoch {epoch} ({state.Steps:N0} steps, {secondsBefore:F0} s, lr {state.LearningRate:G3}, best epoch {bestEpoch})");
        }
        var workers = new DataParallel(model, settings.Threads, settings.Seed ^ 0xDA7AUL ^ (ulong)epoch);
        var clock = Stopwatch.StartNew();
        double Seconds() => secondsBefore + clock.Elapsed.TotalSeconds;
        double? limit = settings.MaxMinutes * 60;
        bool stopped = limit is { } l0 && Seconds() > l0;
        bool scheduled = settings.Schedule != LearningRateSchedule.Plateau;
        long totalSteps = (long)settings.Epochs * LengthBatches.Create(lengths, settings.BatchSize).Count;
        // The rate of the next step: how much of the run is over decides it, counted in steps or, when the time limit
        // will end the run first, in time; so a resumed run (steps and seconds come back) continues the same curve.
        double ScheduledRate()
        {
            double done = Math.Max((double)optimizer.StepCount / Math.Max(1, totalSteps), limit is { } budget && budget > 0 ? Seconds() / budget : 0);
            return settings.LearningRate * LearningRateSchedules.Multiplier(settings.Schedule, done);
        }
        while (epoch < settings.Epochs && !stopped)
        {
            epoch++;
            var batches = LengthBatches.Create(lengths, settings.BatchSize, shuffle);
            progress.BeginStage($"epoch {epoch}/{settings.Epochs}", lengths.Count, "examples");
            workers.Training = true;
            double lossSum = 0;
            long lossCount = 0;
            foreach (var batch in batches)
            {
                optimizer.ZeroGrad();
                double loss = workers.TrainBatch(batch);
                double norm = optimizer.ClipGlobalNorm(settings.Clip);
                if (!double.IsFinite(loss) || !double.IsFinite(norm))
                {
                    var bad = GradientClipping.FirstNonFiniteGradient(model.Parameters);
                    throw new PerplexException($"training diverged in epoch {epoch} (loss {loss}, gradient of {bad?.Name ?? "?"} not finite); " +
                        $"try a smaller --lr{(bestEpoch > 0 ? $"; the model of epoch {bestEpoch} is saved" : "")}");
                }
                if (scheduled) optimizer.LearningRate = ScheduledRate();
                optimizer.Step();
                average?.Update(optimizer.StepCount);
                workers.SyncWeights();
                lossSum += loss * batch.Length;
                lossCount += batch.Length;
                progress.Advance(batch.Length);
                progress.SetStatus($"loss {lossSum / lossCount:F4}");
                if (limit is { } l && Seconds() > l || cancel.IsCancellationRequested)
                {
                    stopped = true;
                    break;
                }
            }
            workers.Training = false;
            double trainLoss = lossSum / Math.Max(1, lossCount);
            double learningRate = optimizer.LearningRate;
            double score;
            bool improved;
            using (average?.Apply()) // the averaged weights are the ones validated and saved
            {
                score = validate?.Invoke() ?? -trainLoss;
                improved = annealer.Observe(-score, ref learningRate);
                if (scheduled) learningRate = ScheduledRate(); // validation only chooses what is saved
                if (validate is null) improved = true; // nothing to select on: keep the latest model
                if (improved)
                {
                    save(epoch);
                    bestScore = score;
                    bestEpoch = epoch;
                }
            }
            optimizer.LearningRate = learningRate;
            checkpoint?.Write(optimizer, new SupervisedProgress(epoch, bestScore, bestEpoch, learningRate, annealer.BestLoss, shuffle.State,
                Seconds(), optimizer.StepCount), average);
            string why = !stopped ? "" : cancel.IsCancellationRequested ? " (interrupted)" : " (stopped by the time limit)";
            log.WriteLine($"epoch {epoch}{why}: train loss {trainLoss:F4}" +
                (validate is null ? "" : $", valid {score * 100:F2}%") +
                $", {Seconds():F0} s{(improved ? ", saved" : "")}{(scheduled || !improved ? $", lr now {learningRate:G3}" : "")}");
            // epoch − bestEpoch is also what a resumed run sees, so early stopping survives a resume
            if (validate is not null && settings.Patience is { } patience && !stopped && epoch < settings.Epochs && epoch - bestEpoch >= patience)
            {
                log.WriteLine($"stopping early: no better validation score in the last {patience} epoch{(patience == 1 ? "" : "s")} (--patience)");
                break;
            }
        }
        return new TrainingOutcome(bestScore, bestEpoch, epoch, Seconds(), cancel.IsCancellationRequested);
    }
}
