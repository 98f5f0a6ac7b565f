namespace Perplex.Inference;

/// <summary>
/// Picks the next token from a logits vector: greedy, or sampling from softmax(logits / temperature) restricted
/// to the top-k tokens and then to the top-p nucleus, renormalised. Ties in the ranking go to the lower id so the
/// result depends only on the logits and the random draw.
/// </summary>
public sealed class TokenSampler
{
    private readonly SamplingOptions _options;
    private readonly Random _random;
    private readonly List<(int Id, double Weight)> _candidates = new();

    /// <summary>Creates a sampler drawing from <paramref name="random"/> (seed it for reproducible output).</summary>
    public TokenSampler(SamplingOptions options, Random random)
    {
        options.Validate();
        _options = options;
        _random = random;
    }

    /// <summary>
    /// Chooses a token. Ids for which <paramref name="allowed"/> returns false (e.g. padding) are never chosen.
    /// </summary>
    public int Next(ReadOnlySpan<float> logits, Func<int, bool>? allowed = null)
    {
        var candidates = Distribution(logits, _options, allowed, _candidates);
        if (_options.IsGreedy) return candidates[0].Id;
        double total = 0;
        foreach (var c in candidates) total += c.Weight;
        double u = _random.NextDouble() * total;
        foreach (var (id, weight) in candidates)
        {
            u -= weight;
            if (u < 0) return id;
        }
        return candidates[^1].Id; // rounding left u a hair above zero
    }

    /// <summary>
    /// The candidates with their unnormalised weights after temperature, top-k and top-p, most probable first.
    /// Exposed for tests and for showing the distribution.
    /// </summary>
    internal static List<(int Id, double Weight)> Distribution(ReadOnlySpan<float> logits, SamplingOptions options,
        Func<int, bool>? allowed = null, List<(int Id, double Weight)>? buffer = null)
    {
        var list = buffer ?? new List<(int Id, double Weight)>();
        list.Clear();
        double max = double.NegativeInfinity;
        for (int i = 0; i < logits.Length; i++)
        {
            if (allowed is not null && !allowed(i)) continue;
            if (float.IsNaN(logits[i])) throw new PerplexException($"the model produced a NaN score for token {i}");
            list.Add((i, logits[i]));
            max = Math.Max(max, logits[i]);
        }
        if (list.Count == 0) throw new PerplexException("no token can be generated: every token is excluded");
        list.Sort(static (a, b) => a.Weight != b.Weight ? b.Weight.CompareTo(a.Weight) : a.Id.CompareTo(b.Id));
        if (options.IsGreedy)
        {
            list.RemoveRange(1, list.Count - 1);
            list[0] = (list[0].Id, 1.0);
            return list;
        }
        if (options.TopK > 0 && options.TopK < list.Count)
            list.RemoveRange(options.TopK, list.Count - options.TopK);
        double total = 0;
        for (int i = 0; i < list.Count; i++)
        {
            double w = Math.Exp((list[i].Weight - max) / options.Temperature);
            list[i] = (list[i].Id, w);
            total += w;
        }
        if (options.TopP < 1)
        {
            // Keep tokens until their cumulative probability reaches p; the first token is always kept.
            double cumulative = 0;
            int keep = 0;
            while (keep < list.Count)
            {
                cumulative += list[keep].Weight / total;
                keep++;
                if (cumulative >= options.TopP) break;
            }
            list.RemoveRange(keep, list.Count - keep);
        }
        return list;
    }
}
