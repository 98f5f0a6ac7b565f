namespace Perplex.NGram;

/// <summary>How the probabilities of an n-gram model are estimated from counts.</summary>
public enum Smoothing
{
    /// <summary>Interpolated modified Kneser-Ney, identical to KenLM's lmplz.</summary>
    KneserNey,
    /// <summary>Maximum likelihood: relative frequencies; unseen events get probability 0 (log10 -99).</summary>
    Mle,
    /// <summary>Add-k (Laplace for k = 1, Lidstone otherwise) on the longest context.</summary>
    AddK,
    /// <summary>Katz backoff with Good-Turing discounts.</summary>
    Katz,
    /// <summary>Stupid backoff (Brants et al. 2007): scores, not probabilities.</summary>
    StupidBackoff,
}

/// <summary>Settings for <see cref="NGramBuilder"/>; the defaults match <c>lmplz</c>.</summary>
public sealed record NGramBuildOptions
{
    /// <summary>Highest n-gram order (1 to <see cref="ModelState.MaxOrder"/>).</summary>
    public int Order { get; init; } = 3;

    /// <summary>The estimator.</summary>
    public Smoothing Smoothing { get; init; } = Smoothing.KneserNey;

    /// <summary>Treat <c>&lt;s&gt;</c>, <c>&lt;/s&gt;</c> and <c>&lt;unk&gt;</c> in the corpus as whitespace instead of refusing them.</summary>
    public bool SkipSymbols { get; init; }

    /// <summary>Discounts used for an order whose count-of-counts give invalid discounts; null = stop with an error.</summary>
    public Discount? DiscountFallback { get; init; }

    /// <summary>Memory for counting before sorted runs are spilled to <see cref="TempDirectory"/>.</summary>
    public long MemoryBytes { get; init; } = 1L << 30;

    /// <summary>Folder for spilled runs; the system temporary folder if null.</summary>
    public string? TempDirectory { get; init; }

    /// <summary>
    /// Count thresholds per order like <c>lmplz --prune</c>: n-grams of order i+1 whose raw count is at most
    /// <c>PruneThresholds[i]</c> are removed (the last value repeats for higher orders; unigrams are never pruned).
    /// </summary>
    public IReadOnlyList<long>? PruneThresholds { get; init; }

    /// <summary>k for add-k smoothing (1 = Laplace).</summary>
    public double AddK { get; init; } = 1.0;

    /// <summary>Backoff factor of stupid backoff.</summary>
    public double StupidBackoffAlpha { get; init; } = 0.4;
}

/// <summary>What a build saw and produced, in the terms of lmplz's log.</summary>
public sealed record NGramBuildReport
{
    /// <summary>Corpus lines read.</summary>
    public long Lines { get; init; }

    /// <summary>Words counted (no <c>&lt;/s&gt;</c>, no skipped symbols), lmplz's "Unigram tokens".</summary>
    public long Tokens { get; init; }

    /// <summary>Vocabulary size including <c>&lt;unk&gt;</c>, <c>&lt;s&gt;</c>, <c>&lt;/s&gt;</c>, lmplz's "types".</summary>
    public int Types { get; init; }

    /// <summary>N-grams per order in the model.</summary>
    public required long[] NGramCounts { get; init; }

    /// <summary>Kneser-Ney discounts per order (empty for other estimators).</summary>
    public required Discount[] Discounts { get; init; }

    /// <summary>Sorted runs written to the temporary folder while counting (0 = everything fit in memory).</summary>
    public int SpilledRuns { get; init; }
}
