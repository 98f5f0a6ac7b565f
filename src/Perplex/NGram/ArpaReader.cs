using System.Globalization;
using System.Text;
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
        CorpusReader.ReadLineUtf8(path, parser.Line, b => progress.Advance(b));
        return parser.Finish();
    }

    /// <summary>
    /// Works on the UTF-8 bytes of each line (nothing is decoded but the unigrams' spellings): words are found by
    /// their hashed bytes in a probing table built from the unigram section, numbers are parsed from bytes, and the
    /// words and suffix chain of the previous line are reused because files list n-grams in suffix order.
    /// </summary>
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
        private readonly List<ulong> _unigramHashes = new();
        private readonly List<(float Prob, float Backoff)> _unigramValues = new();
        private readonly List<NGramLevel> _levels = new();
        private ArpaNGramSection? _section;

        public void Line(ReadOnlySpan<byte> line, long number)
        {
            _lineNumber = number;
            var text = line[Ascii.Trim(line)];
            switch (_part)
            {
                case Part.BeforeData:
                    if (text.IsEmpty) return;
                    if (!text.SequenceEqual("\\data\\"u8)) throw Error("expected \\data\\ at the start of an ARPA file");
                    _part = Part.Counts;
                    return;
                case Part.Counts:
                    if (text.IsEmpty) { if (_declared.Count > 0) _part = Part.BetweenSections; return; }
                    if (text.StartsWith("ngram "u8)) { ParseCount(text); return; }
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
                        throw FlushThen($"more {_order}-grams than the {_declared[_order - 1]} declared in \\data\\");
                    if (_order == 1) ParseUnigram(text); else _section!.Add(text, number);
                    _seen++;
                    return;
                case Part.End:
                    if (!text.IsEmpty) throw Error("text after \\end\\");
                    return;
            }
        }

        private void ParseCount(ReadOnlySpan<byte> text)
        {
            var rest = text["ngram ".Length..];
            int eq = rest.IndexOf((byte)'=');
            if (eq < 0 || !int.TryParse(rest[..eq][Ascii.Trim(rest[..eq])], NumberStyles.None, CultureInfo.InvariantCulture, out int n)
                || !long.TryParse(rest[(eq + 1)..][Ascii.Trim(rest[(eq + 1)..])], NumberStyles.None, CultureInfo.InvariantCulture, out long count))
                throw Error($"malformed count line '{Show(text)}' (expected 'ngram N=count')");
            if (n != _declared.Count + 1) throw Error($"expected the count of {_declared.Count + 1}-grams, found {n}-grams");
            if (n > ModelState.MaxOrder) throw Error($"order {n} is above the supported maximum {ModelState.MaxOrder}");
            if (count > int.MaxValue) throw Error($"{count} {n}-grams is more than this format supports");
            _declared.Add(count);
        }

        private void StartSection(ReadOnlySpan<byte> text)
        {
            int expected = _order + 1;
            if (text.SequenceEqual("\\end\\"u8))
            {
                if (_order < _declared.Count) throw Error($"missing \\{expected}-grams: section before \\end\\");
                _part = Part.End;
                return;
            }
            if (Show(text) != $"\\{expected}-grams:")
                throw Error(expected > _declared.Count
                    ? $"unexpected '{Show(text)}': \\data\\ declares only {_declared.Count} orders"
                    : $"expected \\{expected}-grams: but found '{Show(text)}' (missing section?)");
            _order = expected;
            _seen = 0;
            if (_order > 1)
                _section = new ArpaNGramSection(_order, (int)_declared[_order - 1], _levels, _vocab, (problem, line) => new PerplexException(problem, path, line));
            _part = Part.Section;
        }

        private void EndSection()
        {
            _section?.Flush();
            if (_seen != _declared[_order - 1])
                throw Error($"\\data\\ declares {_declared[_order - 1]} {_order}-grams but the section has {_seen}");
            if (_order == 1) FinishUnigrams(); else FinishLevel();
        }

        private float ParseNumber(ReadOnlySpan<byte> field, string what)
        {
            if (!ArpaNumber.TryParse(field, out float value)) throw Error($"{what} '{Show(field)}' is not a number");
            return value;
        }

        private void ParseUnigram(ReadOnlySpan<byte> text)
        {
            Span<Range> f = stackalloc Range[3];
            int n = ArpaLine.Split(text, 1, f);
            if (n < 0) throw Error(ArpaLine.ShapeProblem(1));
            float prob = ParseNumber(text[f[0]], "log10 probability");
            float backoff = n == 3 ? ParseNumber(text[f[2]], "backoff") : 0f;
            _unigramWords.Add(Encoding.UTF8.GetString(text[f[1]]));
            _unigramHashes.Add(NGramHash.Utf8(text[f[1]]));
            _unigramValues.Add((prob, backoff));
        }

        private void FinishUnigrams()
        {
            // Special words get KenLM's fixed ids; everything else keeps file order.
            string[] specials = [Vocabulary.Unknown, Vocabulary.Begin, Vocabulary.End];
            var at = new int[specials.Length];
            Array.Fill(at, -1);
            for (int i = 0; i < _unigramWords.Count; i++)
            {
                int s = Array.IndexOf(specials, _unigramWords[i]);
                if (s < 0) continue;
                if (at[s] >= 0) throw Error($"unigram '{specials[s]}' appears twice");
                at[s] = i;
            }
            int v = _unigramWords.Count + at.Count(i => i < 0);
            var keys = PinnedArray.Allocate<ulong>(v);
            var prob = PinnedArray.Allocate<float>(v);
            var backoff = PinnedArray.Allocate<float>(v);
            // The words' hashed spellings, so n-gram lines are resolved from their bytes (null after a hash collision).
            ProbingTable<WordEntry>? spellings = ProbingTable<WordEntry>.Allocate(v);
            for (int s = 0; s < specials.Length; s++)
            {
                int id = _vocab.Add(specials[s]);
                ulong hash = at[s] >= 0 ? _unigramHashes[at[s]] : NGramHash.Utf8(Encoding.UTF8.GetBytes(specials[s]));
                if (spellings is not null && !spellings.TryInsert(new WordEntry { Hash = hash, Id = id })) spellings = null;
                if (at[s] >= 0) { (prob[id], backoff[id]) = _unigramValues[at[s]]; continue; }
                if (specials[s] == Vocabulary.Unknown)
                    progress.Warn($"{path}: the ARPA file is missing <unk>; substituting log10 probability {MissingUnknownLog10}");
                else
                    progress.Warn($"{path}: the ARPA file is missing {specials[s]}; adding it with log10 probability -99");
                (prob[id], backoff[id]) = (specials[s] == Vocabulary.Unknown ? MissingUnknownLog10 : -99f, 0f);
            }
            for (int i = 0; i < _unigramWords.Count; i++)
            {
                if (Array.IndexOf(at, i) >= 0) continue;
                if (!_vocab.TryAdd(_unigramWords[i], out int id)) throw Error($"unigram '{_unigramWords[i]}' appears twice");
                (prob[id], backoff[id]) = _unigramValues[i];
                if (spellings is not null && !spellings.TryInsert(new WordEntry { Hash = _unigramHashes[i], Id = id })) spellings = null;
            }
            for (int id = 0; id < v; id++) keys[id] = (ulong)id;
            if (spellings is not null) _vocab.UseUtf8Table(spellings);
            _unigramWords.Clear();
            _unigramHashes.Clear();
            _unigramValues.Clear();
            _levels.Add(NGramLevel.FromArrays(1, keys, prob, backoff));
        }

        private void FinishLevel()
        {
            var section = _section!;
            _section = null;
            var (keysRead, probRead, backoffRead) = (section.Keys, section.Prob, section.Backoff);
            // Files written in suffix order (lmplz's and ours) are already sorted by key: the arrays are used as they are.
            bool sorted = true;
            for (int i = 1; i < keysRead.Length && sorted; i++) sorted = keysRead[i - 1] < keysRead[i];
            ulong[] keys;
            float[] prob, backoff;
            if (sorted)
            {
                (keys, prob, backoff) = (keysRead, probRead, backoffRead);
            }
            else
            {
                var perm = new int[keysRead.Length];
                for (int i = 0; i < perm.Length; i++) perm[i] = i;
                keys = PinnedArray.CopyOf<ulong>(keysRead);
                Array.Sort(keys, perm);
                for (int i = 1; i < keys.Length; i++)
                    if (keys[i] == keys[i - 1]) throw Error($"an {_order}-gram appears twice in the \\{_order}-grams: section");
                prob = PinnedArray.Allocate<float>(perm.Length);
                backoff = PinnedArray.Allocate<float>(perm.Length);
                for (int i = 0; i < perm.Length; i++) { prob[i] = probRead[perm[i]]; backoff[i] = backoffRead[perm[i]]; }
            }
            _levels.Add(NGramLevel.FromArrays(_order, keys, prob, backoff));
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

        /// <summary>An error on the current line, after the queued lines before it (whose own errors come first).</summary>
        private PerplexException FlushThen(string problem)
        {
            _section?.Flush();
            return Error(problem);
        }

        private static string Show(ReadOnlySpan<byte> text) => Encoding.UTF8.GetString(text);
    }
}
