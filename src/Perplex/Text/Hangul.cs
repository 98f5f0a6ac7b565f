using System.Text;

namespace Perplex.Text;

/// <summary>
/// Reversible Hangul syllable ↔ jamo transform. A precomposed syllable (U+AC00–U+D7A3) is split arithmetically
/// into conjoining jamo: a leading consonant (U+1100–U+1112), a vowel (U+1161–U+1175) and an optional trailing
/// consonant (U+11A8–U+11C2). Conjoining (not compatibility) jamo are used because they keep initial and final
/// consonants distinct, which is what makes <see cref="Compose"/> an exact inverse.
/// </summary>
public static class Hangul
{
    private const int SyllableBase = 0xAC00;
    private const int LeadBase = 0x1100;
    private const int VowelBase = 0x1161;
    private const int TailBase = 0x11A7; // tail index 0 means "no trailing consonant"
    private const int VowelCount = 21;
    private const int TailCount = 28;
    private const int SyllableCount = 19 * VowelCount * TailCount;

    /// <summary>True for a precomposed Hangul syllable.</summary>
    public static bool IsSyllable(char c) => c >= SyllableBase && c < SyllableBase + SyllableCount;

    /// <summary>Splits every precomposed syllable into 2 or 3 conjoining jamo; other characters are unchanged.</summary>
    public static string Decompose(string text)
    {
        StringBuilder? sb = null;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (!IsSyllable(c))
            {
                sb?.Append(c);
                continue;
            }
            sb ??= new StringBuilder(text.Length * 3).Append(text, 0, i);
            int s = c - SyllableBase;
            sb.Append((char)(LeadBase + s / (VowelCount * TailCount)));
            sb.Append((char)(VowelBase + s % (VowelCount * TailCount) / TailCount));
            int tail = s % TailCount;
            if (tail != 0) sb.Append((char)(TailBase + tail));
        }
        return sb?.ToString() ?? text;
    }

    /// <summary>Recombines lead + vowel (+ tail) jamo sequences into precomposed syllables; the inverse of <see cref="Decompose"/>.</summary>
    public static string Compose(string text)
    {
        var sb = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            int lead = c - LeadBase;
            if (lead is >= 0 and < 19 && i + 1 < text.Length)
            {
                int vowel = text[i + 1] - VowelBase;
                if (vowel is >= 0 and < VowelCount)
                {
                    int tail = 0;
                    if (i + 2 < text.Length)
                    {
                        int t = text[i + 2] - TailBase;
                        if (t is > 0 and < TailCount) tail = t;
                    }
                    sb.Append((char)(SyllableBase + (lead * VowelCount + vowel) * TailCount + tail));
                    i += tail == 0 ? 1 : 2;
                    continue;
                }
            }
            sb.Append(c);
        }
        return sb.ToString();
    }
}
