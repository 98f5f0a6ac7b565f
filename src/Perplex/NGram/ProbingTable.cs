using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Perplex.NGram;

/// <summary>An entry of a <see cref="ProbingTable{T}"/>: a non-zero 64-bit key (zero = empty slot) and its value.</summary>
internal interface IProbingEntry
{
    ulong Key { get; }
}

/// <summary>One n-gram in a probing table: its hash, log10 probability and backoff together, so one cache line answers a lookup.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NGramEntry : IProbingEntry
{
    public ulong Hash;
    public float Prob;
    public float Backoff;
    public readonly ulong Key => Hash;
}

/// <summary>One vocabulary word in a probing table: the hash of its UTF-8 spelling and its id.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct WordEntry : IProbingEntry
{
    public ulong Hash;
    public int Id;
    public int Unused;
    public readonly ulong Key => Hash;
}

/// <summary>
/// Open addressing with linear probing over entries keyed by 64-bit hashes (KenLM's "probing" layout), about 1.5
/// slots per entry. The slot is chosen from the hash's high bits by a multiply (any table size, no power of two), so
/// the table is never more than two thirds full. The entries live in a pinned array or a memory-mapped file.
/// </summary>
internal sealed unsafe class ProbingTable<T> where T : unmanaged, IProbingEntry
{
    private readonly T* _entries;
    private readonly ulong _size;
    private readonly object? _owner;

    public ProbingTable(T* entries, long size, object? owner)
    {
        _entries = entries;
        _size = (ulong)size;
        _owner = owner;
    }

    /// <summary>Number of slots.</summary>
    public long Size => (long)_size;

    /// <summary>Writes the slots as they are in memory.</summary>
    public void WriteTo(Stream stream)
    {
        const long Chunk = 1 << 24;
        long total = Size * sizeof(T);
        for (long at = 0; at < total; at += Chunk)
            stream.Write(new ReadOnlySpan<byte>((byte*)_entries + at, (int)Math.Min(Chunk, total - at)));
    }

    /// <summary>Slots needed for <paramref name="count"/> entries.</summary>
    public static long SizeFor(long count) => Math.Max(2, count + count / 2 + 1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong Home(ulong key) => Math.BigMul(key, _size, out _);

    /// <summary>Starts loading the cache line where <paramref name="key"/> would be found.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Prefetch(ulong key)
    {
        if (Sse.IsSupported) Sse.Prefetch0(_entries + Home(key));
    }

    /// <summary>The entry with <paramref name="key"/>, or null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T* Find(ulong key)
    {
        ulong s = Home(key);
        // Bounded, so a damaged file whose table has no empty slot cannot make a lookup spin forever.
        for (ulong probes = 0; probes < _size; probes++)
        {
            T* e = _entries + s;
            ulong k = e->Key;
            if (k == key) return e;
            if (k == 0) return null;
            if (++s == _size) s = 0;
        }
        return null;
    }

    /// <summary>An empty table (pinned) with room for <paramref name="count"/> entries.</summary>
    public static ProbingTable<T> Allocate(int count)
    {
        long size = SizeFor(count);
        var slots = PinnedArray.Allocate<T>(checked((int)size));
        Array.Clear(slots);
        return new ProbingTable<T>(PinnedArray.Pointer(slots), size, slots);
    }

    /// <summary>Adds <paramref name="item"/>; false if its key is already there (a 64-bit hash collision: the caller falls back to exact lookups).</summary>
    public bool TryInsert(T item)
    {
        ulong s = Home(item.Key);
        while (true)
        {
            T* e = _entries + s;
            if (e->Key == 0) { *e = item; return true; }
            if (e->Key == item.Key) return false;
            if (++s == _size) s = 0;
        }
    }

    /// <summary>Keeps the storage alive (a pinned array or the file mapping).</summary>
    public object? Owner => _owner;
}
