namespace Perplex.NGram;

/// <summary>
/// Returns freed memory between build phases. The phases free large arrays (counting table, per-order counts and
/// temporaries) just before allocating others; an aggressive full collection gives those pages back to the OS
/// instead of letting the peak working set stack them. The arrays hold no references, so this is cheap.
/// </summary>
internal static class MemoryRelease
{
    public static void Now() => GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
}
