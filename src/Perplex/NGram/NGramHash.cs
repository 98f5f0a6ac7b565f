using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Perplex.NGram;

/// <summary>
/// 64-bit hashes that identify a word's UTF-8 spelling or a whole n-gram, as KenLM's probing tables do: the hash of
/// <c>w1 … wn</c> is built from the hash of its suffix <c>w2 … wn</c> and <c>w1</c>, so a query computes the hash of
/// every context length from the words alone and can look all orders up at once. These functions are part of the
/// binary format (tables are stored hashed): changing them needs a new format version. Never zero (zero marks an empty slot).
/// </summary>
internal static class NGramHash
{
    private const ulong Golden = 0x9E3779B97F4A7C15UL;

    /// <summary>A bijective 64-bit finaliser (splitmix64's), so distinct inputs never collide here.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(ulong x)
    {
        x ^= x >> 30;
        x *= 0xBF58476D1CE4E5B9UL;
        x ^= x >> 27;
        x *= 0x94D049BB133111EBUL;
        x ^= x >> 31;
        return x;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong NonZero(ulong h) => h == 0 ? Golden : h;

    /// <summary>Hash of the unigram <paramref name="word"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Unigram(int word) => NonZero(Mix((uint)word + Golden));

    /// <summary>Hash of the n-gram made of <paramref name="word"/> followed by the n-gram hashed as <paramref name="suffix"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Extend(ulong suffix, int word) => NonZero(Mix(suffix * Golden + (uint)word + 1));

    /// <summary>Hash of a word's UTF-8 bytes.</summary>
    public static ulong Utf8(ReadOnlySpan<byte> text)
    {
        ulong h = (ulong)text.Length * Golden;
        int i = 0;
        for (; i + 8 <= text.Length; i += 8) h = Mix(h ^ BinaryPrimitives.ReadUInt64LittleEndian(text[i..]));
        ulong tail = 0;
        for (int shift = 0; i < text.Length; i++, shift += 8) tail |= (ulong)text[i] << shift;
        return NonZero(Mix(h ^ tail ^ 0xFF51AFD7ED558CCDUL));
    }
}
