using System.CommandLine;
using System.Diagnostics;
using Perplex.NGram;

namespace Perplex.Cli.Commands.NGram;

/// <summary>
/// <c>perplex ngram bench</c>: builds a model on a corpus and prints build CPU time, peak memory, n-gram counts,
/// ARPA load time, binary load time and query speed from the binary, next to KenLM's published figures.
/// </summary>
internal static class NGramBenchCommand
{
    public static Command Create()
    {
        var corpus = new Argument<string>("corpus") { Description = "Training text (or TSV with --tsv-column), e.g. ../shared/data/nsmc/reviews.tsv." };
        var order = new Option<int>("--order", "-o") { Description = "Order to build.", DefaultValueFactory = _ => 5 };
        var memory = new Option<string>("--memory", "-S") { Description = "Counting memory before spilling (like lmplz -S).", DefaultValueFactory = _ => "2G" };
        var tsvColumn = new Option<string?>("--tsv-column") { Description = "Use only this column of a TSV corpus with a header row (e.g. review)." };
        var temp = new Option<string?>("--temp", "-T") { Description = "Folder for the ARPA and binary files written during the benchmark (default: system temporary folder)." };
        var noArpa = new Option<bool>("--no-arpa") { Description = "Skip writing and loading the ARPA file (the slowest stages)." };
        var command = new Command("bench", "Benchmark n-gram build, ARPA load, binary load and query speed (figures, not a test); compares with KenLM's published numbers.")
        {
            corpus, order, memory, tsvColumn, temp, noArpa,
        };
        command.SetAction(result =>
        {
            var o = result.InvocationConfiguration.Output;
            string tempDir = result.GetValue(temp) ?? Path.GetTempPath();
            Directory.CreateDirectory(tempDir);
            using var tsv = TsvExtract.IfRequested(result.GetValue(corpus)!, result.GetValue(tsvColumn), tempDir);
            string text = tsv?.Path ?? result.GetValue(corpus)!;
            var options = new NGramBuildOptions
            {
                Order = result.GetValue(order),
                SkipSymbols = true,
                MemoryBytes = ByteSize.Parse(result.GetValue(memory)!, "--memory"),
                TempDirectory = tempDir,
            };
            string arpa = Path.Combine(tempDir, $"perplex-bench-{Environment.ProcessId}.arpa");
            string bin = Path.Combine(tempDir, $"perplex-bench-{Environment.ProcessId}.bin");
            try
            {
                var process = Process.GetCurrentProcess();
                o.WriteLine($"corpus {text} ({new FileInfo(text).Length / 1e6:F1} MB), order {options.Order}, -S {result.GetValue(memory)}");

                var stages = new StagePeaks(process);
                var (model, buildCpu, buildWall) = Measure(() => (BackoffModel)NGramBuilder.Build(text, options, out _, stages), process);
                stages.BeginStage("end", null, "");
                long peak = process.PeakWorkingSet64;
                o.WriteLine($"build: {buildCpu:F1} CPU-s, {buildWall:F1} s wall, peak working set {peak / 1048576.0:F0} MiB, " +
                            $"n-grams {string.Join(" / ", model.NGramCounts)} (total {model.NGramCounts.Sum():N0})");
                o.WriteLine($"peak working set reached by the end of each build stage: {stages}");

                bool withArpa = !result.GetValue(noArpa);
                var (_, binWriteCpu, _) = Measure(() => { NGramModelFile.Save(model, bin); return 0; }, process);
                process.Refresh();
                o.WriteLine($"write binary: {new FileInfo(bin).Length / 1e6:F0} MB in {binWriteCpu:F1} CPU-s " +
                            $"(peak working set so far {process.PeakWorkingSet64 / 1048576.0:F0} MiB: the probing tables are built while writing)");
                if (withArpa)
                {
                    var (_, arpaWriteCpu, _) = Measure(() => { ArpaWriter.Write(model, arpa); return 0; }, process);
                    o.WriteLine($"write ARPA: {new FileInfo(arpa).Length / 1e6:F0} MB in {arpaWriteCpu:F1} CPU-s; " +
                                $"build + ARPA write {buildCpu + arpaWriteCpu:F1} CPU-s (lmplz's published CPU time covers both)");
                }
                model = null!;
                GC.Collect();

                BackoffModel? fromArpa = null;
                if (withArpa)
                {
                    (fromArpa, double arpaLoadCpu, double arpaLoadWall) = Measure(() => ArpaReader.Read(arpa), process);
                    o.WriteLine($"ARPA load: {arpaLoadCpu:F1} CPU-s ({arpaLoadWall:F1} s wall)");
                }

                var (fromBin, binLoadCpu, binLoadWall) = Measure(() => (BackoffModel)NGramModelFile.Load(bin), process);
                o.WriteLine($"binary load: {binLoadWall * 1000:F0} ms wall ({binLoadCpu:F2} CPU-s)");

                var (summary, queryCpu, queryWall) = Measure(() => NGramQuery.Run(fromBin, text, TextWriter.Null, QueryOutput.Summary), process);
                o.WriteLine($"query (binary, whole corpus incl. reading and splitting text): {summary.Tokens:N0} tokens in {queryCpu:F1} CPU-s = " +
                            $"{summary.Tokens / queryCpu / 1e6:F2} M tokens per CPU-s ({summary.Tokens / queryWall / 1e6:F2} M/s wall); " +
                            $"perplexity {summary.PerplexityIncludingOovs:G8}");
                if (fromArpa is not null)
                    o.WriteLine($"the ARPA model gives perplexity {NGramQuery.Run(fromArpa, text, TextWriter.Null, QueryOutput.Summary).PerplexityIncludingOovs:G8}");
                fromBin.Dispose();
                o.WriteLine("KenLM 4cb443e on all NSMC reviews, order 5 (published in issue 3, NOT measured here; KenLM is not installed): " +
                            "lmplz -o 5 -S 2G 18.1 CPU-s, 533 MiB peak, 19M n-grams; query 1.0-1.5 M tokens/s on the probing binary; ARPA load ~14 CPU-s.");
            }
            finally
            {
                File.Delete(arpa);
                File.Delete(bin);
            }
            return 0;
        });
        return command;
    }

    /// <summary>Records the process's peak working set at every stage change, to show which stage sets the peak.</summary>
    private sealed class StagePeaks(Process process) : Perplex.Diagnostics.IProgressSink
    {
        private readonly List<string> _marks = new();
        private string? _stage;

        public void BeginStage(string name, long? total, string unit)
        {
            process.Refresh();
            if (_stage is not null) _marks.Add($"{_stage} {process.PeakWorkingSet64 / 1048576} MiB");
            _stage = name;
        }

        public void Advance(long amount) { }
        public void SetStatus(string status) { }
        public void Warn(string message) => Console.Error.WriteLine($"warning: {message}");
        public override string ToString() => string.Join(", ", _marks);
    }

    private static (T Value, double CpuSeconds, double WallSeconds) Measure<T>(Func<T> work, Process process)
    {
        process.Refresh();
        var cpu0 = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var value = work();
        clock.Stop();
        process.Refresh();
        return (value, (process.TotalProcessorTime - cpu0).TotalSeconds, clock.Elapsed.TotalSeconds);
    }
}
