namespace Perplex.NGram;

/// <summary>
/// A growable array of unmanaged values kept in fixed-size chunks: growing never copies, and turning it into one
/// array frees each chunk as soon as it is copied, so peak memory stays near one copy of the data.
/// </summary>
internal sealed class GrowList<T> where T : unmanaged
{
    private const int ChunkBits = 18;
    private const int ChunkSize = 1 << ChunkBits;
    private readonly List<T[]> _chunks = new();

    public int Count { get; private set; }

    public ref T this[int index] => ref _chunks[index >> ChunkBits][index & (ChunkSize - 1)];

    public void Add(T item)
    {
        if ((Count & (ChunkSize - 1)) == 0 && Count >> ChunkBits == _chunks.Count) _chunks.Add(new T[ChunkSize]);
        _chunks[Count >> ChunkBits][Count & (ChunkSize - 1)] = item;
        Count++;
    }

    /// <summary>Moves the items into a pinned array of exact size (so pointers into it stay valid) and empties the list.</summary>
    public T[] ToPinnedArray()
    {
        var result = PinnedArray.Allocate<T>(Count);
        for (int c = 0; c < _chunks.Count; c++)
        {
            int start = c << ChunkBits;
            _chunks[c].AsSpan(0, Math.Min(ChunkSize, Count - start)).CopyTo(result.AsSpan(start));
            _chunks[c] = [];
        }
        Clear();
        return result;
    }

    /// <summary>Frees the storage.</summary>
    public void Clear() { _chunks.Clear(); Count = 0; }
}

/// <summary>Arrays on the pinned object heap, so the model can address managed and memory-mapped storage the same way.</summary>
internal static unsafe class PinnedArray
{
    public static T[] Allocate<T>(int length) where T : unmanaged => GC.AllocateUninitializedArray<T>(length, pinned: true);

    /// <summary>A pinned copy of <paramref name="values"/> (Span.ToArray would give a movable array).</summary>
    public static T[] CopyOf<T>(ReadOnlySpan<T> values) where T : unmanaged
    {
        var copy = Allocate<T>(values.Length);
        values.CopyTo(copy);
        return copy;
    }

    public static T* Pointer<T>(T[] pinned) where T : unmanaged =>
        (T*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(pinned));
}
