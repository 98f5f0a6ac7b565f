using System.Numerics;
using Perplex.Layers;
using Perplex.Tensors;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Perplex.Encoders;

/// <summary>
/// fastText's subword vectors (Bojanowski et al., 2017) for the word embedding: each word adds the mean of the rows of
/// its character n-grams (orders 1..n, with a begin and an end marker, hashed into a fixed number of buckets) to its
/// word vector, x = W[word] + (1/|G|)·Σ_{g∈G} N[g]. The character network summarises a word through 2·char-hidden
/// numbers; this table can remember what each of a million n-grams says, as the n-gram classifier does, and an unseen
/// word still gets the vectors of its known pieces.
/// </summary>
/// <typeparam name="T">float for training, double for exact gradient checks.</typeparam>
internal sealed class CharNGramEmbedding<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int Begin = -1, End = -2;
    private int[] _offsets = [];
    private readonly List<int> _buckets = []; // of every word of the last Forward, reused so a batch allocates nothing

    /// <summary>A zero table of <paramref name="buckets"/> rows of width <paramref name="width"/> (the word embedding's).</summary>
    public CharNGramEmbedding(int order, int buckets, int width)
    {
        Order = order;
        Table = new Embedding<T>(buckets, width, "char_ngram_embedding.");
        Rows = new TouchedRows(buckets);
    }

    /// <summary>The longest n-gram.</summary>
    public int Order { get; }

    /// <summary>The bucket table [buckets][E].</summary>
    public Embedding<T> Table { get; }

    /// <summary>Buckets that received a gradient since the optimizer last cleared them.</summary>
    public TouchedRows Rows { get; }

    /// <summary>
    /// Appends to <paramref name="into"/> the bucket of every n-gram of <paramref name="chars"/> (character ids) padded
    /// with the two markers, orders 1..<paramref name="order"/>; the markers alone are not n-grams. FNV-1a over the
    /// order and the ids, so buckets are the same on every machine and in every run.
    /// </summary>
    public static void Buckets(ReadOnlySpan<int> chars, int order, int buckets, List<int> into)
    {
        int length = chars.Length + 2;
        Span<int> padded = length <= 256 ? stackalloc int[length] : new int[length];
        padded[0] = Begin;
        chars.CopyTo(padded[1..]);
        padded[length - 1] = End;
        for (int n = 1; n <= order; n++)
            for (int start = 0; start + n <= length; start++)
            {
                if (n == 1 && (start == 0 || start == length - 1)) continue;
                uint hash = 2166136261;
                hash = (hash ^ (uint)n) * 16777619;
                foreach (int id in padded.Slice(start, n)) hash = (hash ^ (uint)id) * 16777619;
                into.Add((int)(hash % (uint)buckets));
            }
    }

    /// <summary>Adds each word's n-gram mean to its row of <paramref name="embedded"/> [words][E].</summary>
    public void Forward(IReadOnlyList<int[]> words, Span<T> embedded)
    {
        int e = Table.EmbeddingSize;
        var offsets = Workspace.Ensure(ref _offsets, words.Count + 1);
        _buckets.Clear();
        for (int r = 0; r < words.Count; r++)
        {
            offsets[r] = _buckets.Count;
            Buckets(words[r], Order, Table.VocabSize, _buckets);
        }
        offsets[words.Count] = _buckets.Count;
        var buckets = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_buckets);
        var w = Table.Weight.Value.Data;
        for (int r = 0; r < words.Count; r++)
        {
            var row = embedded.Slice(r * e, e);
            T scale = T.One / T.CreateTruncating(offsets[r + 1] - offsets[r]);
            for (int k = offsets[r]; k < offsets[r + 1]; k++)
                TP.MultiplyAdd(w.AsSpan(buckets[k] * e, e), scale, row, row);
        }
    }

    /// <summary>dN[g] += dx / |G| for every n-gram g of every word of the last Forward; <paramref name="dEmbedded"/> is [words][E].</summary>
    public void Backward(ReadOnlySpan<T> dEmbedded)
    {
        int e = Table.EmbeddingSize, words = dEmbedded.Length / e;
        var dw = Table.Weight.Grad.Data;
        var buckets = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_buckets);
        for (int r = 0; r < words; r++)
        {
            var dx = dEmbedded.Slice(r * e, e);
            T scale = T.One / T.CreateTruncating(_offsets[r + 1] - _offsets[r]);
            for (int k = _offsets[r]; k < _offsets[r + 1]; k++)
            {
                var row = dw.AsSpan(buckets[k] * e, e);
                TP.MultiplyAdd(dx, scale, row, row);
                Rows.Mark(buckets[k]);
            }
        }
    }
}
