namespace Perplex.Training;

/// <summary>
/// A token stream cut into <see cref="BatchSize"/> parallel streams, as word_language_model's <c>batchify</c>:
/// the stream is trimmed to a multiple of B and stream b holds tokens [b·N, (b+1)·N). The data is stored time-major
/// ([N][B], row t holds token t of every stream) so a BPTT chunk of rows is one contiguous slice.
/// </summary>
public sealed class TokenBatches
{
    private readonly int[] _data;

    /// <summary>Batchifies <paramref name="tokens"/> into <paramref name="batchSize"/> streams.</summary>
    public TokenBatches(ReadOnlySpan<int> tokens, int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        BatchSize = batchSize;
        Rows = tokens.Length / batchSize;
        _data = new int[Rows * batchSize];
        for (int b = 0; b < batchSize; b++)
            for (int t = 0; t < Rows; t++)
                _data[t * batchSize + b] = tokens[b * Rows + t];
    }

    /// <summary>Number of parallel streams B.</summary>
    public int BatchSize { get; }

    /// <summary>Tokens per stream N (the stream length after trimming).</summary>
    public int Rows { get; }

    /// <summary>Tokens that take part in training: every row but the last is an input, every row but the first a target.</summary>
    public long PredictedTokens => Math.Max(0, (long)(Rows - 1) * BatchSize);

    /// <summary>The time-major data, [Rows][BatchSize].</summary>
    public ReadOnlySpan<int> Data => _data;

    /// <summary>The start rows of the chunks of length <paramref name="bptt"/>: 0, bptt, 2·bptt, … below Rows − 1.</summary>
    public IEnumerable<int> ChunkStarts(int bptt)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bptt, 1);
        for (int i = 0; i < Rows - 1; i += bptt) yield return i;
    }

    /// <summary>Number of chunks of length <paramref name="bptt"/>.</summary>
    public int ChunkCount(int bptt) => Rows <= 1 ? 0 : (Rows - 2) / bptt + 1;

    /// <summary>
    /// word_language_model's <c>get_batch(i)</c>: inputs are rows [i, i+T) and targets rows [i+1, i+1+T) with
    /// T = min(bptt, Rows − 1 − i). Both are [T][B] slices of the data, no copy.
    /// </summary>
    public (ReadOnlyMemory<int> Input, ReadOnlyMemory<int> Target, int Length) GetBatch(int i, int bptt)
    {
        if (i < 0 || i >= Rows - 1) throw new ArgumentOutOfRangeException(nameof(i), $"chunk start {i} is outside [0, {Rows - 1})");
        int length = Math.Min(bptt, Rows - 1 - i);
        return (new ReadOnlyMemory<int>(_data, i * BatchSize, length * BatchSize),
                new ReadOnlyMemory<int>(_data, (i + 1) * BatchSize, length * BatchSize),
                length);
    }
}
