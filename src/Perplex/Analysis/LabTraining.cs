using Perplex.Models;
using Perplex.Training;

namespace Perplex.Analysis;

/// <summary>One point of a lab training curve.</summary>
/// <param name="Step">Number of updates so far.</param>
/// <param name="Loss">Mean training cross-entropy (nats per token) of that update's chunk.</param>
public readonly record struct LossPoint(int Step, double Loss);

/// <summary>
/// The short, fixed-budget training runs of the vanishing-gradient lab: truncated BPTT over B streams with the
/// state carried, global-norm clipping and SGD, for a given number of updates. (Full training with validation,
/// checkpoints and annealing is the <c>perplex train</c> command's job.)
/// </summary>
public static class LabTraining
{
    /// <summary>
    /// Trains <paramref name="model"/> for <paramref name="updates"/> chunks of <paramref name="bptt"/> tokens over
    /// <paramref name="batch"/> streams of <paramref name="tokens"/> (cycling through the text) and returns the loss
    /// of every update. Stops early, returning what it has, if the loss stops being finite.
    /// </summary>
    public static List<LossPoint> Train(RecurrentLanguageModel<float> model, ReadOnlySpan<int> tokens, int updates,
        int bptt = 35, int batch = 16, double learningRate = 1, double clip = 0.25, Action<int, double>? onUpdate = null)
    {
        var batches = new TokenBatches(tokens, batch);
        if (batches.Rows < 2) throw new PerplexException($"the text has too few tokens ({tokens.Length}) for {batch} streams");
        var optimizer = new Sgd<float>(model.Parameters, learningRate);
        var curve = new List<LossPoint>(updates);
        model.Training = true;
        model.ResetState(batch);
        int start = 0;
        for (int u = 1; u <= updates; u++)
        {
            if (start >= batches.Rows - 1)
            {
                start = 0;
                model.ResetState(batch);
            }
            var (input, target, length) = batches.GetBatch(start, bptt);
            start += length;
            optimizer.ZeroGrad();
            double loss = model.ForwardBackward(input.Span, target.Span, length, batch);
            if (!double.IsFinite(loss)) break;
            GradientClipping.ClipGlobalNorm(model.Parameters, clip);
            optimizer.Step();
            curve.Add(new LossPoint(u, loss));
            onUpdate?.Invoke(u, loss);
        }
        return curve;
    }
}
