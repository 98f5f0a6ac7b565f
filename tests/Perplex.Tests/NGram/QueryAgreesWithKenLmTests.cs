using Xunit;
using System.Globalization;
using Perplex.NGram;

namespace Perplex.Tests.NGram;

/// <summary>Our query output against KenLM's query on the fixture test sets.</summary>
public class QueryAgreesWithKenLmTests
{
    [Theory]
    [MemberData(nameof(KenLmFixtures.Models), MemberType = typeof(KenLmFixtures))]
    public void BuiltModelGivesKenLmPerplexitiesAndLineTotals(string name, string corpus, string test, int order, bool skip) =>
        AssertSameAsKenLm(name, test, KenLmFixtures.Build(corpus, order, skip));

    [Theory]
    [MemberData(nameof(KenLmFixtures.Models), MemberType = typeof(KenLmFixtures))]
    public void LmplzArpaReadByUsGivesKenLmPerplexitiesAndLineTotals(string name, string corpus, string test, int order, bool skip)
    {
        _ = (corpus, order, skip);
        AssertSameAsKenLm(name, test, ArpaReader.Read(KenLmFixtures.File(name + ".arpa")));
    }

    private static void AssertSameAsKenLm(string name, string test, ILanguageModel model)
    {
        var output = new StringWriter();
        NGramQuery.Run(model, KenLmFixtures.File(test), output);
        var ours = KenLmFixtures.ParseQuery(output.ToString());
        var theirs = KenLmFixtures.ParseQuery(File.ReadAllText(KenLmFixtures.File(name + ".query.txt")));

        Assert.Equal(theirs.Totals.Count, ours.Totals.Count);
        for (int i = 0; i < theirs.Totals.Count; i++)
        {
            Assert.True(Math.Abs(theirs.Totals[i] - ours.Totals[i]) <= 1e-3, $"{name} line {i + 1}: total {ours.Totals[i]} vs KenLM {theirs.Totals[i]}");
            Assert.Equal(theirs.Oovs[i], ours.Oovs[i]);
        }
        Assert.Equal(theirs.Summary.Keys.Order(), ours.Summary.Keys.Order());
        foreach (var key in new[] { "Perplexity including OOVs:", "Perplexity excluding OOVs:" })
        {
            double expected = double.Parse(theirs.Summary[key], CultureInfo.InvariantCulture);
            double actual = double.Parse(ours.Summary[key], CultureInfo.InvariantCulture);
            Assert.Equal(expected.ToString("G6", CultureInfo.InvariantCulture), actual.ToString("G6", CultureInfo.InvariantCulture));
        }
        Assert.Equal(theirs.Summary["OOVs:"], ours.Summary["OOVs:"]);
        Assert.Equal(theirs.Summary["Tokens:"], ours.Summary["Tokens:"]);
    }

    [Fact]
    public void PerWordOutputHasKenLmShape()
    {
        var output = new StringWriter();
        NGramQuery.Run(KenLmFixtures.Build("tiny.txt", 3, true), KenLmFixtures.File("tiny-test.txt"), output);
        var ourFirst = output.ToString().Split('\n')[0].Split('\t');
        var theirFirst = File.ReadAllLines(KenLmFixtures.File("tiny.o3.query.txt"))[0].Split('\t');
        Assert.Equal(theirFirst.Length, ourFirst.Length);
        for (int i = 0; i < theirFirst.Length - 1; i++)
        {
            // word=id n log10p: same word, same matched length, same score (ids are implementation-specific).
            var t = theirFirst[i].Split(' ');
            var o = ourFirst[i].Split(' ');
            Assert.Equal(t[0][..t[0].IndexOf('=')], o[0][..o[0].IndexOf('=')]);
            Assert.Equal(t[1], o[1]);
            Assert.Equal(double.Parse(t[2], CultureInfo.InvariantCulture), double.Parse(o[2], CultureInfo.InvariantCulture), 1e-5);
        }
    }
}
