using System.Numerics;
using Perplex.Layers;
using Perplex.Tensors;

namespace Perplex.Encoders;

/// <summary>
/// A word's representation built from its characters: a one-layer bidirectional LSTM/GRU reads the word's
/// character embeddings and its final forward and final reverse states, concatenated, are the feature
/// [2·Hc]. Words never seen in training (half of Korean test eojeol) still get a meaningful vector this way.
/// <para>Each distinct word of a batch is computed once (repeated words share it and their gradients add up), and
/// words are run in groups of equal character length, so no padding is involved. A recurrent stack keeps the
/// activations of its last call only, so each length gets its own working copy of the network (weights copied in
/// before its forward, gradients added back after its backward: the character network is 33 k numbers, far cheaper
/// to copy than to recompute the forward pass).</para>
/// </summary>
internal sealed class CharacterFeatures<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly List<(int Length, int[] Ids, int[] Uniques)> _groups = [];
    private readonly Dictionary<int, (RecurrentStack<T> Stack, T[] Embedded)> _workers = [];
    private readonly RecurrentCell _cell;
    private int[] _uniqueOfPosition = [];
    private int _uniqueCount;
    private T[] _rnnOutput = [], _finalStates = [], _dUnique = [], _dFinal = [], _dEmbedded = [];

    public CharacterFeatures(int vocabSize, int embeddingSize, int hiddenSize, RecurrentCell cell, SeededRandom random)
    {
        Embedding = new Embedding<T>(vocabSize, embeddingSize, "char_embedding.");
        Rnn = new RecurrentStack<T>(cell, embeddingSize, hiddenSize, numLayers: 1, bidirectional: true, random: random, prefix: "char_rnn.");
        _cell = cell;
        Rows = new TouchedRows(vocabSize);
    }

    /// <summary>Character-table rows that received a gradient since the optimizer last cleared them.</summary>
    public TouchedRows Rows { get; }

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
            var (stack, embedded) = _workers[group.Length];
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
            foreach (var p in stack.Parameters) p.ZeroGrad();
            stack.Backward(embedded.AsSpan(0, rows * Embedding.EmbeddingSize), dOutput, dFinal, default, dEmbedded, default, default);
            for (int i = 0; i < Rnn.Parameters.Count; i++)
                System.Numerics.Tensors.TensorPrimitives.Add(Rnn.Parameters[i].Grad.Data, stack.Parameters[i].Grad.Data, Rnn.Parameters[i].Grad.Data);
            Embedding.Backward(group.Ids, dEmbedded);
            Rows.Mark(group.Ids);
        }
    }

    /// <summary>Runs the BiRNN over one group (on the working copy for its length) and returns its final states [2][n][Hc].</summary>
    private ReadOnlySpan<T> RunGroup((int Length, int[] Ids, int[] Uniques) group)
    {
        int count = group.Uniques.Length, rows = group.Length * count;
        if (!_workers.TryGetValue(group.Length, out var worker))
            worker = (new RecurrentStack<T>(_cell, Rnn.InputSize, Rnn.HiddenSize, numLayers: 1, bidirectional: true, prefix: "char_rnn."), []);
        for (int i = 0; i < Rnn.Parameters.Count; i++) Rnn.Parameters[i].Value.Data.CopyTo(worker.Stack.Parameters[i].Value.Data, 0);
        var embedded = Workspace.Ensure(ref worker.Embedded, rows * Embedding.EmbeddingSize);
        _workers[group.Length] = worker;
        Embedding.Forward(group.Ids, embedded);
        var output = Workspace.Ensure(ref _rnnOutput, rows * FeatureSize);
        var final = Workspace.Ensure(ref _finalStates, 2 * count * Rnn.HiddenSize);
        worker.Stack.Training = Rnn.Training;
        worker.Stack.Forward(embedded, group.Length, count, default, default, output, final, default);
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
