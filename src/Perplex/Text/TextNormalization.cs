using System.Text;

namespace Perplex.Text;

/// <summary>
/// Which Unicode normalization form text is put in before tokenizing. It is stated explicitly (and stored with
/// vocabularies and models) because the same Korean syllable can arrive precomposed (NFC) or as jamo (NFD),
/// and the two would otherwise be different tokens.
/// </summary>
public enum UnicodeNormalization
{
    /// <summary>Leave text as it is.</summary>
    None,
    /// <summary>Canonical composition (the default): Hangul syllables precomposed.</summary>
    Nfc,
    /// <summary>Canonical decomposition: Hangul syllables split into conjoining jamo.</summary>
    Nfd,
    /// <summary>Compatibility composition (full-width forms, ligatures folded).</summary>
    Nfkc,
    /// <summary>Compatibility decomposition.</summary>
    Nfkd,
}

/// <summary>Applies a <see cref="UnicodeNormalization"/>.</summary>
public static class TextNormalization
{
    /// <summary>Returns <paramref name="text"/> in the given form.</summary>
    public static string Normalize(string text, UnicodeNormalization form) => form switch
    {
        UnicodeNormalization.None => text,
        UnicodeNormalization.Nfc => text.IsNormalized(System.Text.NormalizationForm.FormC) ? text : text.Normalize(System.Text.NormalizationForm.FormC),
        UnicodeNormalization.Nfd => text.Normalize(System.Text.NormalizationForm.FormD),
        UnicodeNormalization.Nfkc => text.Normalize(System.Text.NormalizationForm.FormKC),
        UnicodeNormalization.Nfkd => text.Normalize(System.Text.NormalizationForm.FormKD),
        _ => throw new ArgumentOutOfRangeException(nameof(form)),
    };

    /// <summary>Parses a user-supplied name ("nfc", "none", …), case-insensitively.</summary>
    public static UnicodeNormalization Parse(string name) => name.ToLowerInvariant() switch
    {
        "none" => UnicodeNormalization.None,
        "nfc" => UnicodeNormalization.Nfc,
        "nfd" => UnicodeNormalization.Nfd,
        "nfkc" => UnicodeNormalization.Nfkc,
        "nfkd" => UnicodeNormalization.Nfkd,
        _ => throw new PerplexException($"unknown normalization '{name}' (expected none, nfc, nfd, nfkc or nfkd)"),
    };
}
