using System.Globalization;

namespace Perplex.Text;

/// <summary>
/// Subword pieces learned by byte-pair encoding (Sennrich, Haddow and Birch, 2016) over grapheme clusters: starting
/// from single graphemes, the most frequent adjacent pair of symbols in the training words is merged into one new
/// symbol, again and again. A word is then cut by replaying the merges in the order they were learned.
/// <para>Why: a Korean eojeol is a stem plus particles or endings (재밌 + 었다, 영화 + 는), and whole-word
/// vocabularies give each spelling its own rare embedding; learned pieces let frequent stems and endings be shared.
/// The first grapheme of a word carries the marker <see cref="WordStart"/> (as in SentencePiece), so a piece that
/// begins a word differs from the same letters inside one, and the pieces of a word concatenate back to it.</para>
/// </summary>
public sealed class BytePairEncoding
{
    /// <summary>Prefixed to a word's first piece ("▁", U+2581).</summary>
    public const string WordStart = "\u2581";

    private const int MaxCachedWords = 1 << 20;

    private readonly Dictionary<(string, string), int> _rank;
    private readonly Dictionary<string, IReadOnlyList<string>> _cache = new(StringComparer.Ordinal);
    private readonly Lock _cacheGate = new();

    /// <summary>Wraps merges in the order they were learned (each a pair of symbols whose concatenation is the new one).</summary>
    public BytePairEncoding(IReadOnlyList<(string Left, string Right)> merges)
    {
        Merges = merges;
        _rank = new Dictionary<(string, string), int>(merges.Count);
        for (int i = 0; i < merges.Count; i++) _rank.TryAdd(merges[i], i);
    }

    /// <summary>The merges, first learned first.</summary>
    public IReadOnlyList<(string Left, string Right)> Merges { get; }

    /// <summary>
    /// Learns merges from word frequencies until the alphabet plus the merged symbols number <paramref name="symbols"/>,
    /// or until no pair occurs at least <paramref name="minPairCount"/> times. Ties go to the pair whose symbols were
    /// created first, so the result depends only on the counts.
    /// </summary>
    public static BytePairEncoding Learn(IReadOnlyDictionary<string, long> wordCounts, int symbols, long minPairCount = 2)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(symbols);
        // Symbols are ids; the initial alphabet is numbered in ordinal string order so ties break the same way every run.
        var words = wordCounts.Where(w => w.Value > 0 && w.Key.Length > 0).OrderBy(w => w.Key, StringComparer.Ordinal).ToList();
        var initial = words.Select(w => InitialSymbols(w.Key)).ToList();
        var names = initial.SelectMany(s => s).Distinct().Order(StringComparer.Ordinal).ToList();
        var id = names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i, StringComparer.Ordinal);
        var state = new Learner(words.Select(w => w.Value).ToArray(), initial.Select(s => s.Select(x => id[x]).ToArray()).ToArray());
        var merges = new List<(string, string)>();
        while (names.Count < symbols && state.Best() is (int left, int right, long count) && count >= minPairCount)
        {
            merges.Add((names[left], names[right]));
            // "abc" can come from ab+c and from a+bc; like splitting, which works on strings, both are one symbol
            var name = names[left] + names[right];
            if (!id.TryGetValue(name, out int merged))
            {
                id[name] = merged = names.Count;
                names.Add(name);
            }
            state.Merge(left, right, merged);
        }
        return new BytePairEncoding(merges);
    }

    /// <summary>The pieces of one word (no white space inside); their concatenation is <see cref="WordStart"/> + <paramref name="word"/>.</summary>
    public IReadOnlyList<string> Split(string word)
    {
        lock (_cacheGate)
            if (_cache.TryGetValue(word, out var cached)) return cached; // read-only: callers share the cached pieces
        var pieces = InitialSymbols(word);
        while (pieces.Count > 1)
        {
            int best = -1, bestRank = int.MaxValue;
            for (int i = 0; i + 1 < pieces.Count; i++)
                if (_rank.TryGetValue((pieces[i], pieces[i + 1]), out int r) && r < bestRank) (best, bestRank) = (i, r);
            if (best < 0) break;
            var (left, right) = Merges[bestRank];
            // merge every occurrence of this pair, left to right, as learning did
            var merged = new List<string>(pieces.Count);
            for (int i = 0; i < pieces.Count; i++)
            {
                if (i + 1 < pieces.Count && pieces[i] == left && pieces[i + 1] == right)
                {
                    merged.Add(left + right);
                    i++;
                }
                else merged.Add(pieces[i]);
            }
            pieces = merged;
        }
        IReadOnlyList<string> result = pieces.AsReadOnly();
        lock (_cacheGate)
            if (_cache.Count < MaxCachedWords) _cache[word] = result;
        return result;
    }

    /// <summary>The pieces of every token, in order.</summary>
    public List<string> Split(IReadOnlyList<string> tokens)
    {
        var pieces = new List<string>(2 * tokens.Count);
        foreach (var token in tokens) pieces.AddRange(Split(token));
        return pieces;
    }

    private static List<string> InitialSymbols(string word)
    {
        var symbols = new List<string>(word.Length);
        int i = 0;
        while (i < word.Length)
        {
            int len = StringInfo.GetNextTextElementLength(word, i);
            symbols.Add(i == 0 ? WordStart + word.Substring(0, len) : word.Substring(i, len));
            i += len;
        }
        return symbols;
    }

    /// <summary>
    /// The counting state of <see cref="Learn"/>: the symbols of every distinct word, the frequency of every adjacent
    /// pair (weighted by word frequency), the words where each pair may occur, and a heap of pairs by frequency. A merge
    /// only touches the words that contain the merged pair, and pushes only the pairs whose count rose; an entry whose
    /// count is out of date is recognised when it comes to the top and pushed again with the current count.
    /// </summary>
    private sealed class Learner
    {
        private readonly long[] _frequency;
        private readonly int[][] _symbols;
        private readonly Dictionary<long, long> _pairCount = [];
        private readonly Dictionary<long, List<int>> _pairWords = [];
        private readonly PriorityQueue<long, (long NegCount, long Pair)> _heap = new();
        private readonly Dictionary<long, long> _delta = [];

        public Learner(long[] frequency, int[][] symbols)
        {
            _frequency = frequency;
            _symbols = symbols;
            for (int w = 0; w < symbols.Length; w++) Count(w, +1);
            Apply();
        }

        private static long Key(int left, int right) => ((long)left << 32) | (uint)right;

        /// <summary>The most frequent pair (ties: the smallest symbol ids), or null when none is left.</summary>
        public (int Left, int Right, long Count)? Best()
        {
            while (_heap.TryPeek(out long pair, out var priority))
            {
                long now = _pairCount.GetValueOrDefault(pair);
                if (now == -priority.NegCount) return ((int)(pair >> 32), (int)(pair & 0xFFFFFFFF), now);
                _heap.Dequeue();
                if (now > 0) _heap.Enqueue(pair, (-now, pair));
            }
            return null;
        }

        public void Merge(int left, int right, int merged)
        {
            long key = Key(left, right);
            var where = _pairWords[key];
            _pairWords.Remove(key);
            foreach (int w in where)
            {
                var s = _symbols[w];
                bool contains = false;
                for (int i = 0; i + 1 < s.Length && !contains; i++) contains = s[i] == left && s[i + 1] == right;
                if (!contains) continue; // listed again after another merge changed the word, or merged already
                Count(w, -1);
                var next = new List<int>(s.Length);
                for (int i = 0; i < s.Length; i++)
                {
                    if (i + 1 < s.Length && s[i] == left && s[i + 1] == right)
                    {
                        next.Add(merged);
                        i++;
                    }
                    else next.Add(s[i]);
                }
                _symbols[w] = [.. next];
                Count(w, +1);
            }
            Apply();
        }

        // adds ± the word's frequency to the pending change of each of its pairs
        private void Count(int w, int sign)
        {
            var s = _symbols[w];
            for (int i = 0; i + 1 < s.Length; i++)
            {
                long key = Key(s[i], s[i + 1]);
                _delta[key] = _delta.GetValueOrDefault(key) + sign * _frequency[w];
                if (sign > 0)
                {
                    if (!_pairWords.TryGetValue(key, out var list)) _pairWords[key] = list = [];
                    if (list.Count == 0 || list[^1] != w) list.Add(w);
                }
            }
        }

        private void Apply()
        {
            foreach (var (key, change) in _delta)
            {
                if (change == 0) continue;
                long now = _pairCount.GetValueOrDefault(key) + change;
                if (now > 0) _pairCount[key] = now;
                else
                {
                    _pairCount.Remove(key);
                    _pairWords.Remove(key);
                }
                if (change > 0) _heap.Enqueue(key, (-now, key));
            }
            _delta.Clear();
        }
    }
}
