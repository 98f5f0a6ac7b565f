namespace Perplex.Training;

/// <summary>
/// word_language_model's schedule: after each epoch, if the validation loss is the best so far the model is kept,
/// otherwise the learning rate is divided by <see cref="Factor"/> (4).
/// </summary>
public sealed class PlateauAnnealer
{
    /// <summary>Creates the schedule, optionally resuming with a known best loss.</summary>
    public PlateauAnnealer(double factor = 4, double? bestLoss = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(factor, 1);
        Factor = factor;
        BestLoss = bestLoss;
    }

    /// <summary>The divisor applied to the learning rate on a plateau.</summary>
    public double Factor { get; }

    /// <summary>The best validation loss seen, or null before the first epoch.</summary>
    public double? BestLoss { get; private set; }

    /// <summary>
    /// Records an epoch's validation loss; returns true if it is a new best (save the model), otherwise returns
    /// false and divides <paramref name="learningRate"/> by <see cref="Factor"/>.
    /// </summary>
    public bool Observe(double validLoss, ref double learningRate)
    {
        if (BestLoss is null || validLoss < BestLoss)
        {
            BestLoss = validLoss;
            return true;
        }
        learningRate /= Factor;
        return false;
    }
}
