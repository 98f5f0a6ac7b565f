using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Perplex.Tensors;

/// <summary>What one FMA-peak measurement found.</summary>
/// <param name="Threads">Threads that ran FMA chains at the same time.</param>
/// <param name="VectorBits">Width of the vectors used (512, 256, or 32 for scalar).</param>
/// <param name="GflopsPerCpuSecond">float GFLOP per CPU-second: one core's peak, unaffected by time the OS gave to others.</param>
/// <param name="WallGflops">float GFLOP per wall-clock second of all threads together.</param>
public readonly record struct FmaPeak(int Threads, int VectorBits, double GflopsPerCpuSecond, double WallGflops);

/// <summary>
/// Measures this machine's float32 FMA peak the way the model-FLOP-utilization figures need it: twelve independent
/// chains of fused multiply-adds per thread (enough to cover the FMA latency on every port), on the widest
/// vectors the hardware accelerates, timed both in wall-clock time and in CPU time of the process.
/// </summary>
public static class MachinePeak
{
    private const int Chains = 12;
    private const int IterationsPerBatch = 1 << 16;

    /// <summary>
    /// One core's float32 FMA peak in GFLOP per CPU-second: the best of several short runs on
    /// <paramref name="threads"/> threads within about <paramref name="seconds"/>. On a shared machine other work can
    /// only slow the chains down (a core's FMA units may be shared with a hyper-thread sibling), so the best run is
    /// the closest to the hardware's peak, and utilisation figures against it err on the modest side.
    /// </summary>
    public static double MeasureFmaGflops(int threads, double seconds = 1.0) => MeasureBest(threads, seconds).GflopsPerCpuSecond;

    /// <summary>The run with the highest per-CPU-second rate among <paramref name="rounds"/> runs sharing <paramref name="seconds"/>.</summary>
    public static FmaPeak MeasureBest(int threads, double seconds = 1.0, int rounds = 5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 1);
        FmaPeak best = default;
        for (int r = 0; r < rounds; r++)
        {
            var run = Measure(threads, seconds / rounds);
            if (run.GflopsPerCpuSecond > best.GflopsPerCpuSecond) best = run;
        }
        return best;
    }

    /// <summary>Runs FMA chains on <paramref name="threads"/> threads for about <paramref name="seconds"/> and reports both rates.</summary>
    public static FmaPeak Measure(int threads, double seconds = 1.0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        Chain(1); // compile before timing
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpuStart = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        var batches = new long[threads];
        var workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            int index = t;
            workers[t] = new Thread(() =>
            {
                var clock = Stopwatch.StartNew();
                while (clock.Elapsed.TotalSeconds < seconds)
                {
                    Chain(IterationsPerBatch);
                    batches[index]++;
                }
            }) { IsBackground = true };
            workers[t].Start();
        }
        foreach (var w in workers) w.Join();
        double wallSeconds = wall.Elapsed.TotalSeconds;
        process.Refresh();
        double cpuSeconds = (process.TotalProcessorTime - cpuStart).TotalSeconds;
        double flops = batches.Sum() * (double)IterationsPerBatch * FlopsPerIteration;
        return new FmaPeak(threads, VectorBits, flops / cpuSeconds / 1e9, flops / wallSeconds / 1e9);
    }

    private static int VectorBits => Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : 32;

    private static double FlopsPerIteration => 2.0 * Chains * (VectorBits == 32 ? 1 : VectorBits / 32);

    /// <summary>Keeps the chains' results observable so the JIT cannot drop them.</summary>
    private static float sink;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Chain(int iterations)
    {
        if (Vector512.IsHardwareAccelerated) sink += Chain512(iterations);
        else if (Vector256.IsHardwareAccelerated) sink += Chain256(iterations);
        else sink += ChainScalar(iterations);
    }

    private static float Chain512(int iterations)
    {
        var x = Vector512.Create(0.999999f);
        var y = Vector512.Create(1e-7f);
        Vector512<float> a0 = x, a1 = x, a2 = x, a3 = x, a4 = x, a5 = x, a6 = x, a7 = x, a8 = x, a9 = x, a10 = x, a11 = x;
        for (int i = 0; i < iterations; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, x, y); a1 = Vector512.FusedMultiplyAdd(a1, x, y);
            a2 = Vector512.FusedMultiplyAdd(a2, x, y); a3 = Vector512.FusedMultiplyAdd(a3, x, y);
            a4 = Vector512.FusedMultiplyAdd(a4, x, y); a5 = Vector512.FusedMultiplyAdd(a5, x, y);
            a6 = Vector512.FusedMultiplyAdd(a6, x, y); a7 = Vector512.FusedMultiplyAdd(a7, x, y);
            a8 = Vector512.FusedMultiplyAdd(a8, x, y); a9 = Vector512.FusedMultiplyAdd(a9, x, y);
            a10 = Vector512.FusedMultiplyAdd(a10, x, y); a11 = Vector512.FusedMultiplyAdd(a11, x, y);
        }
        return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    private static float Chain256(int iterations)
    {
        var x = Vector256.Create(0.999999f);
        var y = Vector256.Create(1e-7f);
        Vector256<float> a0 = x, a1 = x, a2 = x, a3 = x, a4 = x, a5 = x, a6 = x, a7 = x, a8 = x, a9 = x, a10 = x, a11 = x;
        for (int i = 0; i < iterations; i++)
        {
            a0 = Vector256.FusedMultiplyAdd(a0, x, y); a1 = Vector256.FusedMultiplyAdd(a1, x, y);
            a2 = Vector256.FusedMultiplyAdd(a2, x, y); a3 = Vector256.FusedMultiplyAdd(a3, x, y);
            a4 = Vector256.FusedMultiplyAdd(a4, x, y); a5 = Vector256.FusedMultiplyAdd(a5, x, y);
            a6 = Vector256.FusedMultiplyAdd(a6, x, y); a7 = Vector256.FusedMultiplyAdd(a7, x, y);
            a8 = Vector256.FusedMultiplyAdd(a8, x, y); a9 = Vector256.FusedMultiplyAdd(a9, x, y);
            a10 = Vector256.FusedMultiplyAdd(a10, x, y); a11 = Vector256.FusedMultiplyAdd(a11, x, y);
        }
        return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    private static float ChainScalar(int iterations)
    {
        float a0 = 1, a1 = 1, a2 = 1, a3 = 1, a4 = 1, a5 = 1, a6 = 1, a7 = 1, a8 = 1, a9 = 1, a10 = 1, a11 = 1;
        const float x = 0.999999f, y = 1e-7f;
        for (int i = 0; i < iterations; i++)
        {
            a0 = MathF.FusedMultiplyAdd(a0, x, y); a1 = MathF.FusedMultiplyAdd(a1, x, y);
            a2 = MathF.FusedMultiplyAdd(a2, x, y); a3 = MathF.FusedMultiplyAdd(a3, x, y);
            a4 = MathF.FusedMultiplyAdd(a4, x, y); a5 = MathF.FusedMultiplyAdd(a5, x, y);
            a6 = MathF.FusedMultiplyAdd(a6, x, y); a7 = MathF.FusedMultiplyAdd(a7, x, y);
            a8 = MathF.FusedMultiplyAdd(a8, x, y); a9 = MathF.FusedMultiplyAdd(a9, x, y);
            a10 = MathF.FusedMultiplyAdd(a10, x, y); a11 = MathF.FusedMultiplyAdd(a11, x, y);
        }
        return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
    }
}
