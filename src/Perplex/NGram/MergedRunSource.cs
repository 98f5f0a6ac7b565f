namespace Perplex.NGram;

/// <summary>Merges sorted run files into one suffix-ordered stream, adding the counts of n-grams found in several runs.</summary>
internal sealed class MergedRunSource : INGramSource
{
    private readonly RunReader[] _readers;
    private readonly PriorityQueue<int, int> _queue;
    private readonly int[] _current;
    private int _count;

    public MergedRunSource(IReadOnlyList<string> runFiles, int order)
    {
        _current = new int[order];
        _readers = runFiles.Select(f => new RunReader(f, order)).ToArray();
        _queue = new PriorityQueue<int, int>(Comparer<int>.Create((a, b) =>
        {
            int c = SuffixOrder.Compare(_readers[a].Row, _readers[b].Row);
            return c != 0 ? c : a.CompareTo(b);
        }));
        for (int i = 0; i < _readers.Length; i++)
            if (_readers[i].MoveNext()) _queue.Enqueue(i, i);
    }

    public ReadOnlySpan<int> Current => _current;

    public int Count => _count;

    public bool MoveNext()
    {
        if (_queue.Count == 0) return false;
        int first = _queue.Dequeue();
        _readers[first].Row.CopyTo(_current, 0);
        _count = _readers[first].Count;
        Advance(first);
        while (_queue.TryPeek(out int next, out _) && _readers[next].Row.AsSpan().SequenceEqual(_current))
        {
            _queue.Dequeue();
            _count += _readers[next].Count;
            Advance(next);
        }
        return true;
    }

    private void Advance(int reader)
    {
        if (_readers[reader].MoveNext()) _queue.Enqueue(reader, reader);
    }

    public void Dispose()
    {
        foreach (var r in _readers) r.Dispose();
    }

    /// <summary>Reads one run file record by record.</summary>
    private sealed class RunReader : IDisposable
    {
        private readonly BinaryReader _reader;
        private readonly long _length;

        public RunReader(string path, int order)
        {
            _reader = new BinaryReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 18));
            _length = _reader.BaseStream.Length;
            Row = new int[order];
        }

        public int[] Row { get; }

        public int Count { get; private set; }

        public bool MoveNext()
        {
            if (_reader.BaseStream.Position >= _length) return false;
            for (int j = 0; j < Row.Length; j++) Row[j] = _reader.ReadInt32();
            Count = _reader.ReadInt32();
            return true;
        }

        public void Dispose() => _reader.Dispose();
    }
}
