namespace Perplex.Tensors;

/// <summary>Process-wide limits on how many threads the tensor engine may use.</summary>
public static class Parallelism
{
    private static int maxThreads = Environment.ProcessorCount;

    /// <summary>
    /// The most threads one GEMM may run on (default: the processor count; the CLI's <c>--threads</c> sets it).
    /// 1 makes every kernel single-threaded. Small products stay single-threaded whatever the setting,
    /// because forking costs more than it saves there.
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
}
