namespace Perplex.NGram;

/// <summary>A minimal growable array of unmanaged values (no per-item objects), trimmed to size when done.</summary>
internal sealed class GrowList<T> where T : unmanaged
{
    private T[] _items;

    public GrowList(int capacity = 1024) => _items = new T[Math.Max(capacity, 4)];

    public int Count { get; private set; }

    public ref T this[int index] => ref _items[index];

    public void Add(T item)
    {
        if (Count == _items.Length) Array.Resize(ref _items, (int)Math.Min(Array.MaxLength, 2L * _items.Length));
        _items[Count++] = item;
    }

    /// <summary>Copies the items into a pinned array of exact size (so pointers into it stay valid).</summary>
    public T[] ToPinnedArray()
    {
        var result = PinnedArray.Allocate<T>(Count);
        _items.AsSpan(0, Count).CopyTo(result);
        return result;
    }

    /// <summary>Frees the storage.</summary>
    public void Clear() { _items = []; Count = 0; }
}

/// <summary>Arrays on the pinned object heap, so the model can address managed and memory-mapped storage the same way.</summary>
internal static unsafe class PinnedArray
{
    public static T[] Allocate<T>(int length) where T : unmanaged => GC.AllocateUninitializedArray<T>(length, pinned: true);

    public static T* Pointer<T>(T[] pinned) where T : unmanaged =>
        (T*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(pinned));
}
