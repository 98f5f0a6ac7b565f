namespace Perplex.Training;

/// <summary>The training recipe; defaults are word_language_model's (SGD lr 20, clip 0.25, bptt 35, batch 20).</summary>
public sealed record TrainingOptions
{
    /// <summary>Passes over the training text (<c>--epochs</c>).</summary>
    public int Epochs { get; init; } = 6;

    /// <summary>Parallel streams B (<c>--batch-size</c>).</summary>
    public int BatchSize { get; init; } = 20;

    /// <summary>Truncated-BPTT length T (<c>--bptt</c>).</summary>
    public int Bptt { get; init; } = 35;

    /// <summary>Initial learning rate (<c>--lr</c>).</summary>
    public double LearningRate { get; init; } = 20;

    /// <summary>Maximum global gradient norm; 0 disables clipping (<c>--clip</c>).</summary>
    public double Clip { get; init; } = 0.25;

    /// <summary><c>sgd</c> (annealed ÷4 on a validation plateau), <c>adam</c> or <c>adamw</c> (<c>--optimizer</c>).</summary>
    public string Optimizer { get; init; } = "sgd";

    /// <summary>Weight decay for Adam/AdamW (AdamW uses 0.01 when this is 0, as PyTorch).</summary>
    public double WeightDecay { get; init; }

    /// <summary>Streams used for validation and test, as word_language_model's <c>eval_batch_size</c>.</summary>
    public int EvalBatchSize { get; init; } = 10;

    /// <summary>Seed of initialisation and dropout (<c>--seed</c>).</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Record the training loss every this many steps (<c>--log-interval</c>).</summary>
    public int LogInterval { get; init; } = 200;

    /// <summary>Also write the checkpoint every this many steps (0: only at the end of each epoch).</summary>
    public int CheckpointEvery { get; init; }

    /// <summary>Stop (and checkpoint) once this many steps have been taken in total; null runs all epochs.</summary>
    public long? MaxSteps { get; init; }

    /// <summary>Throws a <see cref="PerplexException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        string? problem =
            Epochs < 1 ? $"--epochs must be at least 1, not {Epochs}"
            : BatchSize < 1 ? $"--batch-size must be at least 1, not {BatchSize}"
            : Bptt < 1 ? $"--bptt must be at least 1, not {Bptt}"
            : !(LearningRate > 0) || double.IsInfinity(LearningRate) ? $"--lr must be a positive number, not {LearningRate}"
            : !(Clip >= 0) ? $"--clip must be >= 0 (0 disables clipping), not {Clip}"
            : Optimizer is not ("sgd" or "adam" or "adamw") ? $"unknown optimizer '{Optimizer}' (expected sgd, adam or adamw)"
            : EvalBatchSize < 1 ? $"the evaluation batch size must be at least 1, not {EvalBatchSize}"
            : LogInterval < 1 ? $"--log-interval must be at least 1, not {LogInterval}"
            : CheckpointEvery < 0 ? $"--checkpoint-every must be >= 0, not {CheckpointEvery}"
            : null;
        if (problem is not null) throw new PerplexException(problem);
    }
}
