namespace Perplex.Inference;

/// <summary>How the next token is chosen from a model's scores.</summary>
/// <param name="Temperature">Divides the logits: below 1 sharpens, above 1 flattens; 0 means greedy.</param>
/// <param name="TopK">Keep only the k most probable tokens (0 = all).</param>
/// <param name="TopP">Nucleus sampling: keep the smallest set of most probable tokens whose probability reaches p (1 = all).</param>
/// <param name="Greedy">Always take the most probable token.</param>
public sealed record SamplingOptions(double Temperature = 1.0, int TopK = 0, double TopP = 1.0, bool Greedy = false)
{
    /// <summary>Throws a <see cref="PerplexException"/> for values that make no sense.</summary>
    public void Validate()
    {
        if (!(Temperature >= 0) || double.IsInfinity(Temperature))
            throw new PerplexException($"--temperature must be a finite number >= 0, not {Temperature}");
        if (TopK < 0) throw new PerplexException($"--top-k must be >= 0 (0 keeps every token), not {TopK}");
        if (!(TopP > 0 && TopP <= 1)) throw new PerplexException($"--top-p must be in (0, 1], not {TopP}");
    }

    /// <summary>True when sampling reduces to taking the arg-max.</summary>
    public bool IsGreedy => Greedy || Temperature == 0 || TopK == 1;
}
