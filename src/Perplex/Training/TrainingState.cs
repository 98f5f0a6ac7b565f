namespace Perplex.Training;

/// <summary>
/// Where a run stands: everything besides the weights, the optimizer moments and the random generator that a
/// checkpoint needs so the resumed run continues exactly where the first one stopped.
/// </summary>
public sealed class TrainingState
{
    /// <summary>The epoch in progress, 1-based (Epochs + 1 once all are done).</summary>
    public int Epoch { get; set; } = 1;

    /// <summary>Index of the next BPTT chunk within the epoch (0 at an epoch start).</summary>
    public int NextChunk { get; set; }

    /// <summary>Optimizer steps taken in total.</summary>
    public long Step { get; set; }

    /// <summary>The learning rate in effect (annealed by SGD's plateau rule).</summary>
    public double LearningRate { get; set; }

    /// <summary>The best validation loss so far, or null before the first epoch ends.</summary>
    public double? BestValidLoss { get; set; }

    /// <summary>The test loss of the best model, if a test text is evaluated.</summary>
    public double? BestTestLoss { get; set; }

    /// <summary>Running training-loss sums for the current log interval and epoch.</summary>
    public double IntervalLossSum { get; set; }

    /// <summary>Tokens in <see cref="IntervalLossSum"/>.</summary>
    public long IntervalTokens { get; set; }

    /// <summary>Training seconds in the current interval.</summary>
    public double IntervalSeconds { get; set; }

    /// <summary>Token-weighted sum of training losses in the current epoch.</summary>
    public double EpochLossSum { get; set; }

    /// <summary>Tokens in <see cref="EpochLossSum"/>.</summary>
    public long EpochTokens { get; set; }

    /// <summary>Training seconds in the current epoch.</summary>
    public double EpochSeconds { get; set; }

    /// <summary>The log so far.</summary>
    public TrainingHistory History { get; set; } = new();
}
