namespace Perplex.NGram;

/// <summary>
/// Maps words to dense integer ids the way KenLM does: <c>&lt;unk&gt;</c> is 0, <c>&lt;s&gt;</c> is 1,
/// <c>&lt;/s&gt;</c> is 2, and every other word gets the next id in order of first appearance.
/// </summary>
public sealed class Vocabulary
{
    /// <summary>Id of the unknown word <c>&lt;unk&gt;</c>; every word not in the vocabulary maps to it.</summary>
    public const int UnknownId = 0;
    /// <summary>Id of the sentence-begin marker <c>&lt;s&gt;</c>.</summary>
    public const int BeginId = 1;
    /// <summary>Id of the sentence-end marker <c>&lt;/s&gt;</c>.</summary>
    public const int EndId = 2;
    /// <summary>Spelling of the unknown word.</summary>
    public const string Unknown = "<unk>";
    /// <summary>Spelling of the sentence-begin marker.</summary>
    public const string Begin = "<s>";
    /// <summary>Spelling of the sentence-end marker.</summary>
    public const string End = "</s>";

    private readonly Dictionary<string, int> _ids;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _spanLookup;
    private readonly List<string> _words;
    // Hashed UTF-8 spellings for byte-level lookups (query text is never decoded); built on first use or mapped
    // from a binary model. Null until needed, Unavailable when two words' 64-bit hashes collide.
    private ProbingTable<WordEntry>? _utf8;
    private static readonly unsafe ProbingTable<WordEntry> Unavailable = new(null, 1, null);
    // A binary model's words are decoded only when a member needs strings (queries look words up by their bytes):
    // until then _spelling gives word i and _deferredCount the count.
    private volatile Func<int, string>? _spelling;
    private int _deferredCount;

    /// <summary>Creates a vocabulary holding only the three special words.</summary>
    public Vocabulary() : this(true) { }

    private Vocabulary(bool withSpecials)
    {
        _ids = new Dictionary<string, int>(StringComparer.Ordinal);
        _spanLookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
        _words = new List<string>();
        if (!withSpecials) return;
        Add(Unknown);
        Add(Begin);
        Add(End);
    }

    /// <summary>Creates an empty vocabulary (used by readers that take the word order from a file).</summary>
    internal static Vocabulary CreateEmpty() => new(false);

    /// <summary>
    /// A vocabulary of <paramref name="count"/> words whose strings are made by <paramref name="spelling"/> only when
    /// first needed; <paramref name="utf8"/> answers byte lookups meanwhile.
    /// </summary>
    internal static Vocabulary Deferred(int count, Func<int, string> spelling, ProbingTable<WordEntry> utf8) =>
        new(false) { _deferredCount = count, _spelling = spelling, _utf8 = utf8 };

    /// <summary>Decodes deferred words (once).</summary>
    private Vocabulary Ready()
    {
        if (_spelling is null) return this;
        lock (_ids)
        {
            var spelling = _spelling;
            if (spelling is null) return this;
            var table = _utf8;
            for (int i = 0; i < _deferredCount; i++) Add(spelling(i));
            _utf8 = table;
            _spelling = null;
        }
        return this;
    }

    /// <summary>False while a binary model's words are still undecoded.</summary>
    internal bool IsDecoded => _spelling is null;

    /// <summary>Number of words, special words included.</summary>
    public int Count => _spelling is null ? _words.Count : _deferredCount;

    /// <summary>The spelling of word <paramref name="id"/>.</summary>
    public string this[int id] => Ready()._words[id];

    /// <summary>The id of <paramref name="word"/>, or <see cref="UnknownId"/> if it is not in the vocabulary.</summary>
    public int Find(ReadOnlySpan<char> word) => Ready()._spanLookup.TryGetValue(word, out int id) ? id : UnknownId;

    /// <summary>Whether <paramref name="word"/> is in the vocabulary, and its id.</summary>
    public bool TryFind(ReadOnlySpan<char> word, out int id) => Ready()._spanLookup.TryGetValue(word, out id);

    /// <summary>The id of the word spelled by the UTF-8 bytes <paramref name="word"/>, or <see cref="UnknownId"/>.</summary>
    internal int FindUtf8(ReadOnlySpan<byte> word) => TryFindUtf8(word, out int id) ? id : UnknownId;

    /// <summary>Whether the word spelled by the UTF-8 bytes <paramref name="word"/> is in the vocabulary, and its id.</summary>
    internal unsafe bool TryFindUtf8(ReadOnlySpan<byte> word, out int id)
    {
        var table = _utf8 ?? BuildUtf8Table();
        if (table != Unavailable)
        {
            var entry = table.Find(NGramHash.Utf8(word));
            id = entry == null ? UnknownId : entry->Id;
            return entry != null;
        }
        return TryFind(System.Text.Encoding.UTF8.GetString(word), out id);
    }

    /// <summary>The table of hashed UTF-8 spellings (built now if needed); null if hashes collide.</summary>
    internal ProbingTable<WordEntry>? Utf8Table => (_utf8 ?? BuildUtf8Table()) is var t && t != Unavailable ? t : null;

    /// <summary>Uses a table of hashed UTF-8 spellings read from a binary model.</summary>
    internal void UseUtf8Table(ProbingTable<WordEntry> table) => _utf8 = table;

    private ProbingTable<WordEntry> BuildUtf8Table()
    {
        Ready();
        var table = ProbingTable<WordEntry>.Allocate(_words.Count);
        for (int id = 0; id < _words.Count; id++)
            if (!table.TryInsert(new WordEntry { Hash = NGramHash.Utf8(System.Text.Encoding.UTF8.GetBytes(_words[id])), Id = id }))
                return _utf8 = Unavailable;
        return _utf8 = table;
    }

    /// <summary>The id of <paramref name="word"/>, adding it if new.</summary>
    internal int GetOrAdd(ReadOnlySpan<char> word)
    {
        Ready();
        if (_spanLookup.TryGetValue(word, out int id)) return id;
        return Add(word.ToString());
    }

    /// <summary>Adds <paramref name="word"/> unless it is already there (then false).</summary>
    internal bool TryAdd(string word, out int id)
    {
        Ready();
        id = _words.Count;
        if (!_ids.TryAdd(word, id)) return false;
        _utf8 = null;
        _words.Add(word);
        return true;
    }

    /// <summary>Adds a word known to be new and returns its id.</summary>
    internal int Add(string word)
    {
        int id = _words.Count;
        _utf8 = null;
        _ids.Add(word, id);
        _words.Add(word);
        return id;
    }

    /// <summary>All words in id order.</summary>
    public IReadOnlyList<string> Words => Ready()._words;
}
