using System.Globalization;

namespace Perplex.NGram;

/// <summary>How ARPA files spell numbers: the shortest text that reads back as the same 32-bit float, like KenLM.</summary>
internal static class ArpaNumber
{
    public static string Format(float value)
    {
        if (value == 0) return "0"; // also turns -0 into 0
        string s = value.ToString("R", CultureInfo.InvariantCulture);
        return s.Contains('E') ? s.Replace("E", "e") : s;
    }

    public static bool TryParse(ReadOnlySpan<char> text, out float value)
    {
        if (float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && float.IsFinite(value)) return true;
        // SRILM and others write -inf for log10(0); treat it as KenLM does, as a very small probability.
        if (text.Equals("-inf", StringComparison.OrdinalIgnoreCase) || text.Equals("-infinity", StringComparison.OrdinalIgnoreCase))
        {
            value = -99f;
            return true;
        }
        return false;
    }
}
