using System.Diagnostics;
using System.Globalization;
using Perplex.Tensors;

namespace Perplex.Cli.Commands;

/// <summary>
/// One thread against several in the same process, in alternating blocks of about a second. On a shared 2-core
/// machine the load of the host drifts by ±10 % over tens of seconds; two separate runs then measure different
/// conditions, while neighbouring blocks see nearly the same.
/// </summary>
internal static class ThreadComparison
{
    /// <summary>Wall time and CPU time of one block of training steps at one thread count.</summary>
    public readonly record struct Block(int Threads, int Steps, double WallSeconds, double CpuSeconds);

    /// <summary>
    /// Alternates blocks of about <paramref name="blockSeconds"/> (whole steps) on 1 and <paramref name="threads"/> threads,
    /// starting on one thread and ending after a pair, until each setting has run <paramref name="seconds"/>.
    /// </summary>
    public static List<Block> Measure(Action step, int threads, double seconds, double blockSeconds = 1.0)
    {
        var blocks = new List<Block>();
        var process = Process.GetCurrentProcess();
        double[] spent = new double[2];
        for (int turn = 0; spent[0] < seconds || spent[1] < seconds || turn % 2 == 1; turn++)
        {
            int t = turn % 2 == 0 ? 1 : threads;
            Parallelism.MaxThreads = t;
            process.Refresh();
            var cpu0 = process.TotalProcessorTime;
            var wall = Stopwatch.StartNew();
            int steps = 0;
            while (wall.Elapsed.TotalSeconds < blockSeconds)
            {
                step();
                steps++;
            }
            double wallSeconds = wall.Elapsed.TotalSeconds;
            process.Refresh();
            blocks.Add(new Block(t, steps, wallSeconds, (process.TotalProcessorTime - cpu0).TotalSeconds));
            spent[turn % 2] += wallSeconds;
        }
        Parallelism.MaxThreads = threads;
        return blocks;
    }

    /// <summary>Rates of both settings over all their blocks, and the ratio per pair of neighbouring blocks.</summary>
    public static void Print(TextWriter o, List<Block> blocks, int threads, double tokensPerStep, double flopsPerToken, double peakGflops)
    {
        var inv = CultureInfo.InvariantCulture;
        double Rate(IEnumerable<Block> b) => b.Sum(x => x.Steps) * tokensPerStep / b.Sum(x => x.WallSeconds);
        var one = blocks.Where(b => b.Threads == 1).ToList();
        var many = blocks.Where(b => b.Threads == threads).ToList();
        double oneRate = Rate(one), manyRate = Rate(many);
        double Mfu(double rate, int cores) => 100 * rate * flopsPerToken / 1e9 / (cores * peakGflops);
        double Cores(List<Block> b) => b.Sum(x => x.CpuSeconds) / b.Sum(x => x.WallSeconds);
        var pairs = new List<double>();
        for (int i = 0; i + 1 < blocks.Count; i += 2)
            pairs.Add(blocks[i + 1].Steps / blocks[i + 1].WallSeconds / (blocks[i].Steps / blocks[i].WallSeconds));
        pairs.Sort();
        double median = pairs.Count % 2 == 1 ? pairs[pairs.Count / 2] : (pairs[pairs.Count / 2 - 1] + pairs[pairs.Count / 2]) / 2;
        o.WriteLine(string.Create(inv, $"alternating blocks: {one.Count} on 1 thread, {many.Count} on {threads} threads"));
        o.WriteLine(string.Create(inv, $"1 thread: {oneRate:F1} tokens/s, model FLOP utilization {Mfu(oneRate, 1):F1} % of 1 core ({Cores(one):F2} cores used)"));
        o.WriteLine(string.Create(inv, $"{threads} threads: {manyRate:F1} tokens/s, model FLOP utilization {Mfu(manyRate, threads):F1} % of {threads} cores ({Cores(many):F2} cores used)"));
        o.WriteLine(string.Create(inv, $"{threads} threads ÷ 1 thread: {manyRate / oneRate:F3}x over all blocks; per pair of neighbouring blocks: " +
            $"lowest {pairs[0]:F2}, median {median:F2}, highest {pairs[^1]:F2}"));
    }
}
