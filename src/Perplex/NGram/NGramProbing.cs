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
        var builder = new Builder(levels);
        for (int k = 1; k < levels.Length; k++)
            if ((tables[k] = builder.Next()!) is null) return null;
        return tables;
    }

    /// <summary>
    /// Builds the tables one order at a time, lowest first, keeping only the previous order's hashes: a writer can
    /// store each table and drop it before the next is built.
    /// </summary>
    public sealed class Builder(NGramLevel[] levels)
    {
        private ulong[] _lower = UnigramHashes(levels[0].Count);
        private int _k;

        private static ulong[] UnigramHashes(int count)
        {
            var hashes = new ulong[count];
            for (int id = 0; id < hashes.Length; id++) hashes[id] = NGramHash.Unigram(id);
            return hashes;
        }

        /// <summary>The table of the next order (2, then 3, …), or null if two of its n-grams' hashes collide.</summary>
        public ProbingTable<NGramEntry>? Next()
        {
            var level = levels[++_k];
            var hashes = new ulong[level.Count];
            var table = ProbingTable<NGramEntry>.Allocate(level.Count);
            for (int i = 0; i < hashes.Length; i++)
            {
                ulong h = hashes[i] = NGramHash.Extend(_lower[level.Parent(i)], level.Word(i));
                var entry = new NGramEntry { Hash = h, Prob = level.Prob[i], Backoff = level.Backoff == null ? 0f : level.Backoff[i] };
                if (!table.TryInsert(entry)) return null;
            }
            _lower = _k + 1 < levels.Length ? hashes : [];
            return table;
        }
    }
}
