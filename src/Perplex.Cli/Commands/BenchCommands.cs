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
            var peak = MachinePeak.Measure(n, result.GetValue(seconds));
            o.WriteLine($"FMA peak, {peak.VectorBits}-bit vectors, {n} thread(s): {peak.GflopsPerCpuSecond:F1} GFLOP per CPU-second (one core), " +
                        $"{peak.WallGflops:F1} GFLOP/s wall (all threads)");
            return 0;
        });
        return command;
    }

    private static Command CreateGemm()
    {
        var threads = CreateThreadsOption();
        var seconds = CreateSecondsOption(2, "How long to time each shape.");
        var command = new Command("gemm", "Time the float32 GEMM on language-model shapes against this machine's measured FMA peak.")
        {
            threads, seconds,
        };
        command.SetAction(result =>
        {
            var o = result.InvocationConfiguration.Output;
            int n = CheckedThreads(result.GetValue(threads));
            double budget = result.GetValue(seconds);
            if (!(budget > 0)) throw new PerplexException($"--seconds must be positive, got {budget}");
            Parallelism.MaxThreads = n;

            var peak = MachinePeak.Measure(1, Math.Min(2, budget));
            o.WriteLine($"FMA peak of one core ({peak.VectorBits}-bit): {peak.GflopsPerCpuSecond:F1} GFLOP per CPU-second; " +
                        $"{n} thread(s): peak {n * peak.GflopsPerCpuSecond:F1} GFLOP/s");
            o.WriteLine($"{"shape",-48} {"calls",6} {"GFLOP/s",8} {"best",8} {"/CPU-s",8} {"%peak",6} {"alloc B",7}");
            foreach (var shape in GemmBenchmark.LanguageModelShapes)
            {
                var t = GemmBenchmark.Measure(shape, n, budget);
                // % of peak: CPU-time rate against one core's peak, so time the OS gave to other processes does not count
                double percent = 100 * t.GflopsPerCpuSecond / peak.GflopsPerCpuSecond;
                o.WriteLine($"{shape.Name,-48} {t.Calls,6} {t.MedianGflops,8:F1} {t.BestGflops,8:F1} {t.GflopsPerCpuSecond,8:F1} {percent,5:F0}% {t.BytesAllocated,7}");
            }
            o.WriteLine("GFLOP/s: median wall-clock rate of one call; best: fastest call; /CPU-s: GFLOP per CPU-second of the process " +
                        "over all calls; %peak: /CPU-s against one core's FMA peak; alloc B: bytes the calling thread allocated over all timed calls.");
            return 0;
        });
        return command;
    }

    private static int CheckedThreads(int threads)
        => threads >= 1 ? threads : throw new PerplexException($"--threads must be at least 1, got {threads}");
}
