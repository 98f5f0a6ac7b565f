using System.Diagnostics;

namespace Perplex.Tensors;

/// <summary>One product to time: C = op(A)·op(B) with op(A) m×k and op(B) k×n, B optionally packed beforehand.</summary>
internal sealed record GemmShape(string Name, bool TransA, bool TransB, int M, int N, int K, bool Prepacked = false)
{
    public double Flops => 2.0 * M * N * K;
}

/// <summary>How fast one shape ran: wall-clock rates per call (median and best), CPU-time rate over all calls, bytes the calling thread allocated in all timed calls.</summary>
internal readonly record struct GemmTiming(GemmShape Shape, int Calls, double MedianGflops, double BestGflops,
    double GflopsPerCpuSecond, long BytesAllocated);

/// <summary>Times the GEMM on the shapes of a word-level LSTM language model (V = 10000, batch 20, bptt 35).</summary>
internal static class GemmBenchmark
{
    /// <summary>Decoder, recurrent-step and weight-gradient products at H = 650 and H = 200, plus the classic 1024³.</summary>
    public static IReadOnlyList<GemmShape> LanguageModelShapes { get; } =
    [
        // the products of one training step as `perplex bench lm --profile` lists them (700 = bptt 35 × batch 20)
        new("decoder fwd H=650   A.Bt 700x10000x650", false, true, 700, 10000, 650),
        new("decoder dX  H=650   A.B  700x650x10000", false, false, 700, 650, 10000),
        new("decoder dW  H=650   At.B 10000x650x700", true, false, 10000, 650, 700),
        new("lstm dW     H=650   At.B 2600x650x700", true, false, 2600, 650, 700),
        new("recurrent   H=650   A.P  20x2600x650", false, false, 20, 2600, 650, Prepacked: true),
        new("recurrent   H=650   A.B  20x2600x650 (packs B)", false, false, 20, 2600, 650),
        new("rec. bwd    H=650   A.P  20x650x2600", false, false, 20, 650, 2600, Prepacked: true),
        new("square              1024^3", false, false, 1024, 1024, 1024),
        new("decoder fwd H=200   A.Bt 700x10000x200", false, true, 700, 10000, 200),
        new("decoder dX  H=200   A.B  700x200x10000", false, false, 700, 200, 10000),
        new("decoder dW  H=200   At.B 10000x200x700", true, false, 10000, 200, 700),
        new("recurrent   H=200   A.P  20x800x200", false, false, 20, 800, 200, Prepacked: true),
        new("rec. bwd    H=200   A.P  20x200x800", false, false, 20, 200, 800, Prepacked: true),
    ];

    /// <summary>Calls the product repeatedly for about <paramref name="seconds"/> (at least three calls) after a warm-up of at least 0.3 s.</summary>
    public static GemmTiming Measure(GemmShape shape, int threads, double seconds)
    {
        var rng = new Random(1);
        var a = RandomMatrix(shape.M * shape.K, rng);
        var b = RandomMatrix(shape.K * shape.N, rng);
        var c = new float[shape.M * shape.N];
        int lda = shape.TransA ? shape.M : shape.K, ldb = shape.TransB ? shape.K : shape.N;
        var packed = shape.Prepacked ? PackedMatrix<float>.Create(shape.TransB, shape.K, shape.N, b, ldb) : null;

        void Call()
        {
            if (packed is null)
                Gemm.Multiply<float>(GemmPaths.Best, threads, shape.TransA, shape.TransB, shape.M, shape.N, shape.K, a, lda, b, ldb, c, shape.N, false);
            else
                Gemm.Multiply<float>(threads, shape.TransA, shape.M, a, lda, packed, c, shape.N, false);
        }

        var warmUp = Stopwatch.StartNew();
        for (int i = 0; i < 3 || warmUp.Elapsed.TotalSeconds < 0.3; i++) Call(); // past the JIT's tiering and the buffers' growth
        var wallTimes = new List<double>(1 << 16); // preallocated: the timed loop allocates nothing
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpuStart = process.TotalProcessorTime;
        var total = new Stopwatch();
        var one = new Stopwatch();
        long allocatedStart = GC.GetAllocatedBytesForCurrentThread();
        total.Start();
        while (wallTimes.Count < 3 || total.Elapsed.TotalSeconds < seconds)
        {
            one.Restart();
            Call();
            wallTimes.Add(one.Elapsed.TotalSeconds);
            if (wallTimes.Count == wallTimes.Capacity) break;
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedStart;
        process.Refresh();
        double cpuSeconds = (process.TotalProcessorTime - cpuStart).TotalSeconds;
        wallTimes.Sort();
        double median = wallTimes[wallTimes.Count / 2];
        return new GemmTiming(shape, wallTimes.Count, shape.Flops / median / 1e9, shape.Flops / wallTimes[0] / 1e9,
            shape.Flops * wallTimes.Count / Math.Max(cpuSeconds, 1e-9) / 1e9, allocated);
    }

    private static float[] RandomMatrix(int length, Random rng)
    {
        var m = new float[length];
        for (int i = 0; i < length; i++) m[i] = (float)(rng.NextDouble() * 2 - 1);
        return m;
    }
}
