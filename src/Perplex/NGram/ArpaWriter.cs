using System.Runtime.Intrinsics.X86;
using System.Text;

namespace Perplex.NGram;

/// <summary>Writes a <see cref="BackoffModel"/> as an ARPA file laid out like lmplz's (n-grams in suffix order).</summary>
public static class ArpaWriter
{
    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> (UTF-8, LF line ends).</summary>
    public static void Write(BackoffModel model, string path, Diagnostics.IProgressSink? progress = null)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        Write(model, bytes => stream.Write(bytes), progress);
    }

    /// <summary>Writes <paramref name="model"/> to <paramref name="writer"/>.</summary>
    public static void Write(BackoffModel model, TextWriter writer, Diagnostics.IProgressSink? progress = null)
    {
        var decoder = new UTF8Encoding(false).GetDecoder(); // keeps a character split between two blocks whole
        var chars = new char[1 << 16];
        Write(model, bytes =>
        {
            while (!bytes.IsEmpty)
            {
                var piece = bytes[..Math.Min(bytes.Length, chars.Length)];
                int n = decoder.GetChars(piece, chars, flush: false);
                writer.Write(chars, 0, n);
                bytes = bytes[piece.Length..];
            }
        }, progress);
    }

    private delegate void ByteSink(ReadOnlySpan<byte> bytes);

    /// <summary>
    /// Assembles the file as UTF-8 bytes in a 1 MiB block: words are encoded once, numbers formatted straight into
    /// the block, and because n-grams come in suffix order the encoded suffix of the previous line is reused whenever
    /// the parent is the same (it mostly is), instead of walking the trie and copying every word again.
    /// </summary>
    private static unsafe void Write(BackoffModel model, ByteSink sink, Diagnostics.IProgressSink? progress)
    {
        var levels = model.Levels;
        progress?.BeginStage("writing", levels.Sum(l => (long)l.Count), "n-grams");
        var (text, offsets) = EncodeWords(model.Vocabulary);
        fixed (byte* textAt = text)
        fixed (int* offsetsAt = offsets)
        {
        var block = new byte[1 << 20];
        var numbers = new NumberCache();
        int used = 0;

        void Flush()
        {
            sink(block.AsSpan(0, used));
            used = 0;
        }

        void Ascii(string s)
        {
            if (used + s.Length > block.Length) Flush();
            used += Encoding.ASCII.GetBytes(s, block.AsSpan(used));
        }

        Ascii("\\data\\\n");
        for (int n = 1; n <= levels.Length; n++) Ascii($"ngram {n}={levels[n - 1].Count}\n");
        Span<int> words = stackalloc int[ModelState.MaxOrder];
        var suffix = new byte[256];
        for (int n = 1; n <= levels.Length; n++)
        {
            var level = levels[n - 1];
            Ascii($"\n\\{n}-grams:\n");
            int suffixLength = 0, suffixOf = -1;
            for (int i = 0; i < level.Count; i++)
            {
                if (n > 1 && Sse.IsSupported)
                {
                    // The first words of coming lines are scattered over the encoded vocabulary: request their offsets
                    // 16 lines ahead and their bytes 8 lines ahead, so the copies below find them cached.
                    if (i + 16 < level.Count) Sse.Prefetch0(offsetsAt + level.Word(i + 16));
                    if (i + 8 < level.Count) Sse.Prefetch0(textAt + offsetsAt[level.Word(i + 8)]);
                }
                int first = i;
                if (n > 1)
                {
                    first = level.Word(i);
                    int parent = level.Parent(i);
                    if (parent != suffixOf)
                    {
                        // " w2 … wn", encoded once per parent.
                        NGramWords(levels, n, i, words);
                        suffixLength = 0;
                        for (int j = 1; j < n; j++)
                        {
                            int length = offsets[words[j] + 1] - offsets[words[j]];
                            if (suffixLength + 1 + length > suffix.Length) Array.Resize(ref suffix, Math.Max(suffix.Length * 2, suffixLength + 1 + length));
                            suffix[suffixLength++] = (byte)' ';
                            text.AsSpan(offsets[words[j]], length).CopyTo(suffix.AsSpan(suffixLength));
                            suffixLength += length;
                        }
                        suffixOf = parent;
                    }
                }
                int firstLength = offsets[first + 1] - offsets[first];
                if (used + 2 * ArpaNumber.MaxLength + firstLength + suffixLength + 3 > block.Length) Flush();
                if (used + 2 * ArpaNumber.MaxLength + firstLength + suffixLength + 3 > block.Length) block = new byte[2 * (2 * ArpaNumber.MaxLength + firstLength + suffixLength + 3)];
                var line = block.AsSpan(used);
                int at = numbers.Format(level.Prob[i], line);
                line[at++] = (byte)'\t';
                text.AsSpan(offsets[first], firstLength).CopyTo(line[at..]);
                at += firstLength;
                suffix.AsSpan(0, suffixLength).CopyTo(line[at..]);
                at += suffixLength;
                if (level.Backoff != null)
                {
                    line[at++] = (byte)'\t';
                    at += numbers.Format(level.Backoff[i], line[at..]);
                }
                line[at++] = (byte)'\n';
                used += at;
                if ((i & 0xFFFF) == 0xFFFF) progress?.Advance(0x10000);
            }
            progress?.Advance(level.Count & 0xFFFF);
        }
        Ascii("\n\\end\\\n");
        Flush();
        }
    }

    /// <summary>
    /// Formatted numbers by their bits, direct-mapped: a model's probabilities and backoffs repeat a lot (about one
    /// value in four is distinct in the NSMC model), and shortest round-trip formatting is the writer's costliest step.
    /// </summary>
    private sealed class NumberCache
    {
        private const int Bits = 16, Width = 16;
        private readonly uint[] _keys = new uint[1 << Bits];
        private readonly byte[] _lengths = new byte[1 << Bits];
        private readonly byte[] _text = new byte[(1 << Bits) * Width];

        public int Format(float value, Span<byte> destination)
        {
            uint bits = BitConverter.SingleToUInt32Bits(value);
            int slot = (int)((bits * 0x9E3779B1u) >> (32 - Bits));
            int length = _lengths[slot];
            if (length != 0 && _keys[slot] == bits)
            {
                _text.AsSpan(slot * Width, length).CopyTo(destination);
                return length;
            }
            length = ArpaNumber.FormatUtf8(value, destination);
            if (length <= Width)
            {
                _keys[slot] = bits;
                _lengths[slot] = (byte)length;
                destination[..length].CopyTo(_text.AsSpan(slot * Width));
            }
            return length;
        }
    }

    /// <summary>Every word's UTF-8 spelling, concatenated, with offsets (word i is text[offsets[i]..offsets[i+1]]).</summary>
    private static (byte[] Text, int[] Offsets) EncodeWords(Vocabulary vocabulary)
    {
        var offsets = new int[vocabulary.Count + 1];
        for (int i = 0; i < vocabulary.Count; i++) offsets[i + 1] = checked(offsets[i] + Encoding.UTF8.GetByteCount(vocabulary[i]));
        var text = new byte[offsets[^1]];
        for (int i = 0; i < vocabulary.Count; i++) Encoding.UTF8.GetBytes(vocabulary[i], text.AsSpan(offsets[i]));
        return (text, offsets);
    }

    /// <summary>The word ids of n-gram <paramref name="index"/> of order <paramref name="n"/>, oldest first.</summary>
    internal static void NGramWords(NGramLevel[] levels, int n, int index, Span<int> words)
    {
        for (int k = n; k >= 2; k--)
        {
            var level = levels[k - 1];
            words[n - k] = level.Word(index);
            index = level.Parent(index);
        }
        words[n - 1] = index;
    }
}
