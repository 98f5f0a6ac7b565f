using Xunit;
using System.Globalization;
using Perplex.NGram;

namespace Perplex.Tests.NGram;

/// <summary>Our Kneser-Ney models against lmplz's own ARPA files and logs for every KenLM fixture.</summary>
public class KneserNeyAgreesWithLmplzTests
{
    [Theory]
    [MemberData(nameof(KenLmFixtures.Models), MemberType = typeof(KenLmFixtures))]
    public void SameNGramsProbabilitiesAndBackoffs(string name, string corpus, string test, int order, bool skip)
    {
        _ = test;
        var ours = KenLmFixtures.Entries(KenLmFixtures.Build(corpus, order, skip));
        var theirs = KenLmFixtures.Entries(ArpaReader.Read(KenLmFixtures.File(name + ".arpa")));
        Assert.Equal(theirs.Count, ours.Count);
        int checkedCount = 0;
        foreach (var (gram, (prob, backoff)) in theirs)
        {
            Assert.True(ours.TryGetValue(gram, out var mine), $"{name}: missing n-gram '{gram}'");
            Assert.True(Math.Abs(mine.Prob - prob) <= 1e-5, $"{name}: '{gram}' log10 p {mine.Prob} vs lmplz {prob}");
            Assert.True(Math.Abs(mine.Backoff - backoff) <= 1e-5, $"{name}: '{gram}' backoff {mine.Backoff} vs lmplz {backoff}");
            checkedCount++;
        }
        Assert.True(checkedCount > 2000);
    }

    [Theory]
    [MemberData(nameof(KenLmFixtures.Models), MemberType = typeof(KenLmFixtures))]
    public void SameDiscountsAndCountsAsTheLog(string name, string corpus, string test, int order, bool skip)
    {
        _ = test;
        NGramBuilder.Build(KenLmFixtures.File(corpus), new NGramBuildOptions { Order = order, SkipSymbols = skip }, out var report, new KenLmFixtures.SilentProgress());
        var expected = KenLmFixtures.Discounts(name + ".lmplz.log");
        Assert.Equal(order, expected.Count);
        foreach (var (n, count, d1, d2, d3) in expected)
        {
            Assert.Equal(count, report.NGramCounts[n - 1]);
            var d = report.Discounts[n - 1];
            // The log prints 6 significant digits: ours must round to the same text.
            Assert.Equal(d.ToString(), $"D1={d1.ToString(CultureInfo.InvariantCulture)} D2={d2.ToString(CultureInfo.InvariantCulture)} D3+={d3.ToString(CultureInfo.InvariantCulture)}");
        }
    }
}
