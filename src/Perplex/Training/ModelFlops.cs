using Perplex.Models;

namespace Perplex.Training;

/// <summary>
/// Floating-point operations of one training token, counting the matrix products only (they are > 90 % of the work):
/// forward, plus backward's two products per forward product (gradient of the input and of the weight), so 3× forward.
/// This is the count model FLOP utilization is measured against, the same for Perplex and PyTorch.
/// </summary>
public static class ModelFlops
{
    /// <summary>Forward FLOPs of one token: 2·(inputs·outputs) for every weight matrix it goes through.</summary>
    public static double ForwardPerToken(LanguageModelConfig c)
    {
        double decoder = 2.0 * c.HiddenSize * c.VocabSize;
        if (!c.IsRecurrent) return 2.0 * c.Window * c.EmbeddingSize * c.HiddenSize + decoder;
        int gates = c.Kind switch { ModelKind.Lstm => 4, ModelKind.Gru => 3, _ => 1 };
        double total = decoder;
        for (int layer = 0; layer < c.Layers; layer++)
        {
            int input = layer == 0 ? c.EmbeddingSize : c.HiddenSize;
            total += 2.0 * gates * c.HiddenSize * (input + c.HiddenSize); // W_ih x and W_hh h
        }
        return total;
    }

    /// <summary>Forward and backward FLOPs of one training token (3× forward).</summary>
    public static double TrainingPerToken(LanguageModelConfig c) => 3 * ForwardPerToken(c);
}
