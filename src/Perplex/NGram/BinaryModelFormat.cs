using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using System.Text;

namespace Perplex.NGram;

/// <summary>
/// Perplex's binary n-gram format: the in-memory arrays written as they are, so loading is a memory map plus a
/// vocabulary read — no parsing, no hashing. Layout (little-endian, every array 8-byte aligned):
/// header (magic <c>PPLXNGRM</c>, version, kind, order, flags, k, tokens, smoothing name), vocabulary (offsets and
/// UTF-8 text), then per order: count, slot count, keys (ulong), log10 probabilities (float), backoffs (float,
/// not for the highest order) and the hash slots (int).
/// Version 2 adds, when the flags say so, KenLM-style probing tables (<see cref="ProbingTable{T}"/>, 16-byte slots):
/// one of hashed UTF-8 spellings after the vocabulary (query text is looked up without decoding) and one per order
/// 2..N after that order's arrays (hash, log10 probability, backoff together); orders 2..N then store no trie hash
/// slots (slot count 0), which are rebuilt in memory only if an export or autocomplete walks the trie. Version 1 files are still read.
/// Quantized files leave the probing tables out: they hold full floats and would undo the saving.
/// </summary>
internal static unsafe class BinaryModelFormat
{
    private static readonly byte[] Magic = "PPLXNGRM"u8.ToArray();
    private const int Version = 2;
    private const int KindBackoff = 0, KindAddK = 1;
    private const int FlagNormalized = 1, FlagQuantized = 2, FlagWordTable = 4, FlagProbing = 8;

    /// <summary>Whether the file starts with the binary magic.</summary>
    public static bool IsBinary(string path)
    {
        using var f = File.OpenRead(path);
        Span<byte> head = stackalloc byte[8];
        return f.Read(head) == 8 && head.SequenceEqual(Magic);
    }

    /// <param name="model">Backoff or add-k model.</param>
    /// <param name="path">Where to write (via a temporary file, so a crash never leaves half a model).</param>
    /// <param name="quantize">Store probabilities and backoffs as 8-bit codes into 256-entry tables per order.</param>
    /// <param name="withProbing">Add probing tables (backoff models of order 2 and more, not quantized).</param>
    public static void Write(ILanguageModel model, string path, bool quantize = false, bool withProbing = true)
    {
        var (levels, kind, k, tokens, smoothing) = model switch
        {
            BackoffModel b => (b.Levels, KindBackoff, 0.0, 0L, b.Smoothing),
            AddKModel a => (a.Levels, KindAddK, a.K, a.Tokens, "addk"),
            _ => throw new PerplexException($"{model.GetType().Name} cannot be saved in the binary format"),
        };
        if (quantize && kind == KindAddK) throw new PerplexException("add-k models store counts, which cannot be quantized", path);
        string temp = path + ".tmp";
        // Probing tables are built one order at a time as they are written, so at most one is in memory. Should two
        // n-grams' hashes collide (practically never), the file is written again without them.
        bool probing = withProbing && model is BackoffModel && !quantize && levels.Length > 1;
        if (!TryWrite(model, levels, kind, k, tokens, smoothing, temp, quantize, probing))
            TryWrite(model, levels, kind, k, tokens, smoothing, temp, quantize, probing: false);
        File.Move(temp, path, overwrite: true);
    }

    private static bool TryWrite(ILanguageModel model, NGramLevel[] levels, int kind, double k, long tokens, string smoothing,
        string temp, bool quantize, bool probing)
    {
        var mapped = (model as BackoffModel)?.Probing;
        var builder = probing && mapped is null ? new NGramProbing.Builder(levels) : null;
        var wordTable = model.Vocabulary.Utf8Table;
        int flags = (model.IsNormalized ? FlagNormalized : 0) | (quantize ? FlagQuantized : 0)
                    | (wordTable is null ? 0 : FlagWordTable) | (probing ? FlagProbing : 0);
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        using (var w = new BinaryWriter(file))
        {
            w.Write(Magic);
            w.Write(Version);
            w.Write(kind);
            w.Write(levels.Length);
            w.Write(flags);
            w.Write(k);
            w.Write(tokens);
            var name = Encoding.UTF8.GetBytes(smoothing);
            w.Write(name.Length);
            w.Write(name);
            Align(w);

            var vocab = model.Vocabulary;
            var text = new MemoryStream();
            var offsets = new int[vocab.Count + 1];
            for (int i = 0; i < vocab.Count; i++)
            {
                var bytes = Encoding.UTF8.GetBytes(vocab[i]);
                text.Write(bytes);
                offsets[i + 1] = checked((int)text.Length);
            }
            w.Write(vocab.Count);
            w.Write(offsets.Length);
            w.Write(MemoryMarshal.AsBytes(offsets.AsSpan()));
            w.Write(text.GetBuffer(), 0, (int)text.Length);
            Align(w);
            if (wordTable is not null) WriteTable(w, wordTable);

            for (int n = 0; n < levels.Length; n++)
            {
                var level = levels[n];
                // With probing tables the trie's hash slots are left out (slot count 0): rebuilt in memory if ever needed.
                bool slots = !probing || n == 0;
                w.Write(level.Count);
                w.Write(slots ? level.SlotMask + 1 : 0);
                w.Write(new ReadOnlySpan<byte>(level.Keys, level.Count * sizeof(ulong)));
                WriteValues(w, new ReadOnlySpan<float>(level.Prob, level.Count), quantize, keepZero: false);
                if (level.Backoff != null) WriteValues(w, new ReadOnlySpan<float>(level.Backoff, level.Count), quantize, keepZero: true);
                if (slots) w.Write(new ReadOnlySpan<byte>(level.Slots, (level.SlotMask + 1) * sizeof(int)));
                Align(w);
                if (!probing || n == 0) continue;
                if (mapped is not null)
                {
                    WriteTable(w, mapped[n]);
                    continue;
                }
                var table = builder!.Next();
                if (table is null) return false;
                WriteTable(w, table);
                table = null;
                MemoryRelease.Now(); // this order's table is garbage: reclaim it before the next one is built
            }
        }
        return true;
    }

    /// <summary>Word <paramref name="id"/> of a mapped vocabulary; the mapping must still be open.</summary>
    private static string Spelling(nint text, nint offsets, int id, Mapping owner)
    {
        if (owner.IsDisposed) throw new ObjectDisposedException("binary n-gram model", "the model was disposed before its vocabulary was read");
        int* o = (int*)offsets;
        return Encoding.UTF8.GetString((byte*)text + o[id], o[id + 1] - o[id]);
    }

    private static void WriteTable<T>(BinaryWriter w, ProbingTable<T> table) where T : unmanaged, IProbingEntry
    {
        w.Write(table.Size);
        w.Flush();
        table.WriteTo(w.BaseStream);
    }

    private static ProbingTable<T> ReadTable<T>(Cursor reader, object owner) where T : unmanaged, IProbingEntry
    {
        long size = reader.Long();
        if (size < 1) throw reader.Error("corrupt probing table");
        return new ProbingTable<T>((T*)reader.Take(size * sizeof(T)), size, owner);
    }

    private static void WriteValues(BinaryWriter w, ReadOnlySpan<float> values, bool quantize, bool keepZero)
    {
        if (!quantize)
        {
            w.Write(MemoryMarshal.AsBytes(values));
            Align(w);
            return;
        }
        var centres = Quantizer.Centres(values, keepZero);
        var table = new float[Quantizer.Levels];
        centres.CopyTo(table, 0);
        w.Write(MemoryMarshal.AsBytes(table.AsSpan()));
        var codes = new byte[values.Length];
        for (int i = 0; i < codes.Length; i++) codes[i] = Quantizer.Encode(centres, values[i]);
        w.Write(codes);
        Align(w);
    }

    /// <summary>Reads stored values: a pointer into the mapping, or for quantized files a decoded pinned array.</summary>
    private static float* ReadValues(Cursor reader, int count, bool quantized, List<object> decoded)
    {
        if (!quantized)
        {
            var p = (float*)reader.Take((long)count * sizeof(float));
            reader.Align();
            return p;
        }
        var table = (float*)reader.Take(Quantizer.Levels * sizeof(float));
        byte* codes = reader.Take(count);
        reader.Align();
        var values = PinnedArray.Allocate<float>(count);
        for (int i = 0; i < count; i++) values[i] = table[codes[i]];
        decoded.Add(values);
        return PinnedArray.Pointer(values);
    }

    private static void Align(BinaryWriter w)
    {
        while (w.BaseStream.Position % 8 != 0) w.Write((byte)0);
    }

    public static ILanguageModel Read(string path)
    {
        long length = new FileInfo(path).Length;
        var mapping = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        var view = mapping.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        byte* basePtr = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref basePtr);
        var owner = new Mapping(mapping, view);
        try
        {
            var reader = new Cursor(basePtr, length, path);
            if (!new ReadOnlySpan<byte>(reader.Take(8), 8).SequenceEqual(Magic)) throw reader.Error("not a Perplex binary n-gram model");
            int version = reader.Int();
            if (version is < 1 or > Version)
                throw reader.Error($"binary model version {version} is not supported (this Perplex reads versions 1 to {Version}); " +
                                   "convert the model with the Perplex that wrote it to ARPA, then back with this one");
            int kind = reader.Int();
            int order = reader.Int();
            if (order < 1 || order > ModelState.MaxOrder) throw reader.Error($"bad order {order}");
            int flags = reader.Int();
            bool normalized = (flags & FlagNormalized) != 0, quantized = (flags & FlagQuantized) != 0;
            bool hasProbing = (flags & FlagProbing) != 0;
            double k = reader.Double();
            long tokens = reader.Long();
            int nameLength = reader.Int();
            string smoothing = Encoding.UTF8.GetString(reader.Take(nameLength), nameLength);
            reader.Align();

            int vocabCount = reader.Int();
            int offsetCount = reader.Int();
            if (offsetCount != vocabCount + 1) throw reader.Error("corrupt vocabulary");
            int* offsets = (int*)reader.Take(offsetCount * sizeof(int));
            byte* text = reader.Take(offsets[vocabCount]);
            reader.Align();
            Vocabulary vocab;
            if ((flags & FlagWordTable) != 0)
            {
                // Queries look words up in the mapped table of hashed spellings: strings are decoded only if asked for.
                var table = ReadTable<WordEntry>(reader, owner);
                for (int i = 0; i < vocabCount; i++)
                    if (offsets[i + 1] < offsets[i] || offsets[i] < 0) throw reader.Error("corrupt vocabulary");
                nint textAt = (nint)text, offsetsAt = (nint)offsets;
                vocab = Vocabulary.Deferred(vocabCount, i => Spelling(textAt, offsetsAt, i, owner), table);
            }
            else
            {
                vocab = Vocabulary.CreateEmpty();
                for (int i = 0; i < vocabCount; i++)
                    vocab.Add(Encoding.UTF8.GetString(text + offsets[i], offsets[i + 1] - offsets[i]));
            }

            var levels = new NGramLevel[order];
            var probing = hasProbing && order > 1 ? new ProbingTable<NGramEntry>[order] : null;
            for (int n = 1; n <= order; n++)
            {
                int count = reader.Int();
                int slots = reader.Int();
                var keys = (ulong*)reader.Take((long)count * sizeof(ulong));
                var prob = ReadValues(reader, count, quantized, owner.Decoded);
                float* backoff = n < order ? ReadValues(reader, count, quantized, owner.Decoded) : null;
                if (slots < 0 || (slots == 0 && !hasProbing)) throw reader.Error("corrupt hash table size");
                var slotPtr = slots == 0 ? null : (int*)reader.Take((long)slots * sizeof(int));
                reader.Align();
                levels[n - 1] = new NGramLevel(n, count, keys, prob, backoff, slotPtr, slots, owner);
                if (probing is not null && n > 1) probing[n - 1] = ReadTable<NGramEntry>(reader, owner);
            }
            return kind switch
            {
                KindBackoff => new BackoffModel(vocab, levels, normalized, smoothing, owner, probing),
                KindAddK => new AddKModel(vocab, levels, k, tokens, owner),
                _ => throw reader.Error($"unknown model kind {kind}"),
            };
        }
        catch
        {
            owner.Dispose();
            throw;
        }
    }

    /// <summary>Bounds-checked reading position in the mapped file, so a truncated file is an error, not a crash.</summary>
    private sealed class Cursor(byte* basePtr, long length, string path)
    {
        private long _position;

        public byte* Take(long bytes)
        {
            if (bytes < 0 || _position + bytes > length) throw Error("file is truncated or corrupt");
            byte* p = basePtr + _position;
            _position += bytes;
            return p;
        }

        public int Int() => *(int*)Take(4);
        public long Long() => *(long*)Take(8);
        public double Double() => *(double*)Take(8);
        public void Align() => _position = (_position + 7) & ~7L;
        public PerplexException Error(string problem) => new(problem, path);
    }

    /// <summary>Keeps the mapping alive as long as the model; releases it on dispose.</summary>
    private sealed class Mapping(MemoryMappedFile file, MemoryMappedViewAccessor view) : IDisposable
    {
        private bool _disposed;

        public bool IsDisposed => _disposed;

        /// <summary>Arrays decoded from quantized values, kept alive with the model.</summary>
        public List<object> Decoded { get; } = new();

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            view.SafeMemoryMappedViewHandle.ReleasePointer();
            view.Dispose();
            file.Dispose();
        }
    }
}
