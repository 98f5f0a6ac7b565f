using System.Numerics;
using System.Runtime.CompilerServices;

namespace Perplex.NGram;

/// <summary>
/// All n-grams of one order, stored as a reversed trie: n-gram <c>w1 … wn</c> is the key
/// <c>(index of w2 … wn in order n-1) &lt;&lt; 32 | w1</c>, so extending a match one word to the left is one hash lookup.
/// Keys are sorted (suffix order); log10 probabilities and backoffs are parallel arrays; an open-addressing
/// table maps keys to indexes. Unigrams are indexed by word id directly. The arrays are either pinned managed
/// arrays or views into a memory-mapped binary model: the model code only sees pointers.
/// </summary>
internal sealed unsafe class NGramLevel
{
    public readonly int Order;
    public readonly int Count;
    public readonly ulong* Keys;
    public readonly float* Prob;
    /// <summary>Null for the highest order (no backoffs).</summary>
    public readonly float* Backoff;
    // The hash table; null until first needed when the level was made without one (binary files with probing
    // tables leave it out: only exports and autocomplete walk the trie, so the file and the memory stay smaller).
    private int* _slots;
    private int _slotMask;
    private readonly object? _owner;
    private int[]? _builtSlots;

    /// <summary>A level over existing storage; <paramref name="slots"/> may be null: the hash table is then built (pinned) on first use.</summary>
    public NGramLevel(int order, int count, ulong* keys, float* prob, float* backoff, int* slots, int slotCount, object? owner)
    {
        Order = order;
        Count = count;
        Keys = keys;
        Prob = prob;
        Backoff = backoff;
        _slots = slots;
        _slotMask = slotCount - 1;
        _owner = owner;
    }

    /// <summary>The hash slots (built now if the level was made without them).</summary>
    public int* Slots
    {
        get
        {
            EnsureSlots();
            return _slots;
        }
    }

    /// <summary>Number of hash slots minus one.</summary>
    public int SlotMask
    {
        get
        {
            EnsureSlots();
            return _slotMask;
        }
    }

    /// <summary>Whether the hash slots exist yet.</summary>
    public bool HasSlots => _slots != null;

    /// <summary>Frees a hash table this level built itself (not one given to it), to be rebuilt on next use.</summary>
    public void DropSlots()
    {
        lock (this)
        {
            if (_builtSlots is null) return;
            _slots = null;
            _builtSlots = null;
        }
    }

    private void EnsureSlots()
    {
        if (_slots != null) return;
        lock (this)
        {
            if (_slots != null) return;
            var slots = SlotsFor(Order, new ReadOnlySpan<ulong>(Keys, Count));
            _builtSlots = slots;
            _slotMask = slots.Length - 1;
            Thread.MemoryBarrier(); // the mask must be visible before the pointer that says the table exists
            _slots = PinnedArray.Pointer(slots);
        }
    }

    /// <summary>Builds a level over pinned arrays, creating the hash table (not needed for unigrams).</summary>
    public static NGramLevel FromArrays(int order, ulong[] keys, float[] prob, float[]? backoff)
    {
        int[] slots = SlotsFor(order, keys);
        return new NGramLevel(order, keys.Length, PinnedArray.Pointer(keys), PinnedArray.Pointer(prob),
            backoff is null ? null : PinnedArray.Pointer(backoff), PinnedArray.Pointer(slots), slots.Length,
            new object[] { keys, prob, backoff ?? [], slots });
    }

    /// <summary>The pinned hash table for a level; unigrams are indexed by word id and get a one-slot placeholder.</summary>
    public static int[] SlotsFor(int order, ReadOnlySpan<ulong> keys)
    {
        if (order > 1) return BuildSlots(keys);
        var none = PinnedArray.Allocate<int>(1);
        none[0] = -1;
        return none;
    }

    /// <summary>Number of hash slots used for <paramref name="count"/> keys (load at most 2/3).</summary>
    public static int SlotCountFor(int count) => (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(2, count + count / 2 + 1));

    public static int[] BuildSlots(ReadOnlySpan<ulong> keys)
    {
        var slots = PinnedArray.Allocate<int>(SlotCountFor(keys.Length));
        Array.Fill(slots, -1);
        int mask = slots.Length - 1;
        for (int i = 0; i < keys.Length; i++)
        {
            int s = Slot(keys[i], mask);
            while (slots[s] >= 0) s = (s + 1) & mask;
            slots[s] = i;
        }
        return slots;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Key(int parent, int word) => ((ulong)(uint)parent << 32) | (uint)word;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Slot(ulong key, int mask) => (int)((key * 0x9E3779B97F4A7C15UL) >> 32) & mask;

    /// <summary>The index of n-gram (word + the n-1-gram at <paramref name="parent"/>), or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Find(int parent, int word)
    {
        if (Order == 1) return (uint)word < (uint)Count ? word : -1;
        if (_slots == null) EnsureSlots();
        ulong key = Key(parent, word);
        int mask = _slotMask;
        int* slots = _slots;
        int s = Slot(key, mask);
        while (true)
        {
            int i = slots[s];
            if (i < 0) return -1;
            if (Keys[i] == key) return i;
            s = (s + 1) & mask;
        }
    }

    /// <summary>The index of the (n-1)-gram this n-gram extends (its suffix), or the word id for unigrams.</summary>
    public int Parent(int index) => (int)(Keys[index] >> 32);

    /// <summary>The first (leftmost) word of the n-gram at <paramref name="index"/>.</summary>
    public int Word(int index) => (int)(uint)Keys[index];
}
