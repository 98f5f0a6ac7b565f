using System.CommandLine;
using Perplex.NGram;

namespace Perplex.Cli.Commands.NGram;

/// <summary><c>perplex ngram build</c>: count a corpus and estimate a model, like <c>lmplz</c>.</summary>
internal static class NGramBuildCommand
{
    public static Command Create()
    {
        var corpus = new Argument<string>("corpus") { Description = "Training text, one sentence per line, words separated by spaces; '-' reads standard input." };
        var order = new Option<int>("--order", "-o") { Description = "Highest n-gram order (1 to 8), like lmplz -o.", Required = true };
        var output = new Option<string>("--output") { Description = "Model file to write: a name ending in .arpa writes ARPA text, anything else (e.g. .bin) the memory-mapped binary format.", Required = true };
        var smoothing = new Option<string>("--smoothing") { Description = "Estimator: kn (interpolated modified Kneser-Ney, identical to lmplz), mle, addk, katz, or stupid (stupid backoff: scores, not probabilities).", DefaultValueFactory = _ => "kn" };
        smoothing.AcceptOnlyFromAmong("kn", "mle", "addk", "katz", "stupid");
        var k = new Option<double>("--k") { Description = "The k of add-k smoothing (1 = Laplace; smaller = Lidstone).", DefaultValueFactory = _ => 1.0 };
        var alpha = new Option<double>("--alpha") { Description = "Backoff factor of stupid backoff.", DefaultValueFactory = _ => 0.4 };
        var skip = new Option<bool>("--skip-symbols") { Description = "Treat <s>, </s> and <unk> found in the corpus as whitespace (lmplz --skip_symbols); without it they are an error." };
        var fallback = new Option<bool>("--discount-fallback") { Description = "When an order's count-of-counts give invalid Kneser-Ney discounts (small or artificial corpora), use fixed discounts with a warning instead of stopping (lmplz --discount_fallback)." };
        var fallbackValues = new Option<float[]>("--fallback-discounts")
        {
            Description = "The D1 D2 D3+ used by --discount-fallback (default 0.5 1 1.5).",
            Arity = new ArgumentArity(3, 3),
            AllowMultipleArgumentsPerToken = true,
        };
        var prune = new Option<long[]>("--prune")
        {
            Description = "Count thresholds per order, like lmplz --prune: n-grams of order i whose count is at most the i-th value are removed (e.g. 0 1 1; the last value repeats; unigrams cannot be pruned). Kneser-Ney only.",
            AllowMultipleArgumentsPerToken = true,
        };
        var memory = new Option<string>("--memory", "-S") { Description = "Memory for counting before sorted runs spill to --temp (e.g. 2G, 512M, 80%), like lmplz -S.", DefaultValueFactory = _ => "1G" };
        var temp = new Option<string?>("--temp", "-T") { Description = "Folder for spilled sorted runs (default: the system temporary folder), like lmplz -T." };
        var binary = new BinaryOutputOptions();
        var tsvColumn = new Option<string?>("--tsv-column") { Description = "Read the corpus as a TSV file with a header row and use only this column (e.g. review)." };
        var command = new Command("build", "Count n-grams in a corpus and estimate a model (lmplz-compatible Kneser-Ney by default).")
        {
            corpus, order, output, smoothing, k, alpha, skip, fallback, fallbackValues, prune, memory, temp, tsvColumn, binary.Quantize, binary.Layout,
        };
        command.SetAction(result =>
        {
            var o = result.InvocationConfiguration.Output;
            string outPath = result.GetValue(output)!;
            var (quantize, probing) = binary.Resolve(result); // before the build, so conflicting flags fail at once
            var given = result.GetResult(fallbackValues) is null ? null : result.GetValue(fallbackValues);
            if (given is not null && !result.GetValue(fallback)) throw new PerplexException("--fallback-discounts needs --discount-fallback");
            Discount? fallbackDiscount = !result.GetValue(fallback) ? null
                : given is { Length: 3 } v ? new Discount(v[0], v[1], v[2]) : Discount.DefaultFallback;
            var options = new NGramBuildOptions
            {
                Order = result.GetValue(order),
                Smoothing = result.GetValue(smoothing) switch
                {
                    "mle" => Smoothing.Mle,
                    "addk" => Smoothing.AddK,
                    "katz" => Smoothing.Katz,
                    "stupid" => Smoothing.StupidBackoff,
                    _ => Smoothing.KneserNey,
                },
                AddK = result.GetValue(k),
                StupidBackoffAlpha = result.GetValue(alpha),
                SkipSymbols = result.GetValue(skip),
                DiscountFallback = fallbackDiscount,
                PruneThresholds = result.GetValue(prune),
                MemoryBytes = ByteSize.Parse(result.GetValue(memory)!, "--memory"),
                TempDirectory = result.GetValue(temp),
            };
            if (options.Smoothing == Smoothing.AddK && NGramModelFile.IsArpaPath(outPath))
                throw new PerplexException("add-k models cannot be written as ARPA; use an output name ending in .bin");
            string corpusPath = result.GetValue(corpus)!;
            bool quiet = result.GetValue(CommonOptions.Quiet);
            NGramBuildReport report = null!;
            ConsoleProgress.Run(quiet, sink =>
            {
                using var tsv = TsvExtract.IfRequested(corpusPath, result.GetValue(tsvColumn), options.TempDirectory);
                var model = NGramBuilder.Build(tsv?.Path ?? corpusPath, options, out report, sink);
                NGramModelFile.Save(model, outPath, sink, quantize, probing);
                return 0;
            });
            NGramReportPrinter.PrintBuild(o, report, outPath);
            return 0;
        });
        return command;
    }
}
