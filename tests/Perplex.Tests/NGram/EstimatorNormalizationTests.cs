using Xunit;
using Perplex.NGram;

namespace Perplex.Tests.NGram;

/// <summary>Every estimator except stupid backoff must give conditional distributions that sum to one.</summary>
public class EstimatorNormalizationTests
{
    public static readonly TheoryData<string, double> Normalized = new()
    {
        { "kn", 0 }, { "mle", 0 }, { "addk", 1.0 }, { "addk", 0.05 }, { "katz", 0 }, { "kn-pruned", 0 },
    };

    private static ILanguageModel Build(string smoothing, double k, int order = 3) => NGramBuilder.Build(
        KenLmFixtures.File("tiny.txt"),
        new NGramBuildOptions
        {
            Order = order,
            SkipSymbols = true,
            AddK = k == 0 ? 1 : k,
            PruneThresholds = smoothing == "kn-pruned" ? [0, 1, 1] : null,
            Smoothing = smoothing switch
            {
                "mle" => Smoothing.Mle,
                "addk" => Smoothing.AddK,
                "katz" => Smoothing.Katz,
                "stupid" => Smoothing.StupidBackoff,
                _ => Smoothing.KneserNey,
            },
        }, out _, new KenLmFixtures.SilentProgress());

    /// <summary>Contexts met while reading a few test sentences, including ones after unknown words.</summary>
    private static IEnumerable<ModelState> SampledContexts(ILanguageModel model)
    {
        yield return model.NullContextState();
        foreach (var line in File.ReadLines(KenLmFixtures.File("tiny-test.txt")).Take(4))
        {
            var state = model.BeginSentenceState();
            yield return state;
            foreach (var w in line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                model.Score(state, model.Vocabulary.Find(w), out state, out _);
                yield return state;
            }
        }
    }

    private static double Sum(ILanguageModel model, in ModelState context)
    {
        double sum = 0;
        for (int w = 0; w < model.Vocabulary.Count; w++)
        {
            if (w == Vocabulary.BeginId) continue; // never predicted
            sum += Math.Pow(10, model.Score(context, w, out _, out _));
        }
        return sum;
    }

    [Theory]
    [MemberData(nameof(Normalized))]
    public void ConditionalDistributionsSumToOne(string smoothing, double k)
    {
        var model = Build(smoothing, k);
        Assert.True(model.IsNormalized);
        int contexts = 0;
        foreach (var context in SampledContexts(model))
        {
            double sum = Sum(model, context);
            Assert.True(Math.Abs(sum - 1) <= 1e-4, $"{smoothing}: context #{contexts} sums to {sum}");
            contexts++;
        }
        Assert.True(contexts > 50);
    }

    [Fact]
    public void StupidBackoffIsLabelledAsScoresAndBacksOffByAlpha()
    {
        var model = (BackoffModel)Build("stupid", 0, order: 2);
        Assert.False(model.IsNormalized);
        var v = model.Vocabulary;
        // After "the", an unseen bigram "the w" scores 0.4 · S(w).
        var afterThe = model.BeginSentenceState();
        model.Score(afterThe, v.Find("the"), out afterThe, out _);
        int unseen = Enumerable.Range(3, v.Count - 3).First(w => { model.Score(afterThe, w, out _, out int m); return m == 1; });
        float unigram = model.Score(model.NullContextState(), unseen, out _, out _);
        Assert.Equal(Math.Log10(0.4) + unigram, model.Score(afterThe, unseen, out _, out _), 1e-5);
        // Scores after a context do not sum to one.
        Assert.True(Sum(model, afterThe) > 1.01);
    }

    [Fact]
    public void AddKMatchesTheFormulaOnATinyCorpus()
    {
        using var dir = new TempDir();
        var corpus = dir.File("c.txt", "a b\na c\n");
        var model = NGramBuilder.Build(corpus, new NGramBuildOptions { Order = 2, Smoothing = Smoothing.AddK, AddK = 0.5 }, out _);
        var v = model.Vocabulary; // <unk> <s> </s> a b c: |V| without <s> = 5
        var s = model.BeginSentenceState();
        model.Score(s, v.Find("a"), out var afterA, out _);
        // c(a b) = 1, c(a ·) = 2 → (1 + 0.5) / (2 + 0.5·5)
        Assert.Equal(Math.Log10(1.5 / 4.5), model.Score(afterA, v.Find("b"), out _, out _), 1e-6);
        // unseen: c(a a) = 0 → 0.5 / 4.5
        Assert.Equal(Math.Log10(0.5 / 4.5), model.Score(afterA, v.Find("a"), out _, out _), 1e-6);
        // <s> a: c = 2, c(<s> ·) = 2 → 2.5 / 4.5
        Assert.Equal(Math.Log10(2.5 / 4.5), model.Score(s, v.Find("a"), out _, out _), 1e-6);
    }

    [Fact]
    public void HashTablesBuiltOnFirstLookupSurviveACompactingGarbageCollection()
    {
        // Estimation drops each order's trie hash table when done with it; the finished model rebuilds them on first
        // lookup, and they are addressed by pointer: they must be pinned too.
        var options = new NGramBuildOptions { Order = 4, SkipSymbols = true };
        var model = (BackoffModel)NGramBuilder.Build(KenLmFixtures.File("tiny.txt"), options, out _, new KenLmFixtures.SilentProgress());
        Assert.All(model.Levels.Skip(1), level => Assert.False(level.HasSlots));
        var before = Compaction.QueryTinyTest(model);
        Assert.All(model.Levels.Skip(1), level => Assert.True(level.HasSlots));
        Compaction.Force();
        Assert.Equal(before, Compaction.QueryTinyTest(model));
        Assert.Equal(Compaction.QueryTinyTest(KenLmFixtures.Build("tiny.txt", 4, true)), before);
    }

    [Fact]
    public void PrunedModelSurvivesACompactingGarbageCollection()
    {
        // The model addresses its arrays by pointer: every array must be pinned, or a compacting GC moves it away.
        var pruned = Build("kn-pruned", 0);
        var before = Enumerable.Range(0, pruned.Vocabulary.Count).Select(w => pruned.Score(pruned.NullContextState(), w, out _, out _)).ToArray();
        Compaction.Force();
        var after = Enumerable.Range(0, pruned.Vocabulary.Count).Select(w => pruned.Score(pruned.NullContextState(), w, out _, out _)).ToArray();
        Assert.Equal(before, after);
    }

    [Fact]
    public void PruningRemovesRareNGramsAndKeepsLmplzStructure()
    {
        var full = (BackoffModel)Build("kn", 0);
        var pruned = (BackoffModel)Build("kn-pruned", 0);
        Assert.Equal(full.NGramCounts[0], pruned.NGramCounts[0]);
        Assert.True(pruned.NGramCounts[1] < full.NGramCounts[1] / 2);
        Assert.True(pruned.NGramCounts[2] < full.NGramCounts[2] / 2);
        // Written and read back, the pruned model is a valid ARPA (every suffix present).
        using var dir = new TempDir();
        var path = dir.Combine("p.arpa");
        ArpaWriter.Write(pruned, path);
        Assert.Equal(pruned.NGramCounts, ArpaReader.Read(path).NGramCounts);
    }
}
