namespace Perplex.NGram;

/// <summary>
/// 8-bit quantization of log10 probabilities or backoffs: 256 centres chosen as the means of equal-population
/// bins of the sorted values (KenLM's binning idea), each value stored as the index of its nearest centre.
/// With 256 or fewer distinct values the table is exact. Backoff tables always contain an exact 0, the backoff of
/// every n-gram that is not a context.
/// </summary>
internal static class Quantizer
{
    public const int Levels = 256;

    public static float[] Centres(ReadOnlySpan<float> values, bool keepZero)
    {
        var sorted = values.ToArray();
        Array.Sort(sorted);
        var distinct = new List<float>();
        foreach (float v in sorted) if (distinct.Count == 0 || distinct[^1] != v) { distinct.Add(v); if (distinct.Count > Levels) break; }
        if (keepZero && !distinct.Contains(0f)) distinct.Add(0f);
        if (distinct.Count <= Levels)
        {
            distinct.Sort();
            return [.. distinct]; // exact
        }
        int bins = keepZero ? Levels - 1 : Levels;
        var centres = new List<float>(Levels);
        for (int b = 0; b < bins; b++)
        {
            int from = (int)((long)sorted.Length * b / bins), to = (int)((long)sorted.Length * (b + 1) / bins);
            if (to <= from) continue;
            double sum = 0;
            for (int i = from; i < to; i++) sum += sorted[i];
            centres.Add((float)(sum / (to - from)));
        }
        if (keepZero) centres.Add(0f);
        centres.Sort();
        return [.. centres.Distinct()];
    }

    public static byte Encode(float[] centres, float value)
    {
        int i = Array.BinarySearch(centres, value);
        if (i >= 0) return (byte)i;
        i = ~i;
        if (i == 0) return 0;
        if (i == centres.Length) return (byte)(centres.Length - 1);
        return (byte)(value - centres[i - 1] <= centres[i] - value ? i - 1 : i);
    }
}
