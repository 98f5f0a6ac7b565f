namespace Perplex.NGram;

/// <summary>
/// Pinned probability and backoff arrays for a set of n-gram keys, wrapped as <see cref="NGramLevel"/>s. Their hash
/// tables are built on first lookup (estimators look up contexts while computing) and may be dropped by an estimator
/// once it is done with an order, so that at most one order's table exists while its temporaries do.
/// </summary>
internal sealed class ModelArrays
{
    public required NGramLevel[] Levels { get; init; }
    /// <summary>Backoffs per order, zero-initialised; null for the highest order.</summary>
    public required float[]?[] Backoff { get; init; }
    /// <summary>Per order, the pinned array holding the log10 probabilities (float[], or a reused int[]).</summary>
    public required Array[] ProbStorage { get; init; }

    /// <summary>The log10 probabilities of order <paramref name="k"/>+1.</summary>
    public Span<float> Prob(int k) => ProbStorage[k] switch
    {
        float[] f => f,
        int[] i => System.Runtime.InteropServices.MemoryMarshal.Cast<int, float>(i.AsSpan()),
        _ => throw new InvalidOperationException(),
    };

    /// <param name="keys">The n-gram keys per order.</param>
    /// <param name="reuse">Optional pinned count arrays (one per order, same lengths as the keys) whose memory becomes
    /// the probability arrays: an estimator that reads count i before writing probability i needs no second array.</param>
    public static unsafe ModelArrays Allocate(ulong[][] keys, int[][]? reuse = null)
    {
        int order = keys.Length;
        var storage = new Array[order];
        var backoff = new float[]?[order];
        var levels = new NGramLevel[order];
        for (int k = 0; k < order; k++)
        {
            float* prob;
            if (reuse is not null)
            {
                if (reuse[k].Length != keys[k].Length) throw new InvalidOperationException("count and key arrays differ in length");
                storage[k] = reuse[k];
                prob = (float*)PinnedArray.Pointer(reuse[k]);
            }
            else
            {
                var p = PinnedArray.Allocate<float>(keys[k].Length);
                storage[k] = p;
                prob = PinnedArray.Pointer(p);
            }
            if (k < order - 1)
            {
                backoff[k] = PinnedArray.Allocate<float>(keys[k].Length);
                Array.Clear(backoff[k]!);
            }
            levels[k] = new NGramLevel(k + 1, keys[k].Length, PinnedArray.Pointer(keys[k]), prob,
                backoff[k] is { } b ? PinnedArray.Pointer(b) : null, null, 0,
                new object[] { keys[k], storage[k], backoff[k] ?? [] });
        }
        return new ModelArrays { Levels = levels, Backoff = backoff, ProbStorage = storage };
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
