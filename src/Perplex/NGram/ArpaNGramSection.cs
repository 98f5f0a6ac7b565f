using System.Text;

namespace Perplex.NGram;

/// <summary>
/// Reads the lines of one <c>\n-grams:</c> section (n ≥ 2) of an ARPA file into reversed-trie keys, probabilities and
/// backoffs. Lines are taken in batches: a first pass splits them and hashes their words, asking the memory for
/// every word's slot in the vocabulary's probing table, so the second pass, which resolves ids and suffixes, finds
/// them arriving together instead of waiting for each in turn. Files list n-grams in suffix order (lmplz's and ours),
/// so the suffix of each n-gram is at or just after the previous one's: it is found by galloping forward in the
/// sorted keys of the order below (near, cache-friendly), with the hash table as the fallback for any other order.
/// </summary>
internal sealed unsafe class ArpaNGramSection
{
    private const int BatchLines = 256;
    private const int Stride = ModelState.MaxOrder + 2;

    private readonly int _order;
    private readonly IReadOnlyList<NGramLevel> _lower;
    private readonly Vocabulary _vocab;
    private readonly ProbingTable<WordEntry>? _spellings;
    private readonly Func<string, long, PerplexException> _error;

    public readonly ulong[] Keys;
    public readonly float[] Prob;
    public readonly float[] Backoff;
    /// <summary>Lines stored so far (pending lines are not counted until <see cref="Flush"/>).</summary>
    public int Count { get; private set; }

    private byte[] _text = new byte[1 << 16];
    private int _textUsed;
    private readonly int[] _start = new int[BatchLines];
    private readonly int[] _length = new int[BatchLines];
    private readonly long[] _lineNumbers = new long[BatchLines];
    private int _pending;
    private readonly Range[] _fields = new Range[BatchLines * Stride];
    private readonly int[] _fieldCounts = new int[BatchLines];
    private readonly ulong[] _hashes = new ulong[BatchLines * ModelState.MaxOrder];

    // The previous line's word hashes and ids, and the suffix chain: _chain[k] is the node of its last k words.
    private readonly ulong[] _previous = new ulong[ModelState.MaxOrder];
    private bool _hasPrevious;
    private readonly int[] _ids = new int[ModelState.MaxOrder];
    private readonly int[] _chain = new int[ModelState.MaxOrder + 1];
    private int _chainValid;
    private readonly int[] _cursor = new int[ModelState.MaxOrder + 1];

    /// <param name="order">The section's order n.</param>
    /// <param name="count">The number of n-grams \data\ declares.</param>
    /// <param name="lower">Orders 1..n-1, complete.</param>
    /// <param name="vocabulary">The vocabulary of the unigram section.</param>
    /// <param name="error">Makes the exception for a problem on a line.</param>
    public ArpaNGramSection(int order, int count, IReadOnlyList<NGramLevel> lower, Vocabulary vocabulary, Func<string, long, PerplexException> error)
    {
        _order = order;
        _lower = lower;
        _vocab = vocabulary;
        _spellings = vocabulary.Utf8Table;
        _error = error;
        Keys = PinnedArray.Allocate<ulong>(count);
        Prob = PinnedArray.Allocate<float>(count);
        Backoff = PinnedArray.Allocate<float>(count);
    }

    /// <summary>Queues one non-empty line; it is parsed when the batch is full or at <see cref="Flush"/>.</summary>
    public void Add(ReadOnlySpan<byte> line, long lineNumber)
    {
        if (_textUsed + line.Length > _text.Length) Array.Resize(ref _text, Math.Max(_text.Length * 2, _textUsed + line.Length));
        line.CopyTo(_text.AsSpan(_textUsed));
        _start[_pending] = _textUsed;
        _length[_pending] = line.Length;
        _lineNumbers[_pending] = lineNumber;
        _textUsed += line.Length;
        if (++_pending == BatchLines) Flush();
    }

    /// <summary>Parses the queued lines.</summary>
    public void Flush()
    {
        for (int b = 0; b < _pending; b++) Split(b);
        for (int b = 0; b < _pending; b++) Store(b);
        _pending = 0;
        _textUsed = 0;
    }

    private ReadOnlySpan<byte> Text(int b) => _text.AsSpan(_start[b], _length[b]);

    private void Split(int b)
    {
        var text = Text(b);
        var fields = _fields.AsSpan(b * Stride, Stride);
        int count = ArpaLine.Split(text, _order, fields);
        if (count < 0) throw _error(ArpaLine.ShapeProblem(_order), _lineNumbers[b]);
        _fieldCounts[b] = count;
        for (int j = 0; j < _order; j++)
        {
            ulong h = _hashes[b * ModelState.MaxOrder + j] = NGramHash.Utf8(text[fields[j + 1]]);
            _spellings?.Prefetch(h);
        }
    }

    private void Store(int b)
    {
        var text = Text(b);
        var fields = _fields.AsSpan(b * Stride, Stride);
        long lineNumber = _lineNumbers[b];
        float prob = Number(text[fields[0]], "log10 probability", lineNumber);
        float backoff = _fieldCounts[b] == _order + 2 ? Number(text[fields[_order + 1]], "backoff", lineNumber) : 0f;
        // Trailing words equal to the previous line's keep their ids (and their part of the suffix chain).
        var hashes = _hashes.AsSpan(b * ModelState.MaxOrder, _order);
        int same = _order;
        for (int j = _order - 1; j >= 0; j--)
        {
            if (same == j + 1 && _hasPrevious && hashes[j] == _previous[j])
            {
                same = j;
                continue;
            }
            _ids[j] = WordId(hashes[j], text[fields[j + 1]], lineNumber);
        }
        hashes.CopyTo(_previous);
        _hasPrevious = true;
        // The suffix (all words but the first) must already be stored one order below.
        int unchanged = _order - same;
        _chain[1] = _ids[_order - 1];
        for (int k = 2; k < _order; k++)
        {
            if (k <= unchanged && _chainValid >= k) continue;
            _chain[k] = FindNear(k, _chain[k - 1], _ids[_order - k]);
            if (_chain[k] < 0)
            {
                _chainValid = 0;
                throw _error($"the {_order - 1}-gram suffix of this {_order}-gram is missing from the model", lineNumber);
            }
        }
        _chainValid = _order - 1;
        if (Count == Keys.Length) throw new InvalidOperationException("more lines than declared reached the section");
        Keys[Count] = NGramLevel.Key(_chain[_order - 1], _ids[0]);
        Prob[Count] = prob;
        Backoff[Count] = backoff;
        Count++;
    }

    private int WordId(ulong hash, ReadOnlySpan<byte> word, long lineNumber)
    {
        int id;
        if (_spellings is not null)
        {
            var entry = _spellings.Find(hash);
            id = entry == null ? -1 : entry->Id;
        }
        else if (!_vocab.TryFindUtf8(word, out id)) id = -1;
        if (id < 0) throw _error($"word '{Encoding.UTF8.GetString(word)}' is not among the unigrams", lineNumber);
        return id;
    }

    /// <summary>
    /// The index of the k-gram (word + the (k-1)-gram at <paramref name="parent"/>): first at or after where the last
    /// one was found, galloping through the sorted keys, else by hash.
    /// </summary>
    private int FindNear(int k, int parent, int word)
    {
        var level = _lower[k - 1];
        ulong key = NGramLevel.Key(parent, word);
        ulong* keys = level.Keys;
        int n = level.Count;
        int j = _cursor[k];
        if (j < n && keys[j] <= key)
        {
            if (keys[j] == key) return j;
            int lo = j, hi = j + 1, step = 1;
            while (hi < n && keys[hi] < key)
            {
                lo = hi;
                step <<= 1;
                hi = j + step;
            }
            if (hi > n) hi = n;
            while (hi - lo > 1)
            {
                int mid = (int)(((uint)lo + (uint)hi) >> 1);
                if (keys[mid] < key) lo = mid; else hi = mid;
            }
            if (hi < n && keys[hi] == key) return _cursor[k] = hi;
        }
        int found = level.Find(parent, word);
        if (found >= 0) _cursor[k] = found;
        return found;
    }

    private float Number(ReadOnlySpan<byte> field, string what, long lineNumber)
    {
        if (!ArpaNumber.TryParse(field, out float value)) throw _error($"{what} '{Encoding.UTF8.GetString(field)}' is not a number", lineNumber);
        return value;
    }
}
