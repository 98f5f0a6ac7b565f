using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Perplex.Text;

/// <summary>
/// Maps tokens to dense integer ids and back. Special tokens come first with fixed ids — <c>&lt;unk&gt;</c> = 0,
/// <c>&lt;s&gt;</c> = 1, <c>&lt;/s&gt;</c> = 2 (as in KenLM), then <c>&lt;pad&gt;</c> = 3 when a model needs padding —
/// and regular tokens follow by decreasing count, ties broken by ordinal string order, so the same corpus always
/// gives the same ids. The vocabulary also remembers how its text was tokenized and normalized, because a model
/// is only meaningful with the same preprocessing.
/// </summary>
public sealed class Vocabulary
{
    /// <summary>The unknown-word token.</summary>
    public const string UnkToken = "<unk>";
    /// <summary>The beginning-of-sentence token.</summary>
    public const string BosToken = "<s>";
    /// <summary>The end-of-sentence token.</summary>
    public const string EosToken = "</s>";
    /// <summary>The padding token (present only when requested).</summary>
    public const string PadToken = "<pad>";

    /// <summary>Id of <c>&lt;unk&gt;</c>.</summary>
    public const int UnkId = 0;
    /// <summary>Id of <c>&lt;s&gt;</c>.</summary>
    public const int BosId = 1;
    /// <summary>Id of <c>&lt;/s&gt;</c>.</summary>
    public const int EosId = 2;

    private const string TextHeader = "#perplex-vocabulary";
    private readonly List<string> _tokens;
    private readonly List<long> _counts;
    private readonly Dictionary<string, int> _ids;

    /// <summary>Id of <c>&lt;pad&gt;</c>, or -1 when the vocabulary has no padding token.</summary>
    public int PadId { get; }

    /// <summary>Tokenizer name ("word", "char", "jamo").</summary>
    public string Tokenizer { get; }

    /// <summary>Unicode normalization applied before tokenizing.</summary>
    public UnicodeNormalization Normalization { get; }

    /// <summary>Number of entries, special tokens included.</summary>
    public int Count => _tokens.Count;

    /// <summary>Number of special tokens at the start (3, or 4 with padding).</summary>
    public int SpecialCount => PadId >= 0 ? 4 : 3;

    /// <summary>The tokens in id order.</summary>
    public IReadOnlyList<string> Tokens => _tokens;

    /// <summary>Training-corpus counts in id order (0 for specials that never occurred).</summary>
    public IReadOnlyList<long> Counts => _counts;

    private Vocabulary(List<string> tokens, List<long> counts, bool hasPad, string tokenizer, UnicodeNormalization normalization)
    {
        _tokens = tokens;
        _counts = counts;
        PadId = hasPad ? 3 : -1;
        Tokenizer = tokenizer;
        Normalization = normalization;
        _ids = new Dictionary<string, int>(tokens.Count, StringComparer.Ordinal);
        for (int i = 0; i < tokens.Count; i++)
        {
            if (!_ids.TryAdd(tokens[i], i))
                throw new PerplexException($"token '{tokens[i]}' appears twice in the vocabulary");
        }
    }

    /// <summary>
    /// Creates a vocabulary from token counts. Tokens with count below <paramref name="minCount"/> are left out;
    /// then, if <paramref name="maxSize"/> is given, only the most frequent are kept so the total (special tokens
    /// included) is at most <paramref name="maxSize"/>. Counts of literal special tokens go to those entries.
    /// </summary>
    public static Vocabulary FromCounts(IReadOnlyDictionary<string, long> counts, int minCount = 1, int? maxSize = null,
        bool includePad = false, string tokenizer = "word", UnicodeNormalization normalization = UnicodeNormalization.Nfc)
    {
        var specials = includePad ? new[] { UnkToken, BosToken, EosToken, PadToken } : new[] { UnkToken, BosToken, EosToken };
        if (maxSize is { } m && m < specials.Length)
            throw new PerplexException($"maximum vocabulary size {m} is smaller than the {specials.Length} special tokens");
        var regular = counts.Where(kv => kv.Value >= minCount && Array.IndexOf(specials, kv.Key) < 0)
            .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal);
        var tokens = new List<string>(specials);
        var tokenCounts = specials.Select(s => counts.TryGetValue(s, out var c) ? c : 0L).ToList();
        foreach (var kv in regular)
        {
            if (maxSize is { } max && tokens.Count >= max) break;
            tokens.Add(kv.Key);
            tokenCounts.Add(kv.Value);
        }
        return new Vocabulary(tokens, tokenCounts, includePad, tokenizer, normalization);
    }

    /// <summary>Counts the tokens of <paramref name="sentences"/> and builds a vocabulary (see <see cref="FromCounts"/>).</summary>
    public static Vocabulary Build(IEnumerable<IReadOnlyList<string>> sentences, int minCount = 1, int? maxSize = null,
        bool includePad = false, string tokenizer = "word", UnicodeNormalization normalization = UnicodeNormalization.Nfc)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var sentence in sentences)
            foreach (var token in sentence)
                counts[token] = counts.GetValueOrDefault(token) + 1;
        return FromCounts(counts, minCount, maxSize, includePad, tokenizer, normalization);
    }

    /// <summary>The id of <paramref name="token"/>, or false when it is not in the vocabulary.</summary>
    public bool TryGetId(string token, out int id) => _ids.TryGetValue(token, out id);

    /// <summary>True when <paramref name="token"/> has an id.</summary>
    public bool Contains(string token) => _ids.ContainsKey(token);

    /// <summary>The id of <paramref name="token"/>, or <see cref="UnkId"/>.</summary>
    public int IdOrUnk(string token) => _ids.TryGetValue(token, out var id) ? id : UnkId;

    /// <summary>The token with id <paramref name="id"/>.</summary>
    public string this[int id] => _tokens[id];

    /// <summary>
    /// Appends the ids of <paramref name="tokens"/> to <paramref name="output"/>, applying <paramref name="policy"/> to
    /// unknown tokens, and returns how many were unknown. <paramref name="source"/> and <paramref name="line"/> name
    /// the place in errors.
    /// </summary>
    public int Encode(IReadOnlyList<string> tokens, UnknownWordPolicy policy, List<int> output, string? source = null, long? line = null)
    {
        int unknown = 0;
        foreach (var token in tokens)
        {
            if (_ids.TryGetValue(token, out int id))
            {
                output.Add(id);
                continue;
            }
            unknown++;
            switch (policy)
            {
                case UnknownWordPolicy.MapToUnk: output.Add(UnkId); break;
                case UnknownWordPolicy.Skip: break;
                default: throw new PerplexException($"token '{token}' is not in the vocabulary (use --unk unk or skip to allow it)", source, line);
            }
        }
        return unknown;
    }

    /// <summary>Joins the tokens of <paramref name="ids"/> with the vocabulary's tokenizer.</summary>
    public string Decode(IEnumerable<int> ids) => Tokenizers.Create(Tokenizer).Detokenize(ids.Select(i => _tokens[i]));

    /// <summary>Saves as JSON when the path ends in ".json", else as the plain text format (one "token TAB count" per line).</summary>
    public void Save(string path)
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? ToJson() : ToText(), new UTF8Encoding(false));
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Loads a vocabulary saved by <see cref="Save"/> (format chosen by the content, not the extension).</summary>
    public static Vocabulary Load(string path)
    {
        if (!File.Exists(path)) throw new PerplexException("vocabulary file not found", path);
        var firstLine = Utf8LineReader.ReadLines(path).FirstOrDefault().Text ?? "";
        return firstLine.TrimStart().StartsWith('{') ? FromJson(File.ReadAllText(path), path) : FromText(path);
    }

    /// <summary>The vocabulary as JSON (also used inside model files).</summary>
    public string ToJson() => JsonSerializer.Serialize(new VocabularyJson
    {
        Version = 1,
        Tokenizer = Tokenizer,
        Normalization = Normalization.ToString().ToLowerInvariant(),
        Pad = PadId >= 0,
        Tokens = _tokens,
        Counts = _counts,
    }, JsonOptions);

    /// <summary>Parses <see cref="ToJson"/> output; <paramref name="source"/> names it in errors.</summary>
    public static Vocabulary FromJson(string json, string? source = null)
    {
        VocabularyJson? v;
        try
        {
            v = JsonSerializer.Deserialize<VocabularyJson>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new PerplexException($"not a valid vocabulary JSON: {e.Message}", source, e.LineNumber + 1);
        }
        if (v?.Tokens is null) throw new PerplexException("vocabulary JSON has no \"tokens\" list", source);
        if (v.Version != 1) throw new PerplexException($"vocabulary version {v.Version} is not supported (expected 1)", source);
        var counts = v.Counts ?? Enumerable.Repeat(0L, v.Tokens.Count).ToList();
        if (counts.Count != v.Tokens.Count) throw new PerplexException("vocabulary JSON has different numbers of tokens and counts", source);
        CheckSpecials(v.Tokens, v.Pad, source);
        return new Vocabulary(v.Tokens, counts, v.Pad, v.Tokenizer ?? "word", TextNormalization.Parse(v.Normalization ?? "nfc"));
    }

    private string ToText()
    {
        var sb = new StringBuilder();
        sb.Append($"{TextHeader} version=1 tokenizer={Tokenizer} normalization={Normalization.ToString().ToLowerInvariant()} pad={(PadId >= 0 ? "yes" : "no")}\n");
        for (int i = 0; i < _tokens.Count; i++) sb.Append(Escape(_tokens[i])).Append('\t').Append(_counts[i]).Append('\n');
        return sb.ToString();
    }

    private static Vocabulary FromText(string path)
    {
        var tokens = new List<string>();
        var counts = new List<long>();
        string tokenizer = "word";
        var normalization = UnicodeNormalization.Nfc;
        bool pad = false;
        foreach (var line in Utf8LineReader.ReadLines(path))
        {
            if (line.Number == 1 && line.Text.StartsWith(TextHeader, StringComparison.Ordinal))
            {
                foreach (var field in line.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1))
                {
                    var (key, value) = field.IndexOf('=') is var eq and > 0 ? (field[..eq], field[(eq + 1)..]) : (field, "");
                    switch (key)
                    {
                        case "version" when value != "1": throw new PerplexException($"vocabulary version {value} is not supported (expected 1)", path, 1);
                        case "tokenizer": tokenizer = value; break;
                        case "normalization": normalization = TextNormalization.Parse(value); break;
                        case "pad": pad = value == "yes"; break;
                    }
                }
                continue;
            }
            if (line.Text.Length == 0) continue;
            int tab = line.Text.LastIndexOf('\t');
            if (tab < 0 || !long.TryParse(line.Text.AsSpan(tab + 1), out long count) || count < 0)
                throw new PerplexException("expected 'token<TAB>count' with a non-negative integer count", path, line.Number);
            tokens.Add(Unescape(line.Text[..tab]));
            counts.Add(count);
        }
        CheckSpecials(tokens, pad, path);
        return new Vocabulary(tokens, counts, pad, tokenizer, normalization);
    }

    private static void CheckSpecials(List<string> tokens, bool pad, string? source)
    {
        string[] expected = pad ? [UnkToken, BosToken, EosToken, PadToken] : [UnkToken, BosToken, EosToken];
        for (int i = 0; i < expected.Length; i++)
        {
            if (i >= tokens.Count || tokens[i] != expected[i])
                throw new PerplexException($"vocabulary must start with the special tokens {string.Join(" ", expected)} (entry {i} is '{(i < tokens.Count ? tokens[i] : "missing")}')", source);
        }
    }

    // Character-level vocabularies contain tab and backslash tokens, so the text format escapes them.
    private static string Escape(string token) => token.Replace("\\", "\\\\").Replace("\t", "\\t").Replace("\r", "\\r");

    private static string Unescape(string token)
    {
        if (!token.Contains('\\')) return token;
        var sb = new StringBuilder(token.Length);
        for (int i = 0; i < token.Length; i++)
        {
            if (token[i] == '\\' && i + 1 < token.Length)
            {
                char n = token[++i];
                sb.Append(n switch { 't' => '\t', 'r' => '\r', _ => n });
            }
            else sb.Append(token[i]);
        }
        return sb.ToString();
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private sealed class VocabularyJson
    {
        public int Version { get; set; }
        public string? Tokenizer { get; set; }
        public string? Normalization { get; set; }
        public bool Pad { get; set; }
        public List<string>? Tokens { get; set; }
        public List<long>? Counts { get; set; }
    }
}
