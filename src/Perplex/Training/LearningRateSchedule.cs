namespace Perplex.Training;

/// <summary>How the learning rate of a tagger or classifier run changes (<c>--lr-schedule</c>).</summary>
public enum LearningRateSchedule
{
    /// <summary>Constant, divided by the decay factor after every epoch that does not improve validation
    /// (PyTorch's <c>ReduceLROnPlateau</c> with patience 0).</summary>
    Plateau,

    /// <summary>Falls in a straight line from the initial rate to zero over the run (PyTorch's <c>LinearLR</c> with
    /// end factor 0).</summary>
    Linear,

    /// <summary>Falls along half a cosine from the initial rate to zero over the run (PyTorch's <c>CosineAnnealingLR</c>
    /// with η_min 0).</summary>
    Cosine,
}

/// <summary>The learning rates of the schedules that follow the run's progress.</summary>
public static class LearningRateSchedules
{
    /// <summary>
    /// The multiplier of the initial learning rate once <paramref name="done"/> (0…1) of the run is over. A run's progress
    /// is the larger of its steps taken over the steps of all its epochs and its time spent over its time limit, so a
    /// run that the time limit will end anneals to zero by that limit instead of stopping at a high rate: with a fixed
    /// budget, ending the schedule where the budget ends is what works best (Li et al., 2020, "Budgeted Training").
    /// <see cref="LearningRateSchedule.Plateau"/> has no such multiplier (1).
    /// </summary>
    public static double Multiplier(LearningRateSchedule schedule, double done)
    {
        done = Math.Clamp(done, 0, 1);
        return schedule switch
        {
            LearningRateSchedule.Linear => 1 - done,
            LearningRateSchedule.Cosine => 0.5 * (1 + Math.Cos(Math.PI * done)),
            _ => 1,
        };
    }

    /// <summary>The names accepted on the command line.</summary>
    public static readonly string[] Names = ["plateau", "linear", "cosine"];

    /// <summary>Parses a <c>--lr-schedule</c> value (plateau, linear, cosine).</summary>
    public static LearningRateSchedule Parse(string name) => name.ToLowerInvariant() switch
    {
        "plateau" => LearningRateSchedule.Plateau,
        "linear" => LearningRateSchedule.Linear,
        "cosine" => LearningRateSchedule.Cosine,
        _ => throw new PerplexException($"unknown learning-rate schedule '{name}' (plateau, linear or cosine)"),
    };
}
