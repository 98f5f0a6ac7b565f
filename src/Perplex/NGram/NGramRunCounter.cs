using System.Runtime.CompilerServices;

namespace Perplex.NGram;

/// <summary>
/// Counts fixed-order n-grams within a memory budget: distinct n-grams are kept in a hash table; when the table is
/// full it is sorted in suffix order and written to a temporary "run" file, and the runs are merged at the end.
/// This is lmplz's <c>-S</c>/<c>-T</c> scheme: a corpus larger than memory still counts.
/// </summary>
internal sealed class NGramRunCounter : IDisposable
{
    private const int ChunkBits = 15;
    private const int ChunkRows = 1 << ChunkBits;
    private readonly int _order;
    private readonly int _capacity;
    private readonly string _tempDirectory;
    private readonly List<string> _runFiles = new();
    // Rows and counts live in fixed-size chunks: growing never copies them, so the peak stays near the data size.
    private List<int[]> _rowChunks = new();
    private List<int[]> _countChunks = new();
    private int[] _slots;
    private int _distinct;

    /// <param name="order">Words per n-gram.</param>
    /// <param name="memoryBytes">Bytes the table may use before spilling a run.</param>
    /// <param name="tempDirectory">Where runs go; created if missing.</param>
    public NGramRunCounter(int order, long memoryBytes, string tempDirectory)
    {
        _order = order;
        long perEntry = 4L * order + 4 + 8 + 4; // row, count, hash slots at half load, sort permutation
        _capacity = (int)Math.Clamp(memoryBytes / perEntry, 16, 1 << 28);
        _tempDirectory = tempDirectory;
        _slots = NewSlots(1 << 16);
    }

    /// <summary>Number of runs written to disk so far.</summary>
    public int SpilledRuns => _runFiles.Count;

    private static int[] NewSlots(int count)
    {
        var slots = new int[count];
        Array.Fill(slots, -1);
        return slots;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Hash(ReadOnlySpan<int> gram)
    {
        ulong h = 0x9E3779B97F4A7C15;
        foreach (int w in gram) h = (h ^ (uint)w) * 0xFF51AFD7ED558CCD;
        return (int)(h >> 33);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Span<int> Row(int entry) => _rowChunks[entry >> ChunkBits].AsSpan((entry & (ChunkRows - 1)) * _order, _order);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref int CountOf(int entry) => ref _countChunks[entry >> ChunkBits][entry & (ChunkRows - 1)];

    /// <summary>Counts one occurrence of <paramref name="gram"/>.</summary>
    public void Add(ReadOnlySpan<int> gram)
    {
        int mask = _slots.Length - 1;
        int slot = Hash(gram) & mask;
        while (true)
        {
            int entry = _slots[slot];
            if (entry < 0) break;
            if (Row(entry).SequenceEqual(gram)) { CountOf(entry)++; return; }
            slot = (slot + 1) & mask;
        }
        if (_distinct >= _capacity) { Spill(); Add(gram); return; }
        if (2L * (_distinct + 1) > _slots.Length) { Rehash(); Add(gram); return; }
        if (_distinct >> ChunkBits == _rowChunks.Count)
        {
            _rowChunks.Add(new int[ChunkRows * _order]);
            _countChunks.Add(new int[ChunkRows]);
        }
        gram.CopyTo(Row(_distinct));
        CountOf(_distinct) = 1;
        _slots[slot] = _distinct++;
    }

    private void Rehash()
    {
        _slots = NewSlots(_slots.Length * 2);
        int mask = _slots.Length - 1;
        for (int e = 0; e < _distinct; e++)
        {
            int slot = Hash(Row(e)) & mask;
            while (_slots[slot] >= 0) slot = (slot + 1) & mask;
            _slots[slot] = e;
        }
    }

    private int[] SortedPermutation()
    {
        var perm = new int[_distinct];
        for (int i = 0; i < perm.Length; i++) perm[i] = i;
        perm.AsSpan().Sort(new RowComparer(_rowChunks, _order));
        return perm;
    }

    private void Spill()
    {
        Directory.CreateDirectory(_tempDirectory);
        string path = Path.Combine(_tempDirectory, $"perplex-ngram-{Environment.ProcessId}-{Guid.NewGuid():N}.run");
        var perm = SortedPermutation();
        using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
        using (var writer = new BinaryWriter(file))
        {
            foreach (int e in perm)
            {
                foreach (int w in Row(e)) writer.Write(w);
                writer.Write(CountOf(e));
            }
        }
        _runFiles.Add(path);
        _distinct = 0;
        Array.Fill(_slots, -1);
    }

    /// <summary>Ends counting and returns all distinct n-grams in suffix order with their total counts.</summary>
    public INGramSource Finish()
    {
        if (_runFiles.Count == 0)
        {
            _slots = []; // not needed any more: free it before the sort allocates its permutation
            var source = new MemorySource(_rowChunks, _countChunks, SortedPermutation(), _order);
            _rowChunks = []; _countChunks = [];
            return source;
        }
        if (_distinct > 0) Spill();
        _rowChunks = []; _countChunks = []; _slots = [];
        return new MergedRunSource(_runFiles, _order);
    }

    /// <summary>Deletes any run files still on disk.</summary>
    public void Dispose()
    {
        foreach (var f in _runFiles)
        {
            try { File.Delete(f); } catch (IOException) { } // best effort: the OS cleans its temp folder anyway
        }
    }

    private readonly struct RowComparer(List<int[]> chunks, int order) : IComparer<int>
    {
        public int Compare(int x, int y) => SuffixOrder.Compare(
            chunks[x >> ChunkBits].AsSpan((x & (ChunkRows - 1)) * order, order),
            chunks[y >> ChunkBits].AsSpan((y & (ChunkRows - 1)) * order, order));
    }

    /// <summary>Distinct n-grams held in memory, read through a sorted permutation.</summary>
    private sealed class MemorySource(List<int[]> rows, List<int[]> counts, int[] perm, int order) : INGramSource
    {
        private int _i = -1;
        private List<int[]> _rows = rows, _counts = counts;
        private int[] _perm = perm;
        public bool MoveNext() => ++_i < _perm.Length;
        public ReadOnlySpan<int> Current
        {
            get
            {
                int e = _perm[_i];
                return _rows[e >> ChunkBits].AsSpan((e & (ChunkRows - 1)) * order, order);
            }
        }
        public int Count => _counts[_perm[_i] >> ChunkBits][_perm[_i] & (ChunkRows - 1)];
        public void Dispose() { _rows = []; _counts = []; _perm = []; }
    }
}
