using System.Globalization;
using Perplex.Diagnostics;

namespace Perplex.NGram;

/// <summary>The three modified Kneser-Ney discounts of one order: for counts 1, 2 and 3 or more.</summary>
/// <param name="D1">Discount for n-grams seen once.</param>
/// <param name="D2">Discount for n-grams seen twice.</param>
/// <param name="D3">Discount for n-grams seen three or more times.</param>
public readonly record struct Discount(float D1, float D2, float D3)
{
    /// <summary>lmplz's default <c>--discount_fallback</c> discounts.</summary>
    public static readonly Discount DefaultFallback = new(0.5f, 1f, 1.5f);

    /// <summary>The discount for a count (0 for count 0).</summary>
    public float For(long count) => count switch { <= 0 => 0f, 1 => D1, 2 => D2, _ => D3 };

    /// <summary>Formats as lmplz's log does: <c>D1=… D2=… D3+=…</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"D1={D1:G6} D2={D2:G6} D3+={D3:G6}");

    /// <summary>
    /// Chen and Goodman's estimate (their eq. 26) from count-of-counts t1..t4, computed in 32-bit floats like lmplz.
    /// Returns null when the counts do not give valid discounts (a t is zero or a discount is outside [0, k]).
    /// </summary>
    public static Discount? Estimate(ReadOnlySpan<long> t)
    {
        for (int j = 1; j < 4; j++) if (t[j] == 0) return null;
        float y = (float)t[1] / (float)(t[1] + 2.0 * t[2]);
        Span<float> d = stackalloc float[4];
        for (int j = 1; j < 4; j++)
        {
            d[j] = j - (j + 1) * y * (float)t[j + 1] / (float)t[j];
            if (d[j] < 0 || d[j] > j) return null;
        }
        return new Discount(d[1], d[2], d[3]);
    }

    /// <summary>
    /// Discounts for every order; where the counts make them invalid, either substitutes <paramref name="fallback"/>
    /// with a warning (like <c>--discount_fallback</c>) or stops with an error explaining the choice.
    /// </summary>
    internal static Discount[] EstimateAll(CountOfCounts stats, Discount? fallback, IProgressSink progress)
    {
        var result = new Discount[stats.Total.Length];
        for (int i = 0; i < result.Length; i++)
        {
            var d = Estimate(stats.N[i]);
            if (d is { } ok) { result[i] = ok; continue; }
            string why = $"could not estimate Kneser-Ney discounts for {i + 1}-grams from count-of-counts " +
                         $"t1={stats.N[i][1]} t2={stats.N[i][2]} t3={stats.N[i][3]} t4={stats.N[i][4]} (small or artificial data?)";
            if (fallback is not { } f)
                throw new PerplexException(why + "; try deduplicating the input, or pass --discount-fallback to use fixed discounts");
            progress.Warn($"{why}; substituting fallback discounts for order {i + 1}: {f}");
            result[i] = f;
        }
        return result;
    }
}
