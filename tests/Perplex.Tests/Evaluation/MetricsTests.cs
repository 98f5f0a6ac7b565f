using Perplex.Evaluation;
using Perplex.Tagging;
using Perplex.Text;

namespace Perplex.Tests.Evaluation;

public class MetricsTests
{
    [Fact]
    public void ClassificationReportMatchesHandCountedExample()
    {
        // gold:      1 1 1 0 0 0 0 0
        // predicted: 1 1 0 1 0 0 0 0  → TP(1)=2 FP(1)=1 FN(1)=1; TP(0)=4 FP(0)=1 FN(0)=1
        var r = new ClassificationReport(["0", "1"]);
        string[] gold = ["1", "1", "1", "0", "0", "0", "0", "0"];
        string[] pred = ["1", "1", "0", "1", "0", "0", "0", "0"];
        for (int i = 0; i < gold.Length; i++) r.Add(gold[i], pred[i]);
        Assert.Equal(6.0 / 8, r.Accuracy, 12);
        var one = r.PerClass().Single(s => s.Label == "1");
        Assert.Equal((2.0 / 3, 2.0 / 3, 2.0 / 3, 3L), (one.Precision, one.Recall, one.F1, one.Support));
        var zero = r.PerClass().Single(s => s.Label == "0");
        Assert.Equal(0.8, zero.Precision, 12);
        Assert.Equal(1L, r.Count("1", "0"));
        Assert.Equal(1L, r.Count("0", "1"));
        Assert.Contains("accuracy: 75.00% (6/8)", r.Format());
    }

    [Fact]
    public void PrecisionRecallHandleEmptyCounts()
    {
        Assert.Equal((0.0, 0.0, 0.0), ClassificationReport.PrecisionRecallF1(0, 0, 0));
        Assert.Equal((1.0, 0.5, 2.0 / 3), ClassificationReport.PrecisionRecallF1(1, 1, 2));
    }

    [Fact]
    public void EntitySpansFollowConllevalReading()
    {
        string[] tags = ["B-PER", "I-PER", "O", "I-LOC", "I-LOC", "B-LOC", "I-ORG", "O"];
        var spans = EntityScorer.Spans(tags);
        Assert.Equal(
            new HashSet<Span> { new("PER", 0, 2), new("LOC", 3, 5), new("LOC", 5, 6), new("ORG", 6, 7) },
            spans);
    }

    [Fact]
    public void EntityScoresNeedExactBoundariesAndType()
    {
        var s = new EntityScorer();
        s.Add(["B-PER", "I-PER", "O", "B-LOC"], ["B-PER", "O", "O", "B-LOC"]);   // PER boundary wrong, LOC right
        s.Add(["B-ORG", "O"], ["B-LOC", "O"]);                                     // wrong type
        Assert.Equal((3L, 3L, 1L), (s.Gold, s.Predicted, s.Correct));
        Assert.Equal(1.0 / 3, s.F1, 12);
        Assert.True(EntityScorer.LooksLikeBio(["O", "B-PER", "I-PER"]));
        Assert.False(EntityScorer.LooksLikeBio(["NOUN", "VERB"]));
    }

    [Fact]
    public void BioReaderReadsSentencesAndSkipsDocstart()
    {
        using var dir = new TempDir();
        var path = dir.File("ner.txt", "-DOCSTART- O\n\nEU B-ORG\nrejects O\r\n\r\n서울\tB-LOC\n에\tO\n");
        var sentences = BioReader.Read(path).ToList();
        Assert.Equal(2, sentences.Count);
        Assert.Equal(["EU", "rejects"], sentences[0].Tokens);
        Assert.Equal(["B-LOC", "O"], sentences[1].Tags);
        var bad = dir.File("bad.txt", "EU B-ORG\nrejects\n");
        Assert.Equal(2, Assert.Throws<PerplexException>(() => BioReader.Read(bad).ToList()).LineNumber);
    }

    [Fact]
    public void MajorityBaselineTagsKnownWordsByTheirMostFrequentTag()
    {
        TaggedSentence S(string words, string tags) => new("t", 1, words.Split(' ').ToList(), tags.Split(' ').ToList());
        var baseline = new MajorityTagBaseline([S("I run fast", "PRON VERB ADV"), S("a run", "DET NOUN"), S("run", "VERB")]);
        Assert.Equal("VERB", baseline.Tag("run"));
        Assert.Equal("DET", baseline.Tag("a"));
        Assert.Equal("NOUN", baseline.Tag("unseen"));
    }

    [Fact]
    public void ConlluTagColumnsFeedTheTagger()
    {
        var path = Cli.TestData("text", "ko_kaist-sample.conllu");
        var upos = BioReader.FromConllu(path, "upos").First();
        var xpos = BioReader.FromConllu(path, "xpos").First();
        Assert.Equal(["ADJ", "NOUN", "VERB", "PUNCT"], upos.Tags);
        Assert.Equal("mma", xpos.Tags[0]);
        Assert.Throws<PerplexException>(() => BioReader.FromConllu(path, "lemma").ToList());
    }
}
