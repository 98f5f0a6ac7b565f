using Perplex.Diagnostics;

namespace Perplex.NGram;

/// <summary>Builds an n-gram model from a text corpus (one sentence per line, words separated by whitespace).</summary>
public static class NGramBuilder
{
    /// <summary>
    /// Counts <paramref name="corpusPath"/> ("-" = standard input) and estimates a model with <paramref name="options"/>.
    /// Progress stages: counting, adjusting, discounting, estimating.
    /// </summary>
    public static ILanguageModel Build(string corpusPath, NGramBuildOptions options, out NGramBuildReport report, IProgressSink? progress = null)
    {
        progress ??= NullProgress.Instance;
        if (options.Order < 1 || options.Order > ModelState.MaxOrder)
            throw new PerplexException($"--order must be between 1 and {ModelState.MaxOrder}, got {options.Order}");
        string temp = options.TempDirectory ?? Path.GetTempPath();
        CountTrie counts;
        CorpusCounter.Result counted;
        using (var counter = new NGramRunCounter(options.Order, options.MemoryBytes, temp))
        {
            counted = CorpusCounter.Count(corpusPath, options, counter, progress);
            progress.BeginStage("adjusting", null, "n-grams");
            MemoryRelease.Now(); // the counting hash table is garbage once the counts are sorted
            using var grams = counted.Grams;
            bool needRaw = options.Smoothing != Smoothing.KneserNey || options.PruneThresholds is { Count: > 0 };
            counts = AdjustedCounter.Run(grams, options.Order, counted.Vocabulary.Count, needRaw);
        }
        // The counting table is garbage now; collect it before estimation allocates, to keep the peak low.
        MemoryRelease.Now();
        progress.BeginStage("discounting", null, "orders");
        Discount[] discounts = [];
        var pruned = Pruning.Mark(counts, options.PruneThresholds);
        if (pruned is not null && options.Smoothing != Smoothing.KneserNey)
            throw new PerplexException("--prune is only supported with --smoothing kn");
        if (options.Smoothing == Smoothing.KneserNey)
            discounts = Discount.EstimateAll(counts.Stats, options.DiscountFallback, progress);
        progress.BeginStage("estimating", null, "orders");
        var vocab = counted.Vocabulary;
        ILanguageModel model = options.Smoothing switch
        {
            Smoothing.KneserNey => KneserNeyEstimator.Estimate(counts, discounts, vocab, pruned),
            Smoothing.Mle => CountBasedEstimators.Mle(counts, vocab),
            Smoothing.Katz => CountBasedEstimators.Katz(counts, vocab, progress),
            Smoothing.StupidBackoff => CountBasedEstimators.Stupid(counts, vocab, options.StupidBackoffAlpha),
            Smoothing.AddK => AddKModel.FromCounts(counts, vocab, options.AddK),
            _ => throw new PerplexException($"unknown smoothing {options.Smoothing}"),
        };
        report = new NGramBuildReport
        {
            Lines = counted.Lines,
            Tokens = counted.Tokens,
            Types = counted.Vocabulary.Count,
            NGramCounts = model is BackoffModel b ? b.NGramCounts : counts.Stats.Total.ToArray(),
            Discounts = discounts,
            SpilledRuns = counted.SpilledRuns,
        };
        return model;
    }
}
