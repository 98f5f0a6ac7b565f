using System.CommandLine;
using Perplex.Tensors;

namespace Perplex.Cli.Commands;

/// <summary><c>perplex bench fma|gemm</c>: speed figures of this machine and of the tensor engine.</summary>
internal static class BenchCommands
{
    /// <summary>--threads, shared by the bench subcommands; it also sets <see cref="Parallelism.MaxThreads"/>.</summary>
    public static Option<int> CreateThreadsOption() => new("--threads")
    {
        Description = "Threads the engine may use (the FMA peak is measured per core either way).",
        DefaultValueFactory = _ => 1,
    };

    /// <summary>--seconds, shared by the bench subcommands.</summary>
    public static Option<double> CreateSecondsOption(double fallback, string what) => new("--seconds")
    {
        Description = what,
        DefaultValueFactory = _ => fallback,
    };

    public static Command Create()
    {
        var bench = new Command("bench", "Measure this machine's FMA peak and the engine's speed (figures, not tests).");
        bench.Subcommands.Add(CreateFma());
        bench.Subcommands.Add(CreateGemm());
        bench.Subcommands.Add(BenchLmCommand.Create());
        return bench;
    }

    private static Command CreateFma()
    {
        var threads = CreateThreadsOption();
        var seconds = CreateSecondsOption(2, "How long to run the FMA chains.");
        var command = new Command("fma", "Measure the float32 FMA peak: independent FMA chains on the widest vectors, per core and per CPU-second.")
        {
            threads, seconds,
        };
        command.SetAction(result =>
        {
            var o = result.InvocationConfiguration.Output;
            int n = CheckedThreads(result.GetValue(threads));
            var peak = MachinePeak.MeasureBest(n, result.GetValue(seconds));
            o.WriteLine($"FMA peak, {peak.VectorBits}-bit vectors, {n} thread(s), best of 5 runs: {peak.GflopsPerCpuSecond:F1} GFLOP per CPU-second (one core), " +
                        $"{peak.WallGflops:F1} GFLOP/s wall (all threads)");
            return 0;
        });
        return command;
    }

    private static Command CreateGemm()
    {
        var threads = CreateThreadsOption();
        var seconds = CreateSecondsOption(2, "How long to time each shape.");
        var only = new Option<string?>("--only") { Description = "Time only the shapes whose name contains this text (e.g. H=200)." };
        var command = new Command("gemm", "Time the float32 GEMM on language-model shapes against this machine's measured FMA peak.")
        {
            threads, seconds, only,
        };
        command.SetAction(result =>
        {
            var o = result.InvocationConfiguration.Output;
            int n = CheckedThreads(result.GetValue(threads));
            double budget = result.GetValue(seconds);
            if (!(budget > 0)) throw new PerplexException($"--seconds must be positive, got {budget}");
            Parallelism.MaxThreads = n;

            var before = MachinePeak.MeasureBest(1, 2);
            o.WriteLine($"FMA peak of one core ({before.VectorBits}-bit, best of 5 runs): {before.GflopsPerCpuSecond:F1} GFLOP per CPU-second");
            o.WriteLine($"{"shape",-48} {"calls",6} {"GFLOP/s",8} {"best",8} {"/CPU-s",8} {"%peak",6} {"%wall",6} {"alloc B",7}");
            var timings = GemmBenchmark.LanguageModelShapes
                .Where(shape => result.GetValue(only) is not { } text || shape.Name.Contains(text, StringComparison.OrdinalIgnoreCase))
                .Select(shape => GemmBenchmark.Measure(shape, n, budget)).ToList();
            var after = MachinePeak.MeasureBest(1, 2);
            double peak = Math.Max(before.GflopsPerCpuSecond, after.GflopsPerCpuSecond);
            foreach (var t in timings)
            {
                // % of peak: CPU-time rate against one core's peak, so time the OS gave to other processes does not count
                double percent = 100 * t.GflopsPerCpuSecond / peak;
                double wallPercent = 100 * t.MedianGflops / (n * peak);
                o.WriteLine($"{t.Shape.Name,-48} {t.Calls,6} {t.MedianGflops,8:F1} {t.BestGflops,8:F1} {t.GflopsPerCpuSecond,8:F1} {percent,5:F0}% {wallPercent,5:F0}% {t.BytesAllocated,7}");
            }
            o.WriteLine($"FMA peak measured again after the shapes: {after.GflopsPerCpuSecond:F1}; %peak uses the higher, {peak:F1} GFLOP per CPU-second " +
                        $"({n} thread(s): {n * peak:F1} GFLOP/s).");
            o.WriteLine("GFLOP/s: median wall-clock rate of one call; best: fastest call; /CPU-s: GFLOP per CPU-second of the process " +
                        "over all calls; %peak: /CPU-s against one core's FMA peak; %wall: GFLOP/s against the threads' combined peak; alloc B: bytes the calling thread allocated over all timed calls.");
            return 0;
        });
        return command;
    }

    private static int CheckedThreads(int threads)
        => threads >= 1 ? threads : throw new PerplexException($"--threads must be at least 1, got {threads}");
}
