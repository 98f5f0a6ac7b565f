namespace Perplex.Tensors;

/// <summary>Process-wide limits on how many threads the tensor engine may use.</summary>
public static class Parallelism
{
    private static int maxThreads = Environment.ProcessorCount;

    /// <summary>When positive, the limit for kernels called on this thread (a share of a data-parallel step runs with 1).</summary>
    [ThreadStatic] private static int threadLimit;

    /// <summary>
    /// The most threads one GEMM may run on (default: the processor count; the CLI's <c>--threads</c> sets it).
    /// 1 makes every kernel single-threaded. Small products stay single-threaded whatever the setting,
    /// because forking costs more than it saves there. A training step of a language model with several
    /// streams uses up to this many threads by splitting its streams instead (data parallelism).
    /// </summary>
    public static int MaxThreads
    {
        get => maxThreads;
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), value, "at least one thread is needed");
            maxThreads = value;
        }
    }

    /// <summary>The thread budget of kernels called from the current thread.</summary>
    internal static int CurrentThreads => threadLimit > 0 ? Math.Min(threadLimit, maxThreads) : maxThreads;

    /// <summary>Keeps every kernel called on this thread single-threaded until <see cref="RestoreThreadLimit"/>; returns the previous limit.</summary>
    internal static int LimitThisThreadToOne()
    {
        int saved = threadLimit;
        threadLimit = 1;
        return saved;
    }

    /// <summary>Puts back the limit <see cref="LimitThisThreadToOne"/> returned.</summary>
    internal static void RestoreThreadLimit(int saved) => threadLimit = saved;
}
