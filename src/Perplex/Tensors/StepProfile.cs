using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Perplex.Tensors;

/// <summary>One profiled piece of work: a GEMM shape or a named section, how often it ran and how long it took in all (summed over threads).</summary>
internal sealed record ProfileEntry(string Name, double Flops, long Calls, double Seconds);

/// <summary>
/// Where a training step's GEMM time goes: while <see cref="Enabled"/>, every product is timed by shape (for
/// <c>perplex bench lm --profile</c>) in CPU time of the calling thread where the OS offers it (Linux), so time the
/// scheduler gave to other processes does not count; wall-clock time elsewhere. Off by default; when off it costs
/// one static read per product.
/// </summary>
internal static partial class StepProfile
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, (long Calls, long Ticks, double Flops)> Entries = [];

    public static bool Enabled { get; set; }

    /// <summary>True when <see cref="Now"/> reads the thread's CPU clock (nanoseconds), false for the Stopwatch.</summary>
    public static readonly bool ThreadClock = ProbeThreadClock();

    private static double TicksPerSecond => ThreadClock ? 1e9 : Stopwatch.Frequency;

    public static long Start() => Enabled ? Math.Max(1, Now()) : 0;

    public static void Stop(long start, bool transA, bool transB, int m, int n, int k, bool prepacked)
    {
        if (start == 0) return;
        string name = m == 0 ? $"pack B {k}x{n}" : $"{(transA ? "At" : "A")}.{(prepacked ? "P" : transB ? "Bt" : "B")} {m}x{n}x{k}";
        Record(start, name, m == 0 ? 0 : 2.0 * m * n * k);
    }

    /// <summary>Ends a named section begun with <see cref="Start"/> (no-op when profiling is off).</summary>
    public static void Stop(long start, string section)
    {
        if (start != 0) Record(start, section, 0);
    }

    private static void Record(long start, string name, double flops)
    {
        long ticks = Now() - start;
        lock (Gate)
        {
            Entries.TryGetValue(name, out var e);
            Entries[name] = (e.Calls + 1, e.Ticks + ticks, e.Flops + flops);
        }
    }

    public static void Reset()
    {
        lock (Gate) Entries.Clear();
    }

    /// <summary>The entries recorded since the last <see cref="Reset"/>, most time first.</summary>
    public static List<ProfileEntry> Snapshot()
    {
        lock (Gate)
        {
            return Entries.Select(e => new ProfileEntry(e.Key, e.Value.Flops, e.Value.Calls, e.Value.Ticks / TicksPerSecond))
                .OrderByDescending(e => e.Seconds).ToList();
        }
    }

    /// <summary>CPU seconds the calling thread has used so far, or NaN where the OS does not offer a thread clock.</summary>
    public static double CallingThreadCpuSeconds() => ThreadClock ? ThreadCpuNanoseconds() / 1e9 : double.NaN;

    private static long Now() => ThreadClock ? ThreadCpuNanoseconds() : Stopwatch.GetTimestamp();

    private static bool ProbeThreadClock()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            return ThreadCpuNanoseconds() > 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    private const int ClockThreadCpuTimeId = 3; // CLOCK_THREAD_CPUTIME_ID on Linux

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds, Nanoseconds;
    }

    private static long ThreadCpuNanoseconds()
    {
        ClockGetTime(ClockThreadCpuTimeId, out var t);
        return t.Seconds * 1_000_000_000L + t.Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);
}
