namespace Perplex.NGram;

/// <summary>
/// Pinned probability and backoff arrays for a set of n-gram keys, wrapped as <see cref="NGramLevel"/>s whose hash
/// tables are ready before any value is filled in (estimators look up contexts while computing).
/// </summary>
internal sealed class ModelArrays
{
    public required NGramLevel[] Levels { get; init; }
    public required float[][] Prob { get; init; }
    /// <summary>Backoffs per order, zero-initialised; null for the highest order.</summary>
    public required float[]?[] Backoff { get; init; }

    public static ModelArrays Allocate(ulong[][] keys)
    {
        int order = keys.Length;
        var prob = new float[order][];
        var backoff = new float[]?[order];
        var levels = new NGramLevel[order];
        for (int k = 0; k < order; k++)
        {
            prob[k] = PinnedArray.Allocate<float>(keys[k].Length);
            if (k < order - 1)
            {
                backoff[k] = PinnedArray.Allocate<float>(keys[k].Length);
                Array.Clear(backoff[k]!);
            }
            levels[k] = NGramLevel.FromArrays(k + 1, keys[k], prob[k], backoff[k]);
        }
        return new ModelArrays { Levels = levels, Prob = prob, Backoff = backoff };
    }

    /// <summary>Stores log10 of <paramref name="probabilities"/>, capped at 0 like lmplz (rounding can go a hair above 1).</summary>
    public static void StoreLog10(ReadOnlySpan<double> probabilities, Span<float> log10)
    {
        for (int i = 0; i < probabilities.Length; i++) log10[i] = Math.Min(0f, (float)Math.Log10(probabilities[i]));
    }

    /// <inheritdoc cref="StoreLog10(ReadOnlySpan{double}, Span{float})"/>
    public static void StoreLog10(ReadOnlySpan<float> probabilities, Span<float> log10)
    {
        for (int i = 0; i < probabilities.Length; i++) log10[i] = Math.Min(0f, MathF.Log10(probabilities[i]));
    }
}
