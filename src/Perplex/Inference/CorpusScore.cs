namespace Perplex.Inference;

/// <summary>The summed log-probability of some predicted tokens, and what follows from it.</summary>
/// <param name="LogProbability">Σ ln p(token | history), natural logarithm.</param>
/// <param name="Tokens">How many tokens were predicted (end-of-sentence tokens included).</param>
public readonly record struct CorpusScore(double LogProbability, long Tokens)
{
    /// <summary>Mean cross-entropy in nats per token.</summary>
    public double MeanLoss => Tokens == 0 ? double.NaN : -LogProbability / Tokens;

    /// <summary>exp(mean cross-entropy).</summary>
    public double Perplexity => Math.Exp(MeanLoss);

    /// <summary>The log-probability in base 10, as KenLM reports it.</summary>
    public double Log10Probability => LogProbability / Math.Log(10);

    /// <summary>Sums two scores.</summary>
    public static CorpusScore operator +(CorpusScore a, CorpusScore b) => new(a.LogProbability + b.LogProbability, a.Tokens + b.Tokens);
}
