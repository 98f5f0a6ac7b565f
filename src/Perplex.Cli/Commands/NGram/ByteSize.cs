using System.Globalization;

namespace Perplex.Cli.Commands.NGram;

/// <summary>Parses memory sizes the way lmplz's <c>-S</c> does: <c>2G</c>, <c>512M</c>, <c>64K</c>, plain bytes, or <c>80%</c> of physical memory.</summary>
internal static class ByteSize
{
    public static long Parse(string text, string option)
    {
        var t = text.Trim();
        if (t.EndsWith('%') && double.TryParse(t[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out double percent) && percent > 0 && percent <= 100)
            return (long)(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes * percent / 100);
        long multiplier = 1;
        if (t.Length > 0)
        {
            char suffix = char.ToUpperInvariant(t[^1]);
            multiplier = suffix switch { 'K' => 1L << 10, 'M' => 1L << 20, 'G' => 1L << 30, 'T' => 1L << 40, 'B' => 1, _ => 0 };
            if (multiplier != 0) t = t[..^1];
            else multiplier = 1;
        }
        if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || value <= 0)
            throw new PerplexException($"{option}: '{text}' is not a size (examples: 2G, 512M, 80%)");
        return (long)(value * multiplier);
    }
}
