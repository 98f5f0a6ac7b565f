using System.Globalization;
using Perplex.Diagnostics;

namespace Perplex.NGram;

/// <summary>
/// Reads ARPA files into a <see cref="BackoffModel"/>. Tolerant where KenLM is (CR LF line ends, blank lines,
/// unigram-only models, a missing backoff column, missing <c>&lt;unk&gt;</c> added with log10 probability -100 and
/// a warning); strict about structure: wrong counts in <c>\data\</c>, a missing section, a non-numeric field or an
/// n-gram of the wrong order is one error naming the file and line.
/// </summary>
public static class ArpaReader
{
    /// <summary>log10 probability given to <c>&lt;unk&gt;</c> when the file lacks it (KenLM's default).</summary>
    public const float MissingUnknownLog10 = -100f;

    /// <summary>Reads the ARPA file at <paramref name="path"/>.</summary>
    public static BackoffModel Read(string path, IProgressSink? progress = null)
    {
        progress ??= NullProgress.Instance;
        var parser = new Parser(path, progress);
        long? size = File.Exists(path) ? new FileInfo(path).Length : null;
        progress.BeginStage("reading ARPA", size, "B");
        CorpusReader.ReadLineSpans(path, parser.Line, b => progress.Advance(b));
        return parser.Finish();
    }

    private sealed class Parser(string path, IProgressSink progress)
    {
        private enum Part { BeforeData, Counts, BetweenSections, Section, End }

        private Part _part = Part.BeforeData;
        private readonly List<long> _declared = new();
        private int _order;            // order of the current section
        private long _seen;            // n-grams read in the current section
        private long _lineNumber;
        private readonly Vocabulary _vocab = Vocabulary.CreateEmpty();
        private readonly List<string> _unigramWords = new();
        private readonly List<(float Prob, float Backoff)> _unigramValues = new();
        private readonly List<NGramLevel> _levels = new();
        private ulong[] _keys = [];
        private float[] _prob = [];
        private float[] _backoff = [];
        private readonly int[] _ids = new int[ModelState.MaxOrder];
        private readonly int[] _chain = new int[ModelState.MaxOrder + 1];
        private int _chainValid;
        private char[] _previousWords = new char[256];
        private readonly (int Start, int Length)[] _previousRanges = new (int, int)[ModelState.MaxOrder];

        private void RememberWords(ReadOnlySpan<char> text, ReadOnlySpan<Range> fields)
        {
            int total = 0;
            for (int j = 0; j < _order; j++) total += text[fields[j + 1]].Length;
            if (_previousWords.Length < total) _previousWords = new char[total * 2];
            int at = 0;
            for (int j = 0; j < _order; j++)
            {
                var word = text[fields[j + 1]];
                word.CopyTo(_previousWords.AsSpan(at));
                _previousRanges[j] = (at, word.Length);
                at += word.Length;
            }
        }

        public void Line(ReadOnlySpan<char> line, long number)
        {
            _lineNumber = number;
            var text = line.Trim();
            switch (_part)
            {
                case Part.BeforeData:
                    if (text.IsEmpty) return;
                    if (!text.SequenceEqual("\\data\\")) throw Error("expected \\data\\ at the start of an ARPA file");
                    _part = Part.Counts;
                    return;
                case Part.Counts:
                    if (text.IsEmpty) { if (_declared.Count > 0) _part = Part.BetweenSections; return; }
                    if (text.StartsWith("ngram ")) { ParseCount(text); return; }
                    if (_declared.Count == 0) throw Error("expected 'ngram 1=<count>' after \\data\\");
                    _part = Part.BetweenSections;
                    Line(line, number);
                    return;
                case Part.BetweenSections:
                    if (text.IsEmpty) return;
                    StartSection(text);
                    return;
                case Part.Section:
                    if (text.IsEmpty) return;
                    if (text[0] == '\\') { EndSection(); _part = Part.BetweenSections; Line(line, number); return; }
                    if (_seen == _declared[_order - 1])
                        throw Error($"more {_order}-grams than the {_declared[_order - 1]} declared in \\data\\");
                    if (_order == 1) ParseUnigram(text); else ParseNGram(text);
                    _seen++;
                    return;
                case Part.End:
                    if (!text.IsEmpty) throw Error("text after \\end\\");
                    return;
            }
        }

        private void ParseCount(ReadOnlySpan<char> text)
        {
            var rest = text["ngram ".Length..];
            int eq = rest.IndexOf('=');
            if (eq < 0 || !int.TryParse(rest[..eq].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int n)
                || !long.TryParse(rest[(eq + 1)..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long count))
                throw Error($"malformed count line '{text}' (expected 'ngram N=count')");
            if (n != _declared.Count + 1) throw Error($"expected the count of {_declared.Count + 1}-grams, found {n}-grams");
            if (n > ModelState.MaxOrder) throw Error($"order {n} is above the supported maximum {ModelState.MaxOrder}");
            if (count > int.MaxValue) throw Error($"{count} {n}-grams is more than this format supports");
            _declared.Add(count);
        }

        private void StartSection(ReadOnlySpan<char> text)
        {
            int expected = _order + 1;
            if (text.SequenceEqual("\\end\\"))
            {
                if (_order < _declared.Count) throw Error($"missing \\{expected}-grams: section before \\end\\");
                _part = Part.End;
                return;
            }
            if (!text.SequenceEqual($"\\{expected}-grams:"))
                throw Error(expected > _declared.Count
                    ? $"unexpected '{text}': \\data\\ declares only {_declared.Count} orders"
                    : $"expected \\{expected}-grams: but found '{text}' (missing section?)");
            _order = expected;
            _seen = 0;
            _chainValid = 0;
            Array.Fill(_previousRanges, (0, -1)); // no previous line in this section
            if (_order > 1)
            {
                int count = (int)_declared[_order - 1];
                _keys = PinnedArray.Allocate<ulong>(count);
                _prob = PinnedArray.Allocate<float>(count);
                _backoff = PinnedArray.Allocate<float>(count);
            }
            _part = Part.Section;
        }

        private void EndSection()
        {
            if (_seen != _declared[_order - 1])
                throw Error($"\\data\\ declares {_declared[_order - 1]} {_order}-grams but the section has {_seen}");
            if (_order == 1) FinishUnigrams(); else FinishLevel();
        }

        private float ParseNumber(ReadOnlySpan<char> field, string what)
        {
            if (!ArpaNumber.TryParse(field, out float value)) throw Error($"{what} '{field}' is not a number");
            return value;
        }

        /// <summary>
        /// Splits a line into probability, words and optional backoff, checking the number of words. With tabs
        /// (as KenLM and SRILM write) the words are the second tab field; otherwise every space separates fields.
        /// </summary>
        private int Split(ReadOnlySpan<char> text, Span<Range> fields)
        {
            int count = 0;
            int tab1 = text.IndexOf('\t');
            if (tab1 >= 0)
            {
                int tab2 = text[(tab1 + 1)..].IndexOf('\t');
                int wordsEnd = tab2 < 0 ? text.Length : tab1 + 1 + tab2;
                fields[count++] = new Range(0, tab1);
                int words = 0;
                for (int i = tab1 + 1; i < wordsEnd; i++)
                {
                    if (text[i] == ' ') continue;
                    int start = i;
                    while (i < wordsEnd && text[i] != ' ') i++;
                    if (++words <= _order) fields[count++] = new Range(start, i);
                }
                if (words != _order) count = 0; // wrong number of words: reported below
                else if (tab2 >= 0) fields[count++] = new Range(wordsEnd + 1, text.Length);
            }
            else
            {
                foreach (var range in text.SplitAny(" \t"))
                {
                    if (text[range].IsEmpty) continue;
                    if (count == fields.Length) { count++; break; }
                    fields[count++] = range;
                }
            }
            if (count < _order + 1 || count > _order + 2)
                throw Error($"expected a {_order}-gram (log10 probability, {_order} word{(_order == 1 ? "" : "s")}, optional backoff) but the line does not have that shape");
            return count;
        }

        private void ParseUnigram(ReadOnlySpan<char> text)
        {
            Span<Range> f = stackalloc Range[3];
            int n = Split(text, f);
            float prob = ParseNumber(text[f[0]], "log10 probability");
            float backoff = n == 3 ? ParseNumber(text[f[2]], "backoff") : 0f;
            _unigramWords.Add(text[f[1]].ToString());
            _unigramValues.Add((prob, backoff));
        }

        private void ParseNGram(ReadOnlySpan<char> text)
        {
            Span<Range> f = stackalloc Range[ModelState.MaxOrder + 2];
            int count = Split(text, f[..(_order + 2)]);
            float prob = ParseNumber(text[f[0]], "log10 probability");
            float backoff = count == _order + 2 ? ParseNumber(text[f[_order + 1]], "backoff") : 0f;
            // Files are usually in suffix order, so the previous line's trailing words and suffix chain are reused.
            int same = _order;
            for (int j = _order - 1; j >= 0; j--)
            {
                var word = text[f[j + 1]];
                if (same == j + 1 && _previousRanges[j].Length >= 0 && word.SequenceEqual(_previousWords.AsSpan(_previousRanges[j].Start, _previousRanges[j].Length)))
                {
                    same = j;
                    continue;
                }
                if (!_vocab.TryFind(word, out _ids[j])) throw Error($"word '{word}' is not among the unigrams");
            }
            RememberWords(text, f);
            // The suffix (all words but the first) must already be stored one order below; _chain[k] is the node of
            // the last k words. Positions from 'same' on are unchanged, so their nodes are too.
            int unchanged = _order - same;
            _chain[1] = _ids[_order - 1];
            for (int k = 2; k < _order; k++)
            {
                if (k <= unchanged && _chainValid >= k) continue;
                _chain[k] = _levels[k - 1].Find(_chain[k - 1], _ids[_order - k]);
                if (_chain[k] < 0)
                {
                    _chainValid = 0;
                    throw Error($"the {_order - 1}-gram suffix of this {_order}-gram is missing from the model");
                }
            }
            _chainValid = _order - 1;
            int node = _chain[_order - 1];
            int i = (int)_seen;
            _keys[i] = NGramLevel.Key(node, _ids[0]);
            _prob[i] = prob;
            _backoff[i] = backoff;
        }

        private void FinishUnigrams()
        {
            // Special words get KenLM's fixed ids; everything else keeps file order.
            string[] specials = [Vocabulary.Unknown, Vocabulary.Begin, Vocabulary.End];
            var values = new Dictionary<string, (float, float)>(StringComparer.Ordinal);
            for (int i = 0; i < _unigramWords.Count; i++)
                if (!values.TryAdd(_unigramWords[i], _unigramValues[i])) throw Error($"unigram '{_unigramWords[i]}' appears twice");
            foreach (var s in specials)
            {
                _vocab.Add(s);
                if (values.ContainsKey(s)) continue;
                if (s == Vocabulary.Unknown)
                    progress.Warn($"{path}: the ARPA file is missing <unk>; substituting log10 probability {MissingUnknownLog10}");
                else
                    progress.Warn($"{path}: the ARPA file is missing {s}; adding it with log10 probability -99");
                values[s] = (s == Vocabulary.Unknown ? MissingUnknownLog10 : -99f, 0f);
            }
            foreach (var w in _unigramWords) if (!specials.Contains(w)) _vocab.Add(w);
            int v = _vocab.Count;
            var keys = PinnedArray.Allocate<ulong>(v);
            var prob = PinnedArray.Allocate<float>(v);
            var backoff = PinnedArray.Allocate<float>(v);
            for (int id = 0; id < v; id++)
            {
                keys[id] = (ulong)id;
                (prob[id], backoff[id]) = values[_vocab[id]];
            }
            _levels.Add(NGramLevel.FromArrays(1, keys, prob, backoff));
        }

        private void FinishLevel()
        {
            // Files written in suffix order (lmplz's and ours) are already sorted by key: the arrays are used as they are.
            bool sorted = true;
            for (int i = 1; i < _keys.Length && sorted; i++) sorted = _keys[i - 1] < _keys[i];
            ulong[] keys;
            float[] prob, backoff;
            if (sorted)
            {
                (keys, prob, backoff) = (_keys, _prob, _backoff);
            }
            else
            {
                var perm = new int[_keys.Length];
                for (int i = 0; i < perm.Length; i++) perm[i] = i;
                keys = PinnedArray.Allocate<ulong>(_keys.Length);
                _keys.AsSpan().CopyTo(keys);
                Array.Sort(keys, perm);
                for (int i = 1; i < keys.Length; i++)
                    if (keys[i] == keys[i - 1]) throw Error($"an {_order}-gram appears twice in the \\{_order}-grams: section");
                prob = PinnedArray.Allocate<float>(perm.Length);
                backoff = PinnedArray.Allocate<float>(perm.Length);
                for (int i = 0; i < perm.Length; i++) { prob[i] = _prob[perm[i]]; backoff[i] = _backoff[perm[i]]; }
            }
            _levels.Add(NGramLevel.FromArrays(_order, keys, prob, backoff));
            _keys = []; _prob = []; _backoff = [];
        }

        public BackoffModel Finish()
        {
            if (_part == Part.Section) EndSection();
            if (_declared.Count == 0) throw new PerplexException("no \\data\\ section (is this an ARPA file?)", path);
            if (_levels.Count < _declared.Count)
                throw new PerplexException($"the file ends before the \\{_levels.Count + 1}-grams: section", path, _lineNumber);
            if (_part != Part.End) throw new PerplexException("missing \\end\\ (truncated file?)", path, _lineNumber);
            // The highest order carries no backoffs.
            var top = _levels[^1];
            NGramLevel[] levels = [.. _levels];
            unsafe
            {
                levels[^1] = new NGramLevel(top.Order, top.Count, top.Keys, top.Prob, null, top.Slots, top.SlotMask + 1, top);
            }
            return new BackoffModel(_vocab, levels, isNormalized: true, smoothing: "arpa");
        }

        private PerplexException Error(string problem) => new(problem, path, _lineNumber);
    }
}
