using System.Globalization;
using System.Text;
using Perplex.Cli;
using Xunit;

namespace Perplex.Tests.Classification;

public class ClassifyCliTests
{
    /// <summary>Reviews whose label is 1 when they contain a positive word, 0 when a negative one.</summary>
    internal static string Reviews(int count, int seed, bool withEmpty = false)
    {
        string[] good = ["재밌다", "최고", "감동"], bad = ["지루하다", "최악", "별로"], filler = ["이", "영화", "정말", "너무", "배우", "연기"];
        var random = new Random(seed);
        var sb = new StringBuilder("id\tdocument\tlabel\n");
        for (int i = 0; i < count; i++)
        {
            int label = i % 2;
            var words = Enumerable.Range(0, 2 + random.Next(4)).Select(_ => filler[random.Next(filler.Length)]).ToList();
            words.Insert(random.Next(words.Count + 1), label == 1 ? good[random.Next(3)] : bad[random.Next(3)]);
            sb.Append($"{i}\t{string.Join(' ', words)}\t{label}\n");
        }
        if (withEmpty) sb.Append($"{count}\t \t1\n");
        return sb.ToString();
    }

    /// <summary>The document column of a <see cref="Reviews"/> file: unlabeled text.</summary>
    private static IEnumerable<string> Texts(string tsv) => tsv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(line => line.Split('\t')[1]);

    private static readonly string[] Small = ["--emsize", "8", "--nhid", "8", "--epochs", "10", "--lr", "0.02", "--batch-size", "8", "--dropout", "0", "--quiet"];

    [Theory]
    [InlineData("max", "word", false)]
    [InlineData("mean", "word", true)]
    [InlineData("last", "char", false)]
    public void TrainEvaluateAndClassify(string pooling, string tokenizer, bool chars)
    {
        using var dir = new TempDir();
        var train = dir.File("train.txt", Reviews(120, 1, withEmpty: true));
        var test = dir.File("test.txt", Reviews(40, 2));
        var model = dir.Combine("m.st");
        string[] extra = chars ? ["--char-dim", "4", "--char-hidden", "4"] : [];
        var trained = Cli.Run(["classify", "train", "--train", train, "--valid", test, "--text-column", "document", "--label-column", "label",
            "--pooling", pooling, "--tokenizer", tokenizer, "--save", model, .. Small, .. extra]);
        Assert.True(trained.ExitCode == 0, trained.Err);
        Assert.Contains("skipped 1 empty document", trained.Out);

        var eval = Cli.Run("classify", "eval", model, test);
        Assert.True(eval.ExitCode == 0, eval.Err);
        Assert.Contains("accuracy: 100.00% (40/40)", eval.Out);
        Assert.Contains("confusion (rows gold, columns predicted)", eval.Out);

        var predicted = Cli.Run("classify", model, "이 영화 정말 재밌다", "배우 연기 최악");
        Assert.True(predicted.ExitCode == 0, predicted.Err);
        var lines = predicted.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("1\t", lines[0]);
        Assert.StartsWith("0\t", lines[1]);
        Assert.True(double.Parse(lines[0].Split('\t')[1], System.Globalization.CultureInfo.InvariantCulture) > 0.5);

        var encoded = Cli.Run("classify", "encode", model, "이 영화");
        Assert.True(encoded.ExitCode == 0, encoded.Err);
        Assert.Equal(16, encoded.Out.Split('\n')[0].Split('\t')[1].Split(' ').Length);
    }

    [Fact]
    public void ResumingFromTheCheckpointContinuesExactlyWhereTheRunStopped()
    {
        using var dir = new TempDir();
        var train = dir.File("train.txt", Reviews(120, 1));
        var valid = dir.File("valid.txt", Reviews(40, 2));
        string[] common = ["classify", "train", "--train", train, "--valid", valid, "--char-dim", "4", "--char-hidden", "4", "--threads", "1",
            "--emsize", "8", "--nhid", "8", "--lr", "0.02", "--batch-size", "8", "--dropout", "0", "--quiet"];
        string whole = dir.Combine("whole.st"), parts = dir.Combine("parts.st");
        var straight = Cli.Run([.. common, "--epochs", "4", "--save", whole]);
        Assert.True(straight.ExitCode == 0, straight.Err);
        var first = Cli.Run([.. common, "--epochs", "2", "--save", parts]);
        Assert.True(first.ExitCode == 0, first.Err);
        var rest = Cli.Run([.. common, "--epochs", "4", "--save", parts, "--resume", parts + ".ckpt"]);
        Assert.True(rest.ExitCode == 0, rest.Err);
        Assert.Contains("resuming after epoch 2", rest.Out);
        Assert.DoesNotContain("epoch 1:", rest.Out);

        // with dropout off, the resumed run's last weights equal the uninterrupted run's bit for bit
        var a = Perplex.Classification.ClassifierModel.Load(whole + ".ckpt").Network.Parameters;
        var b = Perplex.Classification.ClassifierModel.Load(parts + ".ckpt").Network.Parameters;
        Assert.Equal(a.Count, b.Count);
        for (int i = 0; i < a.Count; i++) Assert.Equal(a[i].Value.Data, b[i].Value.Data);
    }

    [Fact]
    public void LabelSmoothingKeepsTheModelFromCertainty()
    {
        using var dir = new TempDir();
        var train = dir.File("train.txt", Reviews(120, 1));
        double Confidence(params string[] extra)
        {
            var model = dir.Combine($"m{extra.Length}.st");
            var trained = Cli.Run(["classify", "train", "--train", train, "--save", model, "--threads", "1", .. Small, .. extra]);
            Assert.True(trained.ExitCode == 0, trained.Err);
            var predicted = Cli.Run("classify", model, "이 영화 정말 재밌다", "배우 연기 최악");
            Assert.True(predicted.ExitCode == 0, predicted.Err);
            var lines = predicted.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.StartsWith("1\t", lines[0]);
            Assert.StartsWith("0\t", lines[1]);
            return lines.Min(l => double.Parse(l.Split('\t')[1], System.Globalization.CultureInfo.InvariantCulture));
        }
        // the smoothed target of a two-label document is 1 − 0.3 + 0.3 / 2 = 0.85 for its label
        Assert.True(Confidence() > 0.98);
        Assert.InRange(Confidence("--label-smoothing", "0.3"), 0.75, 0.93);
    }

    [Fact]
    public void AdversarialTrainingIsUsedAndStillLearnsTheTask()
    {
        using var dir = new TempDir();
        var train = dir.File("train.txt", Reviews(120, 1));
        var test = dir.File("test.txt", Reviews(40, 2));
        string plain = dir.Combine("plain.st"), adversarial = dir.Combine("adv.st");
        string[] common = ["classify", "train", "--train", train, "--valid", test, "--char-dim", "4", "--char-hidden", "4", .. Small];
        Assert.Equal(0, Cli.Run([.. common, "--save", plain]).ExitCode);
        var trained = Cli.Run([.. common, "--adversarial", "0.5", "--save", adversarial]);
        Assert.True(trained.ExitCode == 0, trained.Err);
        var eval = Cli.Run("classify", "eval", adversarial, test);
        Assert.Contains("accuracy: 100.00% (40/40)", eval.Out);
        var a = Perplex.Classification.ClassifierModel.Load(plain + ".ckpt").Network.Parameters;
        var b = Perplex.Classification.ClassifierModel.Load(adversarial + ".ckpt").Network.Parameters;
        Assert.Contains(Enumerable.Range(0, a.Count), i => !a[i].Value.Data.SequenceEqual(b[i].Value.Data));
    }

    [Fact]
    public void AWeightAverageIsWhatIsValidatedAndSaved_AndItResumesExactly()
    {
        using var dir = new TempDir();
        var train = dir.File("train.txt", Reviews(120, 1));
        var valid = dir.File("valid.txt", Reviews(40, 2));
        string[] common = ["classify", "train", "--train", train, "--valid", valid, "--char-dim", "4", "--char-hidden", "4", "--threads", "1",
            "--emsize", "8", "--nhid", "8", "--lr", "0.02", "--batch-size", "8", "--dropout", "0", "--quiet", "--average", "0.9"];
        string one = dir.Combine("one.st"), whole = dir.Combine("whole.st"), parts = dir.Combine("parts.st");

        // one epoch is always saved: the model file holds the average, the checkpoint the trained weights beside it
        Assert.Equal(0, Cli.Run([.. common, "--epochs", "1", "--save", one]).ExitCode);
        var saved = Perplex.Classification.ClassifierModel.Load(one).Network.Parameters;
        var trained = Perplex.Classification.ClassifierModel.Load(one + ".ckpt").Network.Parameters;
        using (var checkpoint = Perplex.Serialization.ModelFile.Open(one + ".ckpt", Perplex.Serialization.ModelFile.CheckpointKind))
            foreach (var p in saved) Assert.Equal(checkpoint.Read<float>("average." + p.Name).Data, p.Value.Data);
        Assert.Contains(Enumerable.Range(0, saved.Count), i => !saved[i].Value.Data.SequenceEqual(trained[i].Value.Data));

        // the average decides the learning-rate schedule, so a resume that lost it would drift from the straight run
        Assert.Equal(0, Cli.Run([.. common, "--epochs", "4", "--save", whole]).ExitCode);
        Assert.Equal(0, Cli.Run([.. common, "--epochs", "2", "--save", parts]).ExitCode);
        var rest = Cli.Run([.. common, "--epochs", "4", "--save", parts, "--resume", parts + ".ckpt"]);
        Assert.True(rest.ExitCode == 0, rest.Err);
        using var a = Perplex.Serialization.ModelFile.Open(whole + ".ckpt", Perplex.Serialization.ModelFile.CheckpointKind);
        using var b = Perplex.Serialization.ModelFile.Open(parts + ".ckpt", Perplex.Serialization.ModelFile.CheckpointKind);
        Assert.Contains(a.Entries, e => e.Name.StartsWith("average.", StringComparison.Ordinal));
        foreach (var entry in a.Entries) Assert.Equal(a.Read<float>(entry.Name).Data, b.Read<float>(entry.Name).Data);

        var lost = Cli.Run([.. common.Where(o => o != "--average" && o != "0.9"), "--epochs", "1", "--save", dir.Combine("plain.st")]);
        Assert.Equal(0, lost.ExitCode);
        var mismatch = Cli.Run([.. common, "--epochs", "2", "--save", dir.Combine("plain.st"), "--resume", dir.Combine("plain.st") + ".ckpt"]);
        Assert.Equal(CliRunner.UserErrorExitCode, mismatch.ExitCode);
        Assert.Contains("no weight average", mismatch.Err);
    }

    [Fact]
    public void AnNGramModelIsTrainedMixedReportedSavedAndResumed()
    {
        using var dir = new TempDir();
        var train = dir.File("train.txt", Reviews(120, 1));
        var valid = dir.File("valid.txt", Reviews(40, 2));
        string[] common = ["classify", "train", "--train", train, "--valid", valid, "--threads", "1", "--ngram-words", "2", "--ngram-chars", "3",
            "--ngram-bits", "12", "--emsize", "8", "--nhid", "8", "--lr", "0.02", "--batch-size", "8", "--dropout", "0", "--quiet"];
        string whole = dir.Combine("whole.st"), parts = dir.Combine("parts.st");
        var trained = Cli.Run([.. common, "--epochs", "4", "--save", whole]);
        Assert.True(trained.ExitCode == 0, trained.Err);
        Assert.Contains("n-gram model: word 1..2-grams, character 1..3-grams, 4,096 buckets", trained.Out);
        Assert.Contains("validation: RNN alone", trained.Out);

        var model = Perplex.Classification.ClassifierModel.Load(whole);
        Assert.NotNull(model.NGrams);
        Assert.InRange(model.Config.NGramMix, 0, 1);
        Assert.Contains(model.NGrams!.Weight.Value.Data, w => w != 0);
        var eval = Cli.Run("classify", "eval", whole, valid);
        Assert.True(eval.ExitCode == 0, eval.Err);
        Assert.Matches(@"RNN alone: \d+\.\d\d%, n-grams alone: \d+\.\d\d%, mixed with n-gram weight (0|1)\.\d\d: 100\.00%", eval.Out);
        Assert.Contains("accuracy: 100.00% (40/40)", eval.Out);

        // The n-gram model is trained once, before the network; a resumed run reads it from the checkpoint.
        Assert.Equal(0, Cli.Run([.. common, "--epochs", "2", "--save", parts]).ExitCode);
        var rest = Cli.Run([.. common, "--epochs", "4", "--save", parts, "--resume", parts + ".ckpt"]);
        Assert.True(rest.ExitCode == 0, rest.Err);
        Assert.DoesNotContain("n-gram model:", rest.Out);
        var a = Perplex.Classification.ClassifierModel.Load(whole + ".ckpt");
        var b = Perplex.Classification.ClassifierModel.Load(parts + ".ckpt");
        Assert.Equal(a.NGrams!.Weight.Value.Data, b.NGrams!.Weight.Value.Data);
        Assert.Equal(a.Config.NGramMix, b.Config.NGramMix);
        for (int i = 0; i < a.Network.Parameters.Count; i++) Assert.Equal(a.Network.Parameters[i].Value.Data, b.Network.Parameters[i].Value.Data);
    }

    [Fact]
    public void NaiveBayesScalingOfTheNGramModelIsRecordedAndNeedsNGramFeatures()
    {
        using var dir = new TempDir();
        var train = dir.File("train.txt", Reviews(120, 1));
        var valid = dir.File("valid.txt", Reviews(40, 2));
        var model = dir.Combine("nb.st");
        string[] common = ["classify", "train", "--train", train, "--valid", valid, "--threads", "1", .. Small, "--save", model, "--ngram-nb"];
        var trained = Cli.Run([.. common, "--ngram-words", "2", "--ngram-chars", "3", "--ngram-bits", "12"]);
        Assert.True(trained.ExitCode == 0, trained.Err);
        Assert.Contains("n-gram model: word 1..2-grams, character 1..3-grams (naive Bayes scaled), 4,096 buckets", trained.Out);
        var saved = Perplex.Classification.ClassifierModel.Load(model);
        Assert.True(saved.Config.NGrams!.NaiveBayes);
        var eval = Cli.Run("classify", "eval", model, valid);
        Assert.True(eval.ExitCode == 0, eval.Err);
        Assert.Matches(@"n-grams alone: 100\.00%", eval.Out);

        var noFeatures = Cli.Run(common);
        Assert.Equal(CliRunner.UserErrorExitCode, noFeatures.ExitCode);
        Assert.Contains("--ngram-nb changes how the n-gram model is trained; it needs --ngram-words", noFeatures.Err);
    }

    [Fact]
    public void PatienceStopsARunThatNoLongerImproves()
    {
        using var dir = new TempDir();
        var train = dir.File("train.txt", Reviews(60, 1));
        var valid = dir.File("valid.txt", Reviews(20, 2));
        // with a learning rate of 0 the weights never change, so no epoch after the first is better
        string[] args = ["classify", "train", "--train", train, "--valid", valid, "--save", dir.Combine("m.st"), "--emsize", "4", "--nhid", "4",
            "--lr", "0", "--epochs", "6", "--quiet"];
        var patient = Cli.Run([.. args, "--patience", "2"]);
        Assert.True(patient.ExitCode == 0, patient.Err);
        Assert.Contains("epoch 3:", patient.Out);
        Assert.DoesNotContain("epoch 4:", patient.Out);
        Assert.Contains("stopping early: no better validation score in the last 2 epochs", patient.Out);
        Assert.Contains("(epoch 1)", patient.Out);
        var unlimited = Cli.Run(args);
        Assert.Contains("epoch 6:", unlimited.Out);
        Assert.DoesNotContain("stopping early", unlimited.Out);
    }

    [Fact]
    public void BadInputGivesOneLineErrors()
    {
        using var dir = new TempDir();
        var train = dir.File("train.txt", Reviews(30, 1));
        var model = dir.Combine("m.st");
        Assert.Equal(0, Cli.Run(["classify", "train", "--train", train, "--save", model, "--epochs", "1", .. Small[..4], "--quiet"]).ExitCode);
        var unknownLabel = dir.File("unknown.txt", "id\tdocument\tlabel\n1\t좋다\t1\n2\t싫다\tneutral\n");
        var noColumn = dir.File("nocol.txt", "id\treview\tlabel\n1\t좋다\t1\n");
        var ragged = dir.File("ragged.txt", "id\tdocument\tlabel\n1\t좋다\n");
        var emptyOnly = dir.File("empty.txt", "id\tdocument\tlabel\n1\t\t1\n");
        var cases = new (string[] Args, string Expected)[]
        {
            (["classify", "eval", model, unknownLabel], "unknown.txt:3: label 'neutral' is not one the model was trained on (0, 1)"),
            (["classify", "eval", model, noColumn], "nocol.txt:1: no column named 'document'"),
            (["classify", "train", "--train", noColumn, "--text-column", "text", "--save", model], "nocol.txt:1: no column named 'text'"),
            (["classify", "eval", model, ragged], "ragged.txt:2: expected 3 tab-separated fields, found 2"),
            (["classify", "eval", model, emptyOnly], "empty.txt: no labeled documents with text"),
            (["classify", "train", "--train", train, "--tokenizer", "char", "--char-dim", "8", "--save", model], "need --tokenizer word or split, not char"),
            (["classify", "train", "--train", train, "--tokenizer", "char", "--char-ngrams", "3", "--save", model], "need --tokenizer word or split, not char"),
            (["classify", "eval", dir.Combine("none.st"), train], "none.st: model file not found"),
            (["classify", "好"], "好"),
            (["classify", "train", "--train", train, "--ngram-words", "1", "--ngram-bits", "40", "--save", model], "--ngram-bits must be at most 26 (got 40)"),
            (["classify", "train", "--train", train, "--adversarial", "-1", "--save", model], "--adversarial must be at least 0 (got -1)"),
        };
        Encoders.CliAssert.UserErrors(cases);
    }

    [Fact]
    public void ATaggerIsNotAClassifier()
    {
        using var dir = new TempDir();
        var conllu = dir.File("t.conllu", Tagging.TagCliTests.Conllu(6, 1));
        var tagger = dir.Combine("tagger.st");
        Assert.Equal(0, Cli.Run("tag", "train", "--train", conllu, "--save", tagger, "--epochs", "1", "--emsize", "4", "--nhid", "4", "--quiet").ExitCode);
        var r = Cli.Run("classify", tagger, "text");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("this is not a classifier model (its task is tagger)", r.Err);
    }
    [Fact]
    public void PretrainText_TrainsTheEncoderAsALanguageModelFirst_AndBadSettingsAreClearErrors()
    {
        using var dir = new TempDir();
        var train = dir.File("train.txt", Reviews(60, 1));
        var valid = dir.File("valid.txt", Reviews(20, 2));
        // the texts of 200 more reviews, one per line (the header and the labels dropped), and blank lines, which are skipped
        var texts = Texts(Reviews(200, 3));
        var unlabeled = dir.File("unlabeled.txt", string.Join("\n", texts) + "\n\n");
        string[] Args(int epochs) => ["classify", "train", "--train", train, "--valid", valid, "--threads", "1", "--emsize", "8", "--nhid", "8",
            "--epochs", epochs.ToString(System.Globalization.CultureInfo.InvariantCulture), "--lr", "0.02", "--batch-size", "8", "--quiet", "--save", dir.Combine("m.st")];
        var common = Args(2);
        var trained = Cli.Run([.. common, "--pretrain-text", unlabeled, "--pretrain-words", "50", "--lr-schedule", "linear", "--max-minutes", "30"]);
        Assert.True(trained.ExitCode == 0, trained.Err);
        Assert.Contains("pretraining the encoder as a language model: 200 texts", trained.Out);
        Assert.Contains("  pretraining epoch 1: train loss", trained.Out);
        // pretraining runs the schedule over its own single epoch, so it ends at zero; the classifier starts again from --lr
        Assert.Contains(trained.Out.Split('\n'), l => l.Contains("pretraining epoch 1") && l.TrimEnd().EndsWith(", lr now 0", StringComparison.Ordinal));
        Assert.Contains(trained.Out.Split('\n'), l => l.StartsWith("epoch 1: ", StringComparison.Ordinal) && l.TrimEnd().EndsWith(", lr now 0.01", StringComparison.Ordinal));
        Assert.DoesNotContain(trained.Out.Split('\n'), l => l.Contains("pretraining epoch") && l.Contains("saved"));
        Assert.Contains("pretraining done in", trained.Out);

        // a resumed run continues from the checkpoint's (pretrained) encoder instead of pretraining it again, and the
        // minutes the pretraining took still count against --max-minutes
        double owed;
        using (var reader = Perplex.Serialization.ModelFile.Open(dir.Combine("m.st") + ".ckpt", Perplex.Serialization.ModelFile.CheckpointKind))
            owed = double.Parse(reader.Metadata[Perplex.Classification.ClassifierTrainer.PreparationKey], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(owed, 1e-6, 1);
        var resumed = Cli.Run([.. Args(3), "--pretrain-text", unlabeled, "--max-minutes", "30", "--resume", dir.Combine("m.st") + ".ckpt"]);
        Assert.True(resumed.ExitCode == 0, resumed.Err);
        Assert.Contains($"resuming: the first run's preparation took {owed * 60:F0} s of --max-minutes, so training may run {(30 - owed) * 60:F0} s in all", resumed.Out);
        Assert.Contains("resuming after epoch 2", resumed.Out);
        Assert.Contains("--pretrain-text is not used again", resumed.Out);
        Assert.DoesNotContain("pretraining the encoder", resumed.Out);

        var stacked = Cli.Run([.. common, "--pretrain-text", unlabeled, "--nlayers", "2"]);
        Assert.Equal(CliRunner.UserErrorExitCode, stacked.ExitCode);
        Assert.Contains("one-layer encoder when it is bidirectional", stacked.Err);

        var empty = dir.File("empty.txt", "\n \n");
        var none = Cli.Run([.. common, "--pretrain-text", empty]);
        Assert.Equal(CliRunner.UserErrorExitCode, none.ExitCode);
        Assert.Contains("no text of 2 to 60 tokens to pretrain on", none.Err);
        Assert.Contains("empty.txt", none.Err);
    }

    [Fact]
    public void Subwords_CutTheWordsIntoLearnedPieces_WhichTheModelFileKeeps()
    {
        using var dir = new TempDir();
        var train = dir.File("train.txt", Reviews(120, 1));
        var test = dir.File("test.txt", Reviews(40, 2));
        var model = dir.Combine("m.st");
        var trained = Cli.Run(["classify", "train", "--train", train, "--valid", test, "--subwords", "30", "--char-dim", "4", "--char-hidden", "4",
            "--save", model, .. Small]);
        Assert.True(trained.ExitCode == 0, trained.Err);
        Assert.Contains("byte-pair merges learned", trained.Out);
        var tokens = Perplex.Classification.ClassifierModel.Load(model).Tokens;
        Assert.NotNull(tokens.Subwords);
        Assert.False(tokens.Words.Contains("지루하다"));                      // the vocabulary holds pieces, not words
        Assert.True(tokens.Words.Contains(tokens.Subwords!.Split("지루하다")[0]));

        var eval = Cli.Run("classify", "eval", model, test);
        Assert.True(eval.ExitCode == 0, eval.Err);
        Assert.Contains("accuracy: 100.00% (40/40)", eval.Out);

        var encoded = Cli.Run("classify", "encode", model, "영화 지루하다");
        Assert.True(encoded.ExitCode == 0, encoded.Err);
        var rows = encoded.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')[0]).ToList();
        Assert.Equal(tokens.Subwords.Split(["영화", "지루하다"]), rows); // one row of states per piece

        var chars = Cli.Run(["classify", "train", "--train", train, "--tokenizer", "char", "--subwords", "40", "--save", model, .. Small]);
        Assert.Equal(CliRunner.UserErrorExitCode, chars.ExitCode);
        Assert.Contains("--subwords cuts words into pieces", chars.Err);
    }

    [Fact]
    public void VocabFromPretrain_GivesWordsOfTheUnlabeledTextEmbeddingsOfTheirOwn()
    {
        using var dir = new TempDir();
        var train = dir.File("train.txt", Reviews(40, 1));
        // "초특급" and the character "急" occur only in the unlabeled text, twice each (the minimum count is 2)
        var unlabeled = dir.File("unlabeled.txt", string.Join("\n", Texts(Reviews(30, 3))) + "\n이 영화 초특급 急\n초특급 急 재밌다\n");
        string[] common = ["classify", "train", "--train", train, "--threads", "1", "--emsize", "8", "--nhid", "8", "--char-dim", "4", "--char-hidden", "4",
            "--epochs", "1", "--min-count", "2", "--quiet", "--pretrain-text", unlabeled, "--pretrain-words", "20"];
        string plain = dir.Combine("plain.st"), counted = dir.Combine("counted.st");
        Assert.Equal(0, Cli.Run([.. common, "--save", plain]).ExitCode);
        var run = Cli.Run([.. common, "--vocab-from-pretrain", "--save", counted]);
        Assert.True(run.ExitCode == 0, run.Err);
        var without = Perplex.Classification.ClassifierModel.Load(plain).Tokens;
        var with = Perplex.Classification.ClassifierModel.Load(counted).Tokens;
        Assert.False(without.Words.Contains("초특급"));
        Assert.True(with.Words.Contains("초특급"));
        Assert.False(without.Chars!.Contains("急"));
        Assert.True(with.Chars!.Contains("急"));
        Assert.True(with.Words.Count > without.Words.Count);

        var alone = Cli.Run(["classify", "train", "--train", train, "--vocab-from-pretrain", "--save", plain]);
        Assert.Equal(CliRunner.UserErrorExitCode, alone.ExitCode);
        Assert.Contains("--vocab-from-pretrain counts the words of --pretrain-text", alone.Err);
    }

    [Fact]
    public void AnNGramTeacherLabelsTheUnlabeledTextForTheRnnAndIsNotKept()
    {
        using var dir = new TempDir();
        var train = dir.File("train.txt", Reviews(60, 1));
        var valid = dir.File("valid.txt", Reviews(40, 2));
        // 200 unlabeled reviews, plus the training file's own texts, which the teacher must not label again
        var texts = Texts(Reviews(200, 3)).Concat(Texts(Reviews(60, 1))).ToList();
        var unlabeled = dir.File("unlabeled.txt", string.Join("\n", texts) + "\n");
        var labeled = Texts(Reviews(60, 1)).Concat(Texts(Reviews(40, 2))).ToHashSet();
        int expected = texts.Count(t => !labeled.Contains(t));
        var model = dir.Combine("m.st");
        string[] common = ["classify", "train", "--train", train, "--valid", valid, "--threads", "1", .. Small, "--save", model];
        var trained = Cli.Run([.. common, "--pretrain-text", unlabeled, "--pretrain-words", "20", "--ngram-words", "1", "--ngram-bits", "12", "--ngram-teacher"]);
        Assert.True(trained.ExitCode == 0, trained.Err);
        var line = Assert.Single(trained.Out.Split('\n'), l => l.StartsWith("n-gram teacher:", StringComparison.Ordinal));
        Assert.Contains($"the targets of {expected} unlabeled texts ({texts.Count - expected} skipped", line);
        Assert.InRange(expected, 150, 200);
        Assert.DoesNotContain("n-grams alone", trained.Out);
        var saved = Perplex.Classification.ClassifierModel.Load(model);
        Assert.Null(saved.NGrams);
        var eval = Cli.Run("classify", "eval", model, valid);
        Assert.Contains("accuracy: 100.00% (40/40)", eval.Out);

        var noText = Cli.Run([.. common, "--ngram-words", "1", "--ngram-teacher"]);
        Assert.Equal(CliRunner.UserErrorExitCode, noText.ExitCode);
        Assert.Contains("--ngram-teacher needs unlabeled text", noText.Err);
        var noFeatures = Cli.Run([.. common, "--pretrain-text", unlabeled, "--ngram-teacher"]);
        Assert.Equal(CliRunner.UserErrorExitCode, noFeatures.ExitCode);
        Assert.Contains("--ngram-teacher needs the n-gram model's features", noFeatures.Err);
    }

    [Fact]
    public void TheTeacherConfidenceKeepsOnlyTheTextsTheTeacherIsSureOf()
    {
        using var dir = new TempDir();
        var train = dir.File("train.txt", Reviews(60, 1));
        var valid = dir.File("valid.txt", Reviews(40, 2));
        var texts = Texts(Reviews(200, 3)).ToList();
        var unlabeled = dir.File("unlabeled.txt", string.Join("\n", texts) + "\n");
        var labeled = Texts(Reviews(60, 1)).Concat(Texts(Reviews(40, 2))).ToHashSet();
        string[] features = ["--ngram-words", "1", "--ngram-chars", "2", "--ngram-bits", "12"];
        string[] common = ["classify", "train", "--train", train, "--valid", valid, "--threads", "1", .. Small, .. features];

        // The same n-gram model, mixed in rather than teaching, is fitted identically (same documents and seed), so its
        // confidence on each unlabeled text says which ones a teacher with a threshold must keep.
        var mixed = dir.Combine("mixed.st");
        Assert.Equal(0, Cli.Run([.. common, "--save", mixed]).ExitCode);
        var reference = Perplex.Classification.ClassifierModel.Load(mixed);
        var ngrams = reference.NGrams!;
        var logP = new float[2];
        var confidence = texts.Where(t => !labeled.Contains(t)).Select(t =>
        {
            ngrams.LogProbabilities(ngrams.Features(reference.Tokenize(t)), logP);
            return MathF.Exp(MathF.Max(logP[0], logP[1]));
        }).Order().ToList();
        // halfway between two neighbouring confidences, so that rounding cannot move a text across the threshold
        int k = confidence.Count / 2;
        while (k < confidence.Count - 1 && confidence[k] == confidence[k - 1]) k++;
        double threshold = (confidence[k - 1] + (double)confidence[k]) / 2;
        int kept = confidence.Count(c => c >= threshold);
        Assert.InRange(kept, 1, confidence.Count - 1); // a real cut, not all or nothing

        var taught = Cli.Run([.. common, "--pretrain-text", unlabeled, "--pretrain-words", "20", "--ngram-teacher",
            "--ngram-teacher-confidence", threshold.ToString("R", CultureInfo.InvariantCulture), "--save", dir.Combine("taught.st")]);
        Assert.True(taught.ExitCode == 0, taught.Err);
        var line = Assert.Single(taught.Out.Split('\n'), l => l.StartsWith("n-gram teacher:", StringComparison.Ordinal));
        Assert.True(line.Contains($"the targets of {kept} unlabeled texts ({texts.Count - confidence.Count} skipped: ", StringComparison.Ordinal), line);
        Assert.True(line.Contains($"; {confidence.Count - kept} more it is less than ", StringComparison.Ordinal), line);

        var noTeacher = Cli.Run([.. common, "--ngram-teacher-confidence", "0.7", "--save", dir.Combine("x.st")]);
        Assert.Equal(CliRunner.UserErrorExitCode, noTeacher.ExitCode);
        Assert.Contains("--ngram-teacher-confidence chooses which texts the n-gram teacher labels; it needs --ngram-teacher", noTeacher.Err);
    }

    [Fact]
    public void ATaughtAdversarialRunResumesExactlyWhereItStopped()
    {
        using var dir = new TempDir();
        var train = dir.File("train.txt", Reviews(60, 1));
        var valid = dir.File("valid.txt", Reviews(20, 2));
        var unlabeled = dir.File("unlabeled.txt", string.Join("\n", Texts(Reviews(100, 3))) + "\n");
        string[] common = ["classify", "train", "--train", train, "--valid", valid, "--threads", "1", "--emsize", "8", "--nhid", "8", "--lr", "0.02",
            "--batch-size", "8", "--dropout", "0", "--quiet", "--pretrain-text", unlabeled, "--pretrain-words", "20", "--ngram-words", "1",
            "--ngram-bits", "12", "--ngram-teacher", "--adversarial", "0.3", "--char-ngrams", "2", "--char-ngram-bits", "8"];
        string whole = dir.Combine("whole.st"), parts = dir.Combine("parts.st");
        Assert.Equal(0, Cli.Run([.. common, "--epochs", "3", "--save", whole]).ExitCode);
        Assert.Equal(0, Cli.Run([.. common, "--epochs", "1", "--save", parts]).ExitCode);
        var rest = Cli.Run([.. common, "--epochs", "3", "--save", parts, "--resume", parts + ".ckpt"]);
        Assert.True(rest.ExitCode == 0, rest.Err);
        Assert.Contains("resuming after epoch 1", rest.Out);
        Assert.Contains("n-gram teacher:", rest.Out); // the teacher is not saved, so it labels the text again, identically
        var a = Perplex.Classification.ClassifierModel.Load(whole + ".ckpt").Network.Parameters;
        var b = Perplex.Classification.ClassifierModel.Load(parts + ".ckpt").Network.Parameters;
        Assert.Contains(a, p => p.Name == "char_ngram_embedding.weight"); // its rows and their Adam moments come back too
        for (int i = 0; i < a.Count; i++) Assert.Equal(a[i].Value.Data, b[i].Value.Data);
    }
}

/// <summary>Classifier training runs its kernels on one thread per data-parallel share without touching the process-wide setting.</summary>
[Collection(GlobalThreadCount.Name)]
public class ClassifyTrainThreadTests
{
    [Fact]
    public void TrainingLeavesTheProcessWideThreadCountAsItWas()
    {
        int before = Perplex.Tensors.Parallelism.MaxThreads;
        try
        {
            Perplex.Tensors.Parallelism.MaxThreads = 2;
            using var dir = new TempDir();
            var train = dir.File("train.txt", ClassifyCliTests.Reviews(60, 1));
            var trained = Cli.Run(["classify", "train", "--train", train, "--text-column", "document", "--label-column", "label",
                "--save", dir.Combine("m.st"), "--emsize", "8", "--nhid", "8", "--epochs", "1", "--batch-size", "8", "--threads", "2", "--quiet"]);
            Assert.True(trained.ExitCode == 0, trained.Err);
            Assert.Equal(2, Perplex.Tensors.Parallelism.MaxThreads);
        }
        finally
        {
            Perplex.Tensors.Parallelism.MaxThreads = before;
        }
    }
}
