using System.Numerics;
using Perplex.Layers;
using Perplex.Tensors;

namespace Perplex.Encoders;

/// <summary>
/// A word's representation built from its characters: a one-layer bidirectional LSTM/GRU reads the word's
/// character embeddings and its final forward and final reverse states, concatenated, are the feature
/// [2·Hc]. Words never seen in training (half of Korean test eojeol) still get a meaningful vector this way.
/// <para>Each distinct word of a batch is computed once (repeated words share it and their gradients add up), and
/// words are run in groups of equal character length, so no padding is involved. Because the recurrent stack keeps
/// the activations of its last call only, Backward recomputes each group's forward pass before backpropagating it:
/// a little extra arithmetic instead of one stack per length.</para>
/// </summary>
internal sealed class CharacterFeatures<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly List<(int Length, int[] Ids, int[] Uniques)> _groups = [];
    private int[] _uniqueOfPosition = [];
    private int _uniqueCount;
    private T[] _embedded = [], _rnnOutput = [], _finalStates = [], _dUnique = [], _dFinal = [], _dEmbedded = [];

    public CharacterFeatures(int vocabSize, int embeddingSize, int hiddenSize, RecurrentCell cell, SeededRandom random)
    {
        Embedding = new Embedding<T>(vocabSize, embeddingSize, "char_embedding.");
        Rnn = new RecurrentStack<T>(cell, embeddingSize, hiddenSize, numLayers: 1, bidirectional: true, random: random, prefix: "char_rnn.");
    }

    public Embedding<T> Embedding { get; }

    public RecurrentStack<T> Rnn { get; }

    /// <summary>2·Hc.</summary>
    public int FeatureSize => 2 * Rnn.HiddenSize;

    public IEnumerable<Parameter<T>> Parameters => [Embedding.Weight, .. Rnn.Parameters];

    /// <summary>Writes the feature of every word of <paramref name="words"/> to <paramref name="features"/> [N][2·Hc].</summary>
    public void Forward(IReadOnlyList<int[]> words, Span<T> features)
    {
        var uniqueIndex = new Dictionary<int[], int>(words.Count, SequenceComparer.Instance);
        var byLength = new SortedDictionary<int, List<int>>();
        var uniqueWords = new List<int[]>();
        _uniqueOfPosition = new int[words.Count];
        for (int n = 0; n < words.Count; n++)
        {
            if (words[n].Length == 0) throw new ArgumentException($"word {n} has no characters", nameof(words));
            if (!uniqueIndex.TryGetValue(words[n], out int u))
            {
                uniqueIndex[words[n]] = u = uniqueWords.Count;
                uniqueWords.Add(words[n]);
                if (!byLength.TryGetValue(words[n].Length, out var list)) byLength[words[n].Length] = list = [];
                list.Add(u);
            }
            _uniqueOfPosition[n] = u;
        }
        _uniqueCount = uniqueWords.Count;
        _groups.Clear();
        int f = FeatureSize, h = Rnn.HiddenSize;
        var unique = new T[_uniqueCount * f];
        foreach (var (length, members) in byLength)
        {
            // time-major ids [L][n] of the group's words
            int count = members.Count;
            var ids = new int[length * count];
            for (int j = 0; j < count; j++)
                for (int t = 0; t < length; t++) ids[t * count + j] = uniqueWords[members[j]][t];
            var group = (length, ids, members.ToArray());
            _groups.Add(group);
            var final = RunGroup(group);
            for (int j = 0; j < count; j++)
            {
                var row = unique.AsSpan(members[j] * f, f);
                final.Slice(j * h, h).CopyTo(row[..h]);                 // forward direction, after the last character
                final.Slice((count + j) * h, h).CopyTo(row[h..]);       // reverse direction, after the first character
            }
        }
        for (int n = 0; n < words.Count; n++)
            unique.AsSpan(_uniqueOfPosition[n] * f, f).CopyTo(features.Slice(n * f, f));
    }

    /// <summary>Accumulates the parameter gradients for d loss / d features [N][2·Hc] of the last Forward.</summary>
    public void Backward(ReadOnlySpan<T> dFeatures)
    {
        int f = FeatureSize, h = Rnn.HiddenSize;
        var dUnique = Workspace.Ensure(ref _dUnique, _uniqueCount * f);
        dUnique.Clear();
        for (int n = 0; n < _uniqueOfPosition.Length; n++)
        {
            var row = dUnique.Slice(_uniqueOfPosition[n] * f, f);
            System.Numerics.Tensors.TensorPrimitives.Add(row, dFeatures.Slice(n * f, f), row);
        }
        foreach (var group in _groups)
        {
            int count = group.Uniques.Length, rows = group.Length * count;
            RunGroup(group); // recompute: the stack only remembers its last call
            var dFinal = Workspace.Ensure(ref _dFinal, 2 * count * h);
            for (int j = 0; j < count; j++)
            {
                var row = dUnique.Slice(group.Uniques[j] * f, f);
                row[..h].CopyTo(dFinal.Slice(j * h, h));
                row[h..].CopyTo(dFinal.Slice((count + j) * h, h));
            }
            var dOutput = Workspace.Ensure(ref _rnnOutput, rows * f);
            dOutput.Clear(); // the per-step outputs are not used, only the final states
            var dEmbedded = Workspace.Ensure(ref _dEmbedded, rows * Embedding.EmbeddingSize);
            Rnn.Backward(_embedded.AsSpan(0, rows * Embedding.EmbeddingSize), dOutput, dFinal, default, dEmbedded, default, default);
            Embedding.Backward(group.Ids, dEmbedded);
        }
    }

    /// <summary>Runs the BiRNN over one group and returns its final states [2][n][Hc].</summary>
    private ReadOnlySpan<T> RunGroup((int Length, int[] Ids, int[] Uniques) group)
    {
        int count = group.Uniques.Length, rows = group.Length * count;
        var embedded = Workspace.Ensure(ref _embedded, rows * Embedding.EmbeddingSize);
        Embedding.Forward(group.Ids, embedded);
        var output = Workspace.Ensure(ref _rnnOutput, rows * FeatureSize);
        var final = Workspace.Ensure(ref _finalStates, 2 * count * Rnn.HiddenSize);
        Rnn.Forward(embedded, group.Length, count, default, default, output, final, default);
        return final;
    }

    /// <summary>Compares int arrays by content, so equal spellings share one entry.</summary>
    private sealed class SequenceComparer : IEqualityComparer<int[]>
    {
        public static readonly SequenceComparer Instance = new();

        public bool Equals(int[]? x, int[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(int[] obj)
        {
            var hash = new HashCode();
            foreach (var v in obj) hash.Add(v);
            return hash.ToHashCode();
        }
    }
}
