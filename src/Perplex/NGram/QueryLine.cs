namespace Perplex.NGram;

/// <summary>
/// One line of query text as word ids: <c>Ids[0]</c> is <c>&lt;s&gt;</c>, <c>Ids[1..Count]</c> the words and
/// <c>Ids[Count+1]</c> <c>&lt;/s&gt;</c>. Resolved in two passes, first hashing every word's UTF-8 bytes and asking the
/// memory for its vocabulary slot, then reading the slots, so the lookups of a line overlap instead of queueing.
/// </summary>
internal sealed class QueryLine
{
    private ulong[] _hashes = new ulong[66];

    /// <summary>Word ids, with the sentence markers around them.</summary>
    public int[] Ids { get; private set; } = new int[66];

    /// <summary>Where word i (1-based, like <see cref="Ids"/>) lies in the line.</summary>
    public Range[] Words { get; private set; } = new Range[66];

    /// <summary>Number of words.</summary>
    public int Count { get; private set; }

    public unsafe void Resolve(ReadOnlySpan<byte> text, Vocabulary vocabulary)
    {
        var table = vocabulary.Utf8Table;
        Count = 0;
        var words = WordSplitter.SplitUtf8(text);
        while (words.MoveNext())
        {
            if (Count + 2 >= Ids.Length) Grow();
            var word = words.Current;
            Words[++Count] = new Range(words.CurrentStart, words.CurrentStart + word.Length);
            ulong h = _hashes[Count] = NGramHash.Utf8(word);
            table?.Prefetch(h);
        }
        Ids[0] = Vocabulary.BeginId;
        for (int i = 1; i <= Count; i++)
        {
            if (table is null) { Ids[i] = vocabulary.FindUtf8(text[Words[i]]); continue; }
            WordEntry* entry = table.Find(_hashes[i]);
            Ids[i] = entry == null ? Vocabulary.UnknownId : entry->Id;
        }
        Ids[Count + 1] = Vocabulary.EndId;
    }

    private void Grow()
    {
        int size = Ids.Length * 2;
        Ids = new int[size];
        var words = new Range[size];
        Words.CopyTo(words, 0);
        Words = words;
        Array.Resize(ref _hashes, size);
    }
}
