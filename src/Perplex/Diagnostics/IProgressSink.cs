namespace Perplex.Diagnostics;

/// <summary>
/// Receives progress from long operations (counting, training, writing). The library never draws anything;
/// the command line turns these calls into a progress bar, and <see cref="NullProgress"/> ignores them.
/// </summary>
public interface IProgressSink
{
    /// <summary>A new stage begins, e.g. "counting". <paramref name="total"/> is in <paramref name="unit"/>s, or null if unknown.</summary>
    void BeginStage(string name, long? total, string unit);

    /// <summary>The current stage has advanced by <paramref name="amount"/> units.</summary>
    void Advance(long amount);

    /// <summary>Replaces the status text shown next to the current stage (e.g. "loss 5.12 ppl 167").</summary>
    void SetStatus(string status);

    /// <summary>A warning the user should read (printed even when progress is hidden).</summary>
    void Warn(string message);
}

/// <summary>Progress sink that ignores progress but still writes warnings to standard error.</summary>
public sealed class NullProgress : IProgressSink
{
    /// <summary>The shared instance.</summary>
    public static readonly NullProgress Instance = new();

    /// <inheritdoc />
    public void BeginStage(string name, long? total, string unit) { }

    /// <inheritdoc />
    public void Advance(long amount) { }

    /// <inheritdoc />
    public void SetStatus(string status) { }

    /// <inheritdoc />
    public void Warn(string message) => Console.Error.WriteLine($"warning: {message}");
}
