namespace Perplex.NGram;

/// <summary>
/// KenLM-style probing tables for a backoff model's orders 2..N: every n-gram keyed by the hash of its words
/// (<see cref="NGramHash"/>) with its log10 probability and backoff in the same 16 bytes. A query then needs one
/// cache line per order, and all orders can be fetched at once because each key depends only on the words,
/// not on the lookup of the shorter n-gram (as the reversed trie's keys do).
/// </summary>
internal static unsafe class NGramProbing
{
    /// <summary>
    /// The tables, index k for order k+1 (index 0, the unigrams, is null: they are addressed by word id); null when
    /// two n-grams' hashes collide, in which case the model keeps using the exact trie lookups.
    /// </summary>
    public static ProbingTable<NGramEntry>[]? TryBuild(NGramLevel[] levels)
    {
        var tables = new ProbingTable<NGramEntry>[levels.Length];
        var lower = new ulong[levels[0].Count];
        for (int id = 0; id < lower.Length; id++) lower[id] = NGramHash.Unigram(id);
        for (int k = 1; k < levels.Length; k++)
        {
            var level = levels[k];
            var hashes = new ulong[level.Count];
            var table = ProbingTable<NGramEntry>.Allocate(level.Count);
            for (int i = 0; i < hashes.Length; i++)
            {
                ulong h = hashes[i] = NGramHash.Extend(lower[level.Parent(i)], level.Word(i));
                var entry = new NGramEntry { Hash = h, Prob = level.Prob[i], Backoff = level.Backoff == null ? 0f : level.Backoff[i] };
                if (!table.TryInsert(entry)) return null;
            }
            tables[k] = table;
            lower = hashes;
        }
        return tables;
    }
}
