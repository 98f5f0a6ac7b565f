using System.Text;
using Perplex.Text;

namespace Perplex.Classification;

/// <summary>
/// Whitespace words, split again wherever the kind of character changes: Hangul syllables, Hangul jamo (ㅋㅋ, ㅠㅠ),
/// other letters, digits, and everything else (punctuation, symbols, emoji). Runs of more than three equal characters
/// are cut to three. Why: user reviews glue punctuation and laughter to words ("최고!", "영화ㅋㅋㅋ보다", "명작.....") and
/// each spelling would otherwise be a separate, rare eojeol; split, "최고" and "!" are both frequent tokens.
/// The split is lossy (spacing and long repeats are not restored by <see cref="Detokenize"/>).
/// </summary>
public sealed class ScriptSplitTokenizer : ITokenizer
{
    /// <summary>The longest run of one repeated character that is kept.</summary>
    public const int MaxRepeat = 3;

    /// <inheritdoc />
    public string Name => "split";

    /// <inheritdoc />
    public List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        var current = new StringBuilder();
        var kind = Kind.Space;
        int repeat = 0;
        char previous = '\0';
        foreach (char c in text)
        {
            var k = KindOf(c);
            if (k != kind || k == Kind.Space)
            {
                Flush(current, tokens);
                repeat = 0;
            }
            kind = k;
            if (k == Kind.Space) continue;
            repeat = c == previous ? repeat + 1 : 1;
            previous = c;
            if (repeat <= MaxRepeat) current.Append(c);
        }
        Flush(current, tokens);
        return tokens;
    }

    /// <inheritdoc />
    public string Detokenize(IEnumerable<string> tokens) => string.Join(' ', tokens);

    private static void Flush(StringBuilder current, List<string> tokens)
    {
        if (current.Length > 0) tokens.Add(current.ToString());
        current.Clear();
    }

    private enum Kind { Space, Syllable, Jamo, Letter, Digit, Other }

    private static Kind KindOf(char c) => c switch
    {
        _ when char.IsWhiteSpace(c) => Kind.Space,
        >= '\uAC00' and <= '\uD7A3' => Kind.Syllable,
        (>= '\u3130' and <= '\u318F') or (>= '\u1100' and <= '\u11FF') => Kind.Jamo,
        _ when char.IsDigit(c) => Kind.Digit,
        _ when char.IsLetter(c) => Kind.Letter,
        _ => Kind.Other, // punctuation, symbols, and both halves of a surrogate pair (so emoji stay whole)
    };
}

/// <summary>The tokenizers a classifier accepts: those of <see cref="Tokenizers"/> plus <c>split</c>.</summary>
public static class ClassifierTokenizers
{
    /// <summary>word, char, jamo, split.</summary>
    public static readonly string[] Names = [.. Tokenizers.Names, "split"];

    /// <summary>Creates the tokenizer named <paramref name="name"/>.</summary>
    public static ITokenizer Create(string name) =>
        name.Equals("split", StringComparison.OrdinalIgnoreCase) ? new ScriptSplitTokenizer() : Tokenizers.Create(name);

    /// <summary>True for tokenizers whose tokens are words, which character features can read.</summary>
    public static bool YieldsWords(string name) => name is "word" or "split";
}
