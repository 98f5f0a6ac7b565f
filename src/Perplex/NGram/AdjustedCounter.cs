namespace Perplex.NGram;

/// <summary>
/// Turns the suffix-sorted highest-order counts into counts for every order, exactly as lmplz's adjust step:
/// windows were padded with N-1 <c>&lt;s&gt;</c>, so an N-gram with <c>&lt;s&gt;</c> in second place really stands
/// for the shorter n-gram starting at its last <c>&lt;s&gt;</c>, which keeps the raw count. Every other lower-order
/// n-gram gets its adjusted count: the number of distinct words seen immediately before it.
/// Because the input is in suffix order, all n-grams sharing a suffix are adjacent and one pass suffices.
/// </summary>
internal static class AdjustedCounter
{
    public static CountTrie Run(INGramSource source, int order, int vocabularySize, bool keepRawCounts = true)
    {
        var stats = new CountOfCounts(order);
        var unigramCounts = PinnedArray.Allocate<int>(vocabularySize);
        Array.Clear(unigramCounts);
        if (order == 1) return Unigrams(source, unigramCounts, stats);
        var unigramRaw = new int[vocabularySize];

        var keys = new GrowList<ulong>[order + 1];
        var counts = new GrowList<int>[order + 1];
        var rawCounts = new GrowList<int>[order + 1];
        for (int l = 2; l <= order; l++) { keys[l] = new GrowList<ulong>(); counts[l] = new GrowList<int>(); rawCounts[l] = new GrowList<int>(); }

        // lmplz puts <unk> and <s> in the unigram statistics with count 0.
        stats.Add(1, 0);
        stats.Add(1, 0);

        var open = new int[order];      // index of the open group of each suffix length 1..order-1
        var raw = new long[order];      // raw occurrence count of each open group (lmplz's actual_counts)
        int openTop = 0;
        var previous = new int[order];
        bool first = true;

        while (source.MoveNext())
        {
            var gram = source.Current;
            int count = source.Count;
            int same = 0;
            if (!first)
                while (same < order - 1 && gram[order - 1 - same] == previous[order - 1 - same]) same++;
            first = false;
            gram.CopyTo(previous);

            // Groups that no longer match are complete.
            for (; openTop > same; openTop--)
            {
                stats.Add(openTop, CountOf(openTop, open[openTop]));
                StoreRaw(openTop);
            }

            // Groups that still match: one more raw occurrence; the longest gains one distinct left extension.
            for (int l = 1; l <= same; l++) raw[l] += count;
            if (same > 0) Increment(same, open[same]);

            // Open the new groups, from the shortest suffix up to the first <s>.
            int pos = order - 1 - same;
            for (; pos > 0 && gram[pos] != Vocabulary.BeginId; pos--) Open(order - pos, gram[pos], 1, count);
            if (pos > 0) Open(order - pos, Vocabulary.BeginId, count, count); // starts with <s>: raw count
            else
            {
                keys[order].Add(NGramLevel.Key(open[order - 1], gram[0]));
                counts[order].Add(count);
                if (keepRawCounts) rawCounts[order].Add(count);
                stats.Add(order, count);
            }
        }
        // lmplz records the last group of each order with its raw count; kept for identical discounts.
        for (int l = 1; l <= openTop; l++)
        {
            stats.Add(l, raw[l]);
            StoreRaw(l);
        }

        // The sorted input is consumed: release it before the per-order arrays are assembled.
        source.Dispose();
        MemoryRelease.Now();
        var allKeys = new ulong[order][];
        var allCounts = new int[order][];
        var allRaw = new int[order][];
        allKeys[0] = PinnedArray.Allocate<ulong>(vocabularySize);
        for (int w = 0; w < vocabularySize; w++) allKeys[0][w] = (ulong)w;
        allCounts[0] = unigramCounts;
        allRaw[0] = unigramRaw;
        for (int l = 2; l <= order; l++)
        {
            allKeys[l - 1] = keys[l].ToPinnedArray();
            keys[l].Clear();
            allCounts[l - 1] = counts[l].ToPinnedArray();
            counts[l].Clear();
            allRaw[l - 1] = keepRawCounts ? rawCounts[l].ToPinnedArray() : [];
            rawCounts[l].Clear();
            MemoryRelease.Now(); // the chunks just copied are garbage; reclaim them before the next order is copied
        }
        return new CountTrie(allKeys, allCounts, allRaw, stats);

        void StoreRaw(int length)
        {
            if (length == 1) unigramRaw[open[1]] = (int)raw[1];
            else if (keepRawCounts) rawCounts[length][open[length]] = (int)raw[length];
        }

        int CountOf(int length, int index) => length == 1 ? unigramCounts[index] : counts[length][index];

        void Increment(int length, int index)
        {
            if (length == 1) unigramCounts[index]++;
            else counts[length][index]++;
        }

        void Open(int length, int word, int initialCount, int occurrences)
        {
            int index;
            if (length == 1)
            {
                index = word;
                unigramCounts[word] = initialCount;
            }
            else
            {
                index = keys[length].Count;
                keys[length].Add(NGramLevel.Key(open[length - 1], word));
                counts[length].Add(initialCount);
                if (keepRawCounts) rawCounts[length].Add(0);
            }
            open[length] = index;
            raw[length] = occurrences;
            openTop = length;
        }
    }

    private static CountTrie Unigrams(INGramSource source, int[] unigramCounts, CountOfCounts stats)
    {
        while (source.MoveNext()) unigramCounts[source.Current[0]] += source.Count;
        var keys = PinnedArray.Allocate<ulong>(unigramCounts.Length);
        for (int w = 0; w < keys.Length; w++)
        {
            keys[w] = (ulong)w;
            stats.Add(1, unigramCounts[w]);
        }
        return new CountTrie([keys], [unigramCounts], [unigramCounts], stats);
    }
}
