using System.Globalization;

namespace Perplex.Text;

/// <summary>Splits a sentence into tokens and joins tokens back into text.</summary>
public interface ITokenizer
{
    /// <summary>The name stored with vocabularies and models: "word", "char" or "jamo".</summary>
    string Name { get; }

    /// <summary>Splits already-normalized text into tokens.</summary>
    List<string> Tokenize(string text);

    /// <summary>Joins tokens into text (the inverse of <see cref="Tokenize"/> as far as the tokenization allows).</summary>
    string Detokenize(IEnumerable<string> tokens);
}

/// <summary>Words separated by Unicode white space (spaces, tabs, ideographic space…).</summary>
public sealed class WhitespaceTokenizer : ITokenizer
{
    /// <inheritdoc />
    public string Name => "word";

    /// <inheritdoc />
    public List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        int start = -1;
        for (int i = 0; i < text.Length; i++)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                if (start >= 0) { tokens.Add(text[start..i]); start = -1; }
            }
            else if (start < 0) start = i;
        }
        if (start >= 0) tokens.Add(text[start..]);
        return tokens;
    }

    /// <inheritdoc />
    public string Detokenize(IEnumerable<string> tokens) => string.Join(' ', tokens);
}

/// <summary>
/// Characters as Unicode extended grapheme clusters, so a Hangul syllable, a letter with combining marks or an
/// emoji with skin-tone and ZWJ sequences stays one token. Spaces are kept as tokens (" ") so that text can be
/// regenerated exactly: this is the tokenizer for character-level models.
/// </summary>
public sealed class GraphemeTokenizer : ITokenizer
{
    /// <inheritdoc />
    public string Name => "char";

    /// <inheritdoc />
    public List<string> Tokenize(string text)
    {
        var tokens = new List<string>(text.Length);
        int i = 0;
        while (i < text.Length)
        {
            int len = StringInfo.GetNextTextElementLength(text, i);
            tokens.Add(text.Substring(i, len));
            i += len;
        }
        return tokens;
    }

    /// <inheritdoc />
    public string Detokenize(IEnumerable<string> tokens) => string.Concat(tokens);
}

/// <summary>
/// Korean text as jamo: every Hangul syllable is decomposed (<see cref="Hangul.Decompose"/>) and each jamo becomes
/// one token; other text is split into graphemes. Detokenizing recomposes syllables, so the round trip is exact.
/// A small alphabet (≈70 jamo) lets a model see inside syllables, which helps with Korean morphology.
/// </summary>
public sealed class JamoTokenizer : ITokenizer
{
    /// <inheritdoc />
    public string Name => "jamo";

    /// <inheritdoc />
    public List<string> Tokenize(string text)
    {
        var decomposed = Hangul.Decompose(text);
        var tokens = new List<string>(decomposed.Length);
        int i = 0;
        while (i < decomposed.Length)
        {
            // Conjoining jamo would be merged into one grapheme cluster; split them one code unit each.
            char c = decomposed[i];
            int len = c is >= '\u1100' and <= '\u11FF' ? 1 : StringInfo.GetNextTextElementLength(decomposed, i);
            tokens.Add(decomposed.Substring(i, len));
            i += len;
        }
        return tokens;
    }

    /// <inheritdoc />
    public string Detokenize(IEnumerable<string> tokens) => Hangul.Compose(string.Concat(tokens));
}

/// <summary>Creates tokenizers by name.</summary>
public static class Tokenizers
{
    /// <summary>The names accepted by <see cref="Create"/>.</summary>
    public static readonly string[] Names = ["word", "char", "jamo"];

    /// <summary>"word" (whitespace), "char" (graphemes) or "jamo" (Hangul jamo + graphemes).</summary>
    public static ITokenizer Create(string name) => name.ToLowerInvariant() switch
    {
        "word" or "whitespace" => new WhitespaceTokenizer(),
        "char" or "grapheme" => new GraphemeTokenizer(),
        "jamo" => new JamoTokenizer(),
        _ => throw new PerplexException($"unknown tokenizer '{name}' (expected word, char or jamo)"),
    };
}
