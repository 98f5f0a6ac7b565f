using Perplex.Classification;
using Xunit;

namespace Perplex.Tests.Classification;

public class NGramModelTests
{
    private static readonly NGramFeatureConfig WordsOnly = new(2, 0), CharsOnly = new(0, 2);

    [Fact]
    public void FeaturesAreTheDistinctWordAndCharacterNGrams()
    {
        // words a, b and the bigram "a b"
        Assert.Equal(3, NGramBag.Features(["a", "b"], WordsOnly).Length);
        // " a b ": characters ' ', a, b and bigrams " a", "a ", " b", "b "
        Assert.Equal(7, NGramBag.Features(["a", "b"], CharsOnly).Length);
        // a repeated word is one feature
        Assert.Equal(NGramBag.Features(["a"], new NGramFeatureConfig(1, 0)), NGramBag.Features(["a", "a"], new NGramFeatureConfig(1, 0)));
        // an emoji outside the BMP is one character, not two UTF-16 halves: ' ', 😀 and their two bigrams
        Assert.Equal(4, NGramBag.Features(["😀"], CharsOnly).Length);
    }

    [Fact]
    public void FeaturesAreSortedInRangeAndTheSameEveryTime()
    {
        var config = new NGramFeatureConfig(2, 4, HashBits: 10);
        var f = NGramBag.Features(["배우", "연기", "최고!"], config);
        Assert.Equal(f.Order().Distinct(), f);
        Assert.All(f, x => Assert.InRange(x, 0, config.Buckets - 1));
        Assert.Equal(f, NGramBag.Features(["배우", "연기", "최고!"], config));
    }

    [Fact]
    public void AWordAndTheSameLettersAsCharactersAreDifferentFeatures()
    {
        var word = NGramBag.Features(["ab"], new NGramFeatureConfig(1, 0));
        var chars = NGramBag.Features(["ab"], new NGramFeatureConfig(0, 4));
        Assert.Empty(word.Intersect(chars));
    }

    [Fact]
    public void LogisticRegressionLearnsWordsThatDecideTheLabel()
    {
        var random = new Random(3);
        string[] good = ["좋다", "최고"], bad = ["싫다", "최악"], filler = ["이", "영화", "배우", "정말"];
        var docs = new List<string[]>();
        var labels = new List<int>();
        for (int i = 0; i < 200; i++)
        {
            int label = i % 3 == 0 ? 2 : i % 2; // three classes; class 2 has no cue word but two fillers in a row
            var words = new List<string> { filler[random.Next(4)] };
            if (label < 2) words.Add((label == 1 ? good : bad)[random.Next(2)]);
            else words.Add("정말");
            docs.Add([.. words]);
            labels.Add(label);
        }
        var config = new NGramFeatureConfig(2, 0, HashBits: 12, Epochs: 1);
        var once = new NGramLogisticRegression(config, 3);
        var features = docs.Select(once.Features).ToList();
        double lossAfterOne = once.Train(features, labels, 1);
        var thrice = new NGramLogisticRegression(config with { Epochs = 3 }, 3);
        double lossAfterThree = thrice.Train(features, labels, 1);
        Assert.True(lossAfterThree < lossAfterOne, $"{lossAfterThree} vs {lossAfterOne}");
        Assert.Equal(0, thrice.Weight.Grad.Length); // fitted by AdaGrad here, so no gradient table of the weights' size

        Span<float> logp = stackalloc float[3];
        thrice.LogProbabilities(thrice.Features(["배우", "최고"]), logp);
        Assert.Equal(1, System.Numerics.Tensors.TensorPrimitives.IndexOfMax<float>(logp));
        Assert.Equal(1.0, logp.ToArray().Sum(v => Math.Exp(v)), 5);
        thrice.LogProbabilities(thrice.Features(["영화", "최악"]), logp);
        Assert.Equal(0, System.Numerics.Tensors.TensorPrimitives.IndexOfMax<float>(logp));
    }

    [Fact]
    public void NaiveBayesScalesAreTheLogCountRatiosWithAddOneCounts()
    {
        // buckets chosen by hand: class 0 has documents {1, 2} and {1}, class 1 has {2, 3}; 256 buckets
        var model = new NGramLogisticRegression(new NGramFeatureConfig(1, 0, HashBits: 8, NaiveBayes: true), 2);
        var scale = model.NaiveBayesScales([[1, 2], [1], [2, 3]], [0, 0, 1]);
        double total0 = 3 + 256, total1 = 2 + 256; // feature occurrences per class, plus one per bucket
        Assert.Equal(Math.Log(3 / total0) - Math.Log(1 / total1), scale[1], 5); // bucket 1: twice in class 0, never in class 1
        Assert.Equal(Math.Log(2 / total1) - Math.Log(2 / total0), scale[2], 5); // once in each: only the totals differ
        Assert.Equal(Math.Log(2 / total1) - Math.Log(1 / total0), scale[3], 5); // once in class 1 only
        Assert.Equal(Math.Log(1 / total1) - Math.Log(1 / total0), scale[200], 5); // never seen
        // with three classes "not c" pools the other two: bucket 5 is in classes 0 and 1 but not 2
        var three = new NGramLogisticRegression(new NGramFeatureConfig(1, 0, HashBits: 8, NaiveBayes: true), 3);
        var s3 = three.NaiveBayesScales([[5], [5], [7]], [0, 1, 2]);
        double t = 1 + 256; // every class has one feature occurrence
        double vsRest(double inClass, double others) => Math.Abs(Math.Log(inClass / t) - Math.Log(others / (2 * t)));
        Assert.Equal(Math.Max(vsRest(2, 3), vsRest(1, 4)), s3[5], 5);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ANaiveBayesScaledModelReadsBinaryFeaturesAfterTraining(bool naiveBayes)
    {
        // a rare cue word decides the label; the scaled model must learn it too and give the same
        // probabilities through the ordinary (binary) feature path that a saved model uses
        var random = new Random(5);
        var docs = new List<int[]>();
        var labels = new List<int>();
        for (int i = 0; i < 300; i++)
        {
            int label = i % 2;
            var f = new SortedSet<int> { random.Next(10, 60), random.Next(10, 60) };
            if (i % 5 == 0) f.Add(label == 1 ? 3 : 4); // the cue, in a fifth of the documents
            else f.Add(label == 1 ? random.Next(60, 64) : random.Next(62, 66)); // weak, overlapping evidence
            docs.Add([.. f]);
            labels.Add(label);
        }
        var model = new NGramLogisticRegression(new NGramFeatureConfig(1, 0, HashBits: 8, Epochs: 3, NaiveBayes: naiveBayes), 2);
        double loss = model.Train(docs, labels, 2);
        Assert.InRange(loss, 0, 0.6);
        Span<float> logp = stackalloc float[2];
        double recomputed = 0;
        for (int d = 0; d < docs.Count; d++)
        {
            model.LogProbabilities(docs[d], logp);
            recomputed -= logp[labels[d]];
        }
        // the last epoch's loss was summed while the weights moved, so the two agree only roughly
        Assert.InRange(recomputed / docs.Count, 0.5 * loss, 1.5 * loss);
        model.LogProbabilities([3], logp);
        Assert.True(logp[1] > logp[0]);
        model.LogProbabilities([4], logp);
        Assert.True(logp[0] > logp[1]);
    }

    [Fact]
    public void TheMixRunsFromTheRnnAloneToTheNGramsAloneAndTheChosenWeightFitsBest()
    {
        // three documents, two classes: the RNN is right on the first two, the n-grams on the last two
        float L(double p) => (float)Math.Log(p);
        float[] rnn = [L(0.9), L(0.1), L(0.2), L(0.8), L(0.7), L(0.3)];
        float[] ngram = [L(0.4), L(0.6), L(0.1), L(0.9), L(0.2), L(0.8)];
        var scores = new ClassifierScores(2, rnn, ngram, [true, true, true]);
        int[] gold = [0, 1, 1];
        Span<float> p = stackalloc float[2];
        scores.Probabilities(0, 0, p);
        Assert.Equal(0.9, p[0], 5);
        scores.Probabilities(0, 1, p);
        Assert.Equal(0.4, p[0], 5);
        Assert.Equal(2 / 3.0, scores.Accuracy(gold, 0), 9);
        Assert.Equal(2 / 3.0, scores.Accuracy(gold, 1), 9);

        double mix = scores.ChooseMix(gold);
        Assert.InRange(mix, 0.05, 0.95); // neither part alone fits these documents best
        Assert.All(ClassifierScores.MixGrid, m => Assert.True(scores.CrossEntropy(gold, mix) <= scores.CrossEntropy(gold, m)));
        Assert.Equal(1.0, scores.Accuracy(gold, 0.5), 9);
        Assert.Equal(0, new ClassifierScores(2, rnn, null, [true, true, true]).ChooseMix(gold));
    }

    [Fact]
    public void AModelFileWithABadNGramSettingOrWithoutItsTableIsAClearError()
    {
        using var dir = new TempDir();
        var tokens = Perplex.Encoders.TokenEncoder.Build([["좋다", "영화"], ["싫다"]], 1, null, withChars: false);
        var encoder = new Perplex.Encoders.SequenceEncoderConfig(Perplex.Layers.RecurrentCell.Lstm, tokens.Words.Count, 4, 4);
        var config = new ClassifierConfig(encoder, Pooling.Max, "word", "nfc", "document", "label", 0, new NGramFeatureConfig(1, 2, HashBits: 8));
        var path = dir.Combine("m.st");
        new ClassifierModel(config, tokens, ["0", "1"]).Save(path);
        Assert.NotNull(ClassifierModel.Load(path).NGrams);

        (Dictionary<string, string> Metadata, List<Perplex.Serialization.NamedTensor> Tensors) Contents()
        {
            using var reader = Perplex.Serialization.SafetensorsReader.Open(path);
            return (new Dictionary<string, string>(reader.Metadata),
                reader.Entries.Select(e => Perplex.Serialization.NamedTensor.From(e.Name, reader.Read<float>(e.Name))).ToList());
        }
        var (metadata, tensors) = Contents();
        var json = metadata[Perplex.Serialization.ModelFile.ConfigKey];
        Assert.Contains("\"hash_bits\":8", json);
        metadata[Perplex.Serialization.ModelFile.ConfigKey] = json.Replace("\"hash_bits\":8", "\"hash_bits\":40");
        Perplex.Serialization.SafetensorsWriter.WriteFile(path, tensors, metadata);
        var e = Assert.Throws<PerplexException>(() => ClassifierModel.Load(path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains("must be between 8 and 26 (got 40)", e.Message);

        metadata[Perplex.Serialization.ModelFile.ConfigKey] = json;
        Perplex.Serialization.SafetensorsWriter.WriteFile(path, tensors.Where(t => t.Name != "ngram.weight").ToList(), metadata);
        Assert.Contains("ngram.weight", Assert.Throws<PerplexException>(() => ClassifierModel.Load(path)).Message);
    }

    [Fact]
    public void BadSettingsAreRejectedByName()
    {
        Assert.Contains("--ngram-bits", Assert.Throws<PerplexException>(() => new NGramFeatureConfig(1, 0, HashBits: 30).Validate()).Message);
        Assert.Contains("word order or a character order", Assert.Throws<PerplexException>(() => new NGramFeatureConfig(0, 0).Validate()).Message);
    }
}
