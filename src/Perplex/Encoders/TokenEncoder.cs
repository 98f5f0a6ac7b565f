using System.Text.Json;
using Perplex.Text;

namespace Perplex.Encoders;

/// <summary>
/// Turns tokens into <see cref="EncodedSequence"/>s: word ids from a word vocabulary (unknown words → &lt;unk&gt;)
/// and, when there is a character vocabulary, the ids of each word's grapheme clusters. Words longer than
/// <see cref="MaxWordCharacters"/> graphemes keep their first and last halves (prefixes and endings carry the
/// morphology, and it bounds the character network's work). With <see cref="LowercaseWords"/>, words are looked up
/// in lower case (so "The" and "the" share an embedding) while the character features still see the original case.
/// With <see cref="Subwords"/>, every token is first cut into learned subword pieces (<see cref="BytePairEncoding"/>)
/// and the pieces are the sequence: the vocabulary holds pieces and the character network reads each piece.
/// </summary>
public sealed class TokenEncoder
{
    /// <summary>The longest character sequence given to the character network.</summary>
    public const int MaxWordCharacters = 24;

    private static readonly GraphemeTokenizer Graphemes = new();
    private static readonly JamoTokenizer Jamo = new();

    /// <summary>Wraps the vocabularies; <paramref name="chars"/> is null for an encoder without character features.
    /// With <paramref name="jamoChars"/> the character network reads Hangul jamo instead of whole syllables; with
    /// <paramref name="subwords"/> tokens are cut into those pieces first.</summary>
    public TokenEncoder(Vocabulary words, Vocabulary? chars, bool lowercaseWords = false, bool jamoChars = false, BytePairEncoding? subwords = null)
    {
        Words = words;
        Chars = chars;
        LowercaseWords = lowercaseWords;
        JamoChars = jamoChars;
        Subwords = subwords;
    }

    /// <summary>The subword pieces tokens are cut into, or null when whole tokens are the sequence.</summary>
    public BytePairEncoding? Subwords { get; }

    /// <summary>
    /// True when the character network reads jamo (each Hangul syllable as its 2–3 letters, so 했 and 갔 share the past
    /// tense ㅆ) rather than grapheme clusters. Words then keep up to twice <see cref="MaxWordCharacters"/> units.
    /// </summary>
    public bool JamoChars { get; }

    /// <summary>True when words are looked up in lower case.</summary>
    public bool LowercaseWords { get; }

    /// <summary>The word vocabulary.</summary>
    public Vocabulary Words { get; }

    /// <summary>The character vocabulary, or null.</summary>
    public Vocabulary? Chars { get; }

    /// <summary>
    /// Builds the vocabularies from training sentences: words seen at least <paramref name="minCount"/> times (at most
    /// <paramref name="maxWords"/> entries) and, when <paramref name="withChars"/>, every grapheme seen at least twice.
    /// With <paramref name="subwords"/> &gt; 0, byte-pair merges are learned from the tokens first, up to that many
    /// symbols, and the vocabulary is one of pieces.
    /// </summary>
    public static TokenEncoder Build(IEnumerable<IReadOnlyList<string>> sentences, int minCount, int? maxWords, bool withChars,
        string tokenizer = "word", bool lowercaseWords = false, bool jamoChars = false, int subwords = 0)
    {
        // distinct tokens first: the pieces are learned from them, and each is cut and spelled once, weighted by its count
        var tokenCounts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var sentence in sentences)
            foreach (var token in sentence) tokenCounts[token] = tokenCounts.GetValueOrDefault(token) + 1;
        var bpe = subwords > 0 ? BytePairEncoding.Learn(tokenCounts, subwords) : null;
        var wordCounts = new Dictionary<string, long>(StringComparer.Ordinal);
        var charCounts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (token, count) in tokenCounts)
            foreach (var unit in bpe?.Split(token) ?? [token])
            {
                var key = lowercaseWords ? unit.ToLowerInvariant() : unit;
                wordCounts[key] = wordCounts.GetValueOrDefault(key) + count;
                if (withChars)
                    foreach (var c in Units(unit, jamoChars)) charCounts[c] = charCounts.GetValueOrDefault(c) + count;
            }
        var words = Vocabulary.FromCounts(wordCounts, minCount, maxWords, tokenizer: tokenizer);
        var chars = withChars ? Vocabulary.FromCounts(charCounts, 2, tokenizer: "char") : null;
        return new TokenEncoder(words, chars, lowercaseWords, jamoChars, bpe);
    }

    private static List<string> Units(string token, bool jamo) => jamo ? Jamo.Tokenize(token) : Graphemes.Tokenize(token);

    /// <summary>Encodes a non-empty token list (cut into pieces first when the encoder has <see cref="Subwords"/>).</summary>
    public EncodedSequence Encode(IReadOnlyList<string> tokens)
    {
        if (Subwords is not null) tokens = Subwords.Split(tokens);
        var ids = new int[tokens.Count];
        var chars = Chars is null ? null : new int[tokens.Count][];
        for (int i = 0; i < tokens.Count; i++)
        {
            ids[i] = Words.IdOrUnk(WordKey(tokens[i]));
            if (chars is not null) chars[i] = CharIds(tokens[i]);
        }
        return new EncodedSequence(ids, chars);
    }

    /// <summary>True when <paramref name="token"/> has its own word embedding (is not &lt;unk&gt;), or, with
    /// <see cref="Subwords"/>, when each of its pieces has one.</summary>
    public bool Knows(string token) => Subwords is null ? Words.Contains(WordKey(token)) : Subwords.Split(token).All(p => Words.Contains(WordKey(p)));

    private string WordKey(string token) => LowercaseWords ? token.ToLowerInvariant() : token;

    private int[] CharIds(string token)
    {
        var graphemes = Units(token, JamoChars);
        int max = JamoChars ? 2 * MaxWordCharacters : MaxWordCharacters;
        if (graphemes.Count == 0) return [Vocabulary.UnkId];
        if (graphemes.Count > max)
        {
            int half = max / 2;
            graphemes = [.. graphemes.Take(half), .. graphemes.Skip(graphemes.Count - (max - half))];
        }
        var ids = new int[graphemes.Count];
        for (int i = 0; i < ids.Length; i++) ids[i] = Chars!.IdOrUnk(graphemes[i]);
        return ids;
    }

    /// <summary>Both vocabularies (and the subword merges, when there are any) as one JSON object (stored in model files).</summary>
    public string ToJson()
    {
        var fields = new Dictionary<string, JsonElement?>
        {
            ["words"] = JsonDocument.Parse(Words.ToJson()).RootElement,
            ["chars"] = Chars is null ? null : JsonDocument.Parse(Chars.ToJson()).RootElement,
            ["lowercase_words"] = JsonDocument.Parse(LowercaseWords ? "true" : "false").RootElement,
            ["jamo_chars"] = JsonDocument.Parse(JamoChars ? "true" : "false").RootElement,
        };
        if (Subwords is not null) fields["subword_merges"] = JsonSerializer.SerializeToElement(Subwords.Merges.Select(m => new[] { m.Left, m.Right }));
        return JsonSerializer.Serialize(fields);
    }

    /// <summary>Parses <see cref="ToJson"/> output; <paramref name="source"/> names the file in errors.</summary>
    public static TokenEncoder FromJson(string json, string? source = null)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (!doc.RootElement.TryGetProperty("words", out var words))
                throw new PerplexException("the model's vocabulary has no word list", source);
            var chars = doc.RootElement.TryGetProperty("chars", out var c) && c.ValueKind == JsonValueKind.Object
                ? Vocabulary.FromJson(c.GetRawText(), source) : null;
            bool lowercase = doc.RootElement.TryGetProperty("lowercase_words", out var l) && l.ValueKind == JsonValueKind.True;
            bool jamo = doc.RootElement.TryGetProperty("jamo_chars", out var j) && j.ValueKind == JsonValueKind.True;
            BytePairEncoding? subwords = null;
            if (doc.RootElement.TryGetProperty("subword_merges", out var m) && m.ValueKind == JsonValueKind.Array)
            {
                var merges = new List<(string, string)>(m.GetArrayLength());
                foreach (var pair in m.EnumerateArray())
                {
                    if (pair.ValueKind != JsonValueKind.Array || pair.GetArrayLength() != 2
                        || pair[0].ValueKind != JsonValueKind.String || pair[1].ValueKind != JsonValueKind.String
                        || pair[0].GetString() is not { Length: > 0 } left || pair[1].GetString() is not { Length: > 0 } right)
                        throw new PerplexException($"subword merge {merges.Count + 1} of the model's vocabulary is not a pair of non-empty strings", source);
                    merges.Add((left, right));
                }
                subwords = new BytePairEncoding(merges);
            }
            return new TokenEncoder(Vocabulary.FromJson(words.GetRawText(), source), chars, lowercase, jamo, subwords);
        }
        catch (JsonException e)
        {
            throw new PerplexException($"the model's vocabulary is not valid JSON: {e.Message}", source);
        }
    }
}
