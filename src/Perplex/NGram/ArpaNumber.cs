using System.Globalization;
using System.Text;

namespace Perplex.NGram;

/// <summary>How ARPA files spell numbers: the shortest text that reads back as the same 32-bit float, like KenLM.</summary>
internal static class ArpaNumber
{
    public static string Format(float value)
    {
        Span<byte> text = stackalloc byte[MaxLength];
        return Encoding.ASCII.GetString(text[..FormatUtf8(value, text)]);
    }

    /// <summary>Longest text <see cref="FormatUtf8"/> writes.</summary>
    public const int MaxLength = 32;

    /// <summary>Writes the number as <see cref="Format"/> spells it, as ASCII bytes; returns the length.</summary>
    public static int FormatUtf8(float value, Span<byte> destination)
    {
        if (value == 0) // also turns -0 into 0
        {
            destination[0] = (byte)'0';
            return 1;
        }
        value.TryFormat(destination, out int written, "R", CultureInfo.InvariantCulture);
        for (int i = 0; i < written; i++)
            if (destination[i] == (byte)'E') destination[i] = (byte)'e'; // C++ streams print a lower-case exponent
        return written;
    }

    private static readonly double[] PowersOfTen = Enumerable.Range(0, 19).Select(i => Math.Pow(10, i)).ToArray();

    /// <summary>Parses a number field of an ARPA line given as UTF-8 bytes.</summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out float value)
    {
        if (TryParsePlainDecimal(text, out value)) return true;
        if (float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && float.IsFinite(value)) return true;
        // SRILM and others write -inf for log10(0); treat it as KenLM does, as a very small probability.
        if (Ascii.EqualsIgnoreCase(text, "-inf"u8) || Ascii.EqualsIgnoreCase(text, "-infinity"u8))
        {
            value = -99f;
            return true;
        }
        return false;
    }

    /// <summary>
    /// Fast path for what ARPA files are made of: an optional minus, at most 18 digits and an optional point.
    /// Digits and the power of ten are exact doubles, so one division is correctly rounded; narrowing that to float
    /// gives the float the text was printed from. Anything else (exponents, long numbers) goes to the full parser.
    /// </summary>
    private static bool TryParsePlainDecimal(ReadOnlySpan<byte> text, out float value)
    {
        value = 0;
        int i = 0;
        bool negative = text.Length > 0 && text[0] == '-';
        if (negative) i++;
        long mantissa = 0;
        int digits = 0, fraction = -1;
        for (; i < text.Length; i++)
        {
            int c = text[i];
            if (c == '.' && fraction < 0) { fraction = 0; continue; }
            if ((uint)(c - '0') > 9 || ++digits > 18) return false;
            mantissa = mantissa * 10 + (c - '0');
            if (fraction >= 0) fraction++;
        }
        if (digits == 0) return false;
        double v = fraction > 0 ? mantissa / PowersOfTen[fraction] : mantissa;
        value = (float)(negative ? -v : v);
        return true;
    }
}
