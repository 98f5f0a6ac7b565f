using Perplex.Layers;

namespace Perplex.Encoders;

/// <summary>
/// Groups sequences into batches whose members all have the same length. Batching only equal lengths means no
/// padding and no masks: every reverse direction starts at its sequence's true end, and "last hidden state" is
/// simply the last step, so batched results equal one-at-a-time results exactly.
/// </summary>
public static class LengthBatches
{
    /// <summary>
    /// Splits the indices 0..lengths.Count−1 into batches of at most <paramref name="batchSize"/> with equal length.
    /// With <paramref name="shuffle"/>, the order inside each length and the order of the batches are random
    /// (a fresh draw per call); without, batches follow increasing length and index order.
    /// </summary>
    public static List<int[]> Create(IReadOnlyList<int> lengths, int batchSize, SeededRandom? shuffle = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var byLength = new SortedDictionary<int, List<int>>();
        for (int i = 0; i < lengths.Count; i++)
        {
            if (!byLength.TryGetValue(lengths[i], out var list)) byLength[lengths[i]] = list = [];
            list.Add(i);
        }
        var batches = new List<int[]>();
        foreach (var list in byLength.Values)
        {
            if (shuffle is not null) Shuffle(list, shuffle);
            for (int start = 0; start < list.Count; start += batchSize)
                batches.Add(list.GetRange(start, Math.Min(batchSize, list.Count - start)).ToArray());
        }
        if (shuffle is not null) Shuffle(batches, shuffle);
        return batches;
    }

    /// <summary>Fisher–Yates shuffle driven by <paramref name="random"/>.</summary>
    internal static void Shuffle<TItem>(IList<TItem> items, SeededRandom random)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = random.NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
