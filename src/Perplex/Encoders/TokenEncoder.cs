using System.Text.Json;
using Perplex.Text;

namespace Perplex.Encoders;

/// <summary>
/// Turns tokens into <see cref="EncodedSequence"/>s: word ids from a word vocabulary (unknown words → &lt;unk&gt;)
/// and, when there is a character vocabulary, the ids of each word's grapheme clusters. Words longer than
/// <see cref="MaxWordCharacters"/> graphemes keep their first and last halves (prefixes and endings carry the
/// morphology, and it bounds the character network's work). With <see cref="LowercaseWords"/>, words are looked up
/// in lower case (so "The" and "the" share an embedding) while the character features still see the original case.
/// </summary>
public sealed class TokenEncoder
{
    /// <summary>The longest character sequence given to the character network.</summary>
    public const int MaxWordCharacters = 24;

    private static readonly GraphemeTokenizer Graphemes = new();
    private static readonly JamoTokenizer Jamo = new();

    /// <summary>Wraps the vocabularies; <paramref name="chars"/> is null for an encoder without character features.
    /// With <paramref name="jamoChars"/> the character network reads Hangul jamo instead of whole syllables.</summary>
    public TokenEncoder(Vocabulary words, Vocabulary? chars, bool lowercaseWords = false, bool jamoChars = false)
    {
        Words = words;
        Chars = chars;
        LowercaseWords = lowercaseWords;
        JamoChars = jamoChars;
    }

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
    /// </summary>
    public static TokenEncoder Build(IEnumerable<IReadOnlyList<string>> sentences, int minCount, int? maxWords, bool withChars,
        string tokenizer = "word", bool lowercaseWords = false, bool jamoChars = false)
    {
        var wordCounts = new Dictionary<string, long>(StringComparer.Ordinal);
        var charCounts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var sentence in sentences)
            foreach (var token in sentence)
            {
                var key = lowercaseWords ? token.ToLowerInvariant() : token;
                wordCounts[key] = wordCounts.GetValueOrDefault(key) + 1;
                if (withChars)
                    foreach (var c in Units(token, jamoChars)) charCounts[c] = charCounts.GetValueOrDefault(c) + 1;
            }
        var words = Vocabulary.FromCounts(wordCounts, minCount, maxWords, tokenizer: tokenizer);
        var chars = withChars ? Vocabulary.FromCounts(charCounts, 2, tokenizer: "char") : null;
        return new TokenEncoder(words, chars, lowercaseWords, jamoChars);
    }

    private static List<string> Units(string token, bool jamo) => jamo ? Jamo.Tokenize(token) : Graphemes.Tokenize(token);

    /// <summary>Encodes a non-empty token list.</summary>
    public EncodedSequence Encode(IReadOnlyList<string> tokens)
    {
        var ids = new int[tokens.Count];
        var chars = Chars is null ? null : new int[tokens.Count][];
        for (int i = 0; i < tokens.Count; i++)
        {
            ids[i] = Words.IdOrUnk(WordKey(tokens[i]));
            if (chars is not null) chars[i] = CharIds(tokens[i]);
        }
        return new EncodedSequence(ids, chars);
    }

    /// <summary>True when <paramref name="token"/> has its own word embedding (is not &lt;unk&gt;).</summary>
    public bool Knows(string token) => Words.Contains(WordKey(token));

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

    /// <summary>Both vocabularies as one JSON object (stored in model files).</summary>
    public string ToJson() => JsonSerializer.Serialize(new Dictionary<string, JsonElement?>
    {
        ["words"] = JsonDocument.Parse(Words.ToJson()).RootElement,
        ["chars"] = Chars is null ? null : JsonDocument.Parse(Chars.ToJson()).RootElement,
        ["lowercase_words"] = JsonDocument.Parse(LowercaseWords ? "true" : "false").RootElement,
        ["jamo_chars"] = JsonDocument.Parse(JamoChars ? "true" : "false").RootElement,
    });

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
            return new TokenEncoder(Vocabulary.FromJson(words.GetRawText(), source), chars, lowercase, jamo);
        }
        catch (JsonException e)
        {
            throw new PerplexException($"the model's vocabulary is not valid JSON: {e.Message}", source);
        }
    }
}
