using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Perplex.Tensors;

/// <summary>
/// A growable buffer on the pinned-object heap whose usable part starts on a 64-byte boundary, so packed panels
/// never straddle cache lines. It only grows, so steady-state use allocates nothing.
/// </summary>
internal sealed unsafe class AlignedBuffer<T> where T : unmanaged
{
    private const int Alignment = 64;
    private T[] array = [];

    /// <summary>The aligned start; valid until the next <see cref="Ensure"/> that grows the buffer.</summary>
    public T* Pointer { get; private set; }

    /// <summary>Usable elements from <see cref="Pointer"/>.</summary>
    public int Capacity { get; private set; }

    /// <summary>Makes room for at least <paramref name="length"/> elements and returns the aligned start.</summary>
    public T* Ensure(int length)
    {
        if (length > Capacity)
        {
            array = GC.AllocateUninitializedArray<T>(length + Alignment / sizeof(T), pinned: true);
            nint start = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
            Pointer = (T*)((start + Alignment - 1) & ~(nint)(Alignment - 1));
            Capacity = length;
        }
        return Pointer;
    }
}

/// <summary>Each thread's own packing buffers, so concurrent GEMMs never share scratch space.</summary>
internal static class PackBuffers<T> where T : unmanaged
{
    [ThreadStatic] private static AlignedBuffer<T>? a;
    [ThreadStatic] private static AlignedBuffer<T>? b;

    /// <summary>Scratch for packed blocks of A (MC×KC).</summary>
    public static AlignedBuffer<T> A => a ??= new AlignedBuffer<T>();

    /// <summary>Scratch for packed blocks of B (KC×NC).</summary>
    public static AlignedBuffer<T> B => b ??= new AlignedBuffer<T>();
}
