using Perplex.NGram;

namespace Perplex.Tests.NGram;

/// <summary>
/// γ(h) of a context with very many continuations: summing the discounts of 200,000 continuations in float lost
/// their fractions (γ(&lt;s&gt;) was 0.14 % off lmplz's on the NSMC reviews while every small fixture passed).
/// </summary>
public class LargeContextGammaTests
{
    [Fact]
    public void BackoffOfSentenceStartMatchesTheFormulaWithManyContinuations()
    {
        using var dir = new TempDir();
        var rng = new Random(7);
        var firstWordCounts = new Dictionary<string, int>();
        var lines = new List<string>();
        for (int i = 0; i < 250_000; i++)
        {
            // Mostly distinct first words (count 1), some repeated twice or more, so all three discounts take part.
            string first = rng.Next(10) < 7 ? $"u{i}" : $"r{rng.Next(20_000)}";
            firstWordCounts[first] = firstWordCounts.GetValueOrDefault(first) + 1;
            lines.Add($"{first} m{rng.Next(3_000)} x{rng.Next(5)}");
        }
        var corpus = dir.File("many.txt", string.Join('\n', lines) + "\n");
        var model = NGramBuilder.Build(corpus, new NGramBuildOptions { Order = 2, DiscountFallback = new Discount(0.91f, 1.11f, 1.25f) }, out var result,
            new KenLmFixtures.SilentProgress());

        var d = result.Discounts[1];
        double mass = firstWordCounts.Values.Sum(c => (double)d.For(c));
        double expected = Math.Log10(mass / lines.Count);
        float stored = model.BeginSentenceState().Backoffs[0]; // log10 γ(<s>)
        Assert.Equal(expected, stored, 1e-6);
    }
}
