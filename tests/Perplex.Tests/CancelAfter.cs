using Perplex.Diagnostics;

namespace Perplex.Tests;

/// <summary>A progress sink that cancels a run once the trainer has reported <paramref name="amount"/> units of
/// progress (tokens for a language model, examples for a tagger or classifier).</summary>
internal sealed class CancelAfter(long amount, CancellationTokenSource source) : IProgressSink
{
    private long _seen;

    public void BeginStage(string name, long? total, string unit) { }

    public void Advance(long step)
    {
        if ((_seen += step) >= amount) source.Cancel();
    }

    public void SetStatus(string status) { }

    public void Warn(string message) { }
}
