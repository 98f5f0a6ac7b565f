using Xunit;
using Perplex.NGram;

namespace Perplex.Tests.NGram;

/// <summary>The forward-index autocomplete and sampler against brute force over the whole vocabulary.</summary>
public class CompletionTests
{
    /// <summary>Probabilities of every predictable word (no &lt;s&gt;, no &lt;unk&gt;), normalized.</summary>
    private static double[] BruteForce(ILanguageModel model, in ModelState state)
    {
        var p = new double[model.Vocabulary.Count];
        double sum = 0;
        for (int w = 0; w < p.Length; w++)
        {
            if (w == Vocabulary.BeginId || w == Vocabulary.UnknownId) continue;
            p[w] = Math.Pow(10, model.Score(state, w, out _, out _));
            sum += p[w];
        }
        for (int w = 0; w < p.Length; w++) p[w] /= sum;
        return p;
    }

    public static readonly TheoryData<string> Models = new() { "tiny.o3.arpa", "tiny.o5.arpa", "tiny-UNK.o5.arpa" };

    [Theory]
    [MemberData(nameof(Models))]
    public void TopKEqualsScoringTheWholeVocabulary(string arpa)
    {
        var model = ArpaReader.Read(KenLmFixtures.File(arpa));
        int contexts = 0;
        foreach (var line in File.ReadLines(KenLmFixtures.File("tiny-test.txt")).Take(6))
        {
            var state = model.BeginSentenceState();
            foreach (var word in line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(12))
            {
                var p = BruteForce(model, state);
                var expected = Enumerable.Range(0, p.Length).OrderByDescending(w => p[w]).Take(8).Select(w => p[w]).ToArray();
                var actual = NGramCompletion.Top(model, state, 8);
                Assert.Equal(8, actual.Count);
                for (int i = 0; i < 8; i++)
                {
                    // Same probabilities in the same order (ties may list different words of equal probability).
                    Assert.Equal(expected[i], actual[i].Probability / (1 - Math.Pow(10, model.Score(state, 0, out _, out _))), expected[i] * 1e-5);
                    Assert.Equal(p[model.Vocabulary.Find(actual[i].Word)], expected[i], expected[i] * 1e-5);
                }
                model.Score(state, model.Vocabulary.Find(word), out state, out _);
                contexts++;
            }
        }
        Assert.True(contexts > 50);
    }

    [Fact]
    public void SamplerFollowsTheModelDistribution()
    {
        var model = ArpaReader.Read(KenLmFixtures.File("tiny.o3.arpa"));
        var state = NGramCompletion.StateAfter(model, "the");
        var p = BruteForce(model, state);
        var random = new Random(12345);
        const int draws = 3_000; // each draw scores every explicit extension of "the": keep the test short
        var seen = new int[p.Length];
        for (int i = 0; i < draws; i++)
        {
            var words = NGramCompletion.Sample(model, state, random, maxWords: 1);
            int w = words.Count == 0 ? Vocabulary.EndId : model.Vocabulary.Find(words[0]);
            seen[w]++;
        }
        // The ten likeliest words, and the total of everything else, within 4.5 standard deviations.
        var top = Enumerable.Range(0, p.Length).OrderByDescending(w => p[w]).Take(10).ToList();
        foreach (int w in top.Append(-1))
        {
            double expected = w >= 0 ? p[w] : 1 - top.Sum(t => p[t]);
            double observed = (w >= 0 ? seen[w] : draws - top.Sum(t => seen[t])) / (double)draws;
            double sigma = Math.Sqrt(expected * (1 - expected) / draws);
            Assert.True(Math.Abs(observed - expected) <= 4.5 * sigma, $"word {w}: observed {observed}, expected {expected}");
        }
        Assert.Equal(0, seen[Vocabulary.UnknownId]);
    }
}
