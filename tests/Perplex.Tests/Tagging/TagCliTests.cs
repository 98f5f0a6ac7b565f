using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Xunit;

namespace Perplex.Tests.Tagging;

public class TagCliTests
{
    private static readonly string[] Determiners = ["the", "a", "every"];
    private static readonly string[] Nouns = ["cat", "dog", "bird", "child", "teacher"];
    private static readonly string[] Verbs = ["sees", "likes", "follows"];

    /// <summary>"DET NOUN VERB DET NOUN ." sentences in CoNLL-U (XPOS = UPOS lower-cased).</summary>
    internal static string Conllu(int count, int seed)
    {
        var random = new Random(seed);
        var sb = new StringBuilder();
        for (int s = 0; s < count; s++)
        {
            var words = new List<(string, string)>
            {
                (Determiners[random.Next(3)], "DET"), (Nouns[random.Next(5)], "NOUN"), (Verbs[random.Next(3)], "VERB"),
            };
            if (s % 3 != 0) words.AddRange([(Determiners[random.Next(3)], "DET"), (Nouns[random.Next(5)], "NOUN")]);
            words.Add((".", "PUNCT"));
            sb.Append("# text = ").Append(string.Join(' ', words.Select(w => w.Item1))).Append('\n');
            for (int i = 0; i < words.Count; i++)
                sb.Append(CultureInfo.InvariantCulture, $"{i + 1}\t{words[i].Item1}\t_\t{words[i].Item2}\t{words[i].Item2.ToLowerInvariant()}\t_\t_\t_\t_\t_\n");
            sb.Append('\n');
        }
        return sb.ToString();
    }

    private static readonly string[] Small = ["--emsize", "8", "--nhid", "8", "--char-dim", "4", "--char-hidden", "4", "--epochs", "12", "--lr", "0.02", "--batch-size", "8", "--dropout", "0", "--quiet"];

    private static double Accuracy(string output) =>
        double.Parse(Regex.Match(output, @"token accuracy: ([0-9.]+)%").Groups[1].Value, CultureInfo.InvariantCulture);

    [Fact]
    public void TrainEvaluateTagAndEncode()
    {
        using var dir = new TempDir();
        var train = dir.File("train.conllu", Conllu(40, 1));
        var test = dir.File("test.conllu", Conllu(10, 2));
        var model = dir.Combine("pos.st");
        var trained = Cli.Run(["tag", "train", "--train", train, "--valid", test, "--save", model, .. Small]);
        Assert.True(trained.ExitCode == 0, trained.Err);
        Assert.Contains("saved", trained.Out);
        Assert.True(File.Exists(model));

        var eval = Cli.Run("tag", "eval", model, test, "--baseline", train);
        Assert.True(eval.ExitCode == 0, eval.Err);
        Assert.True(Accuracy(eval.Out) >= 95, eval.Out);
        Assert.Contains("majority-tag baseline: token accuracy 100.00%", eval.Out); // every test word occurs in training

        // an unseen noun between known context words is still tagged NOUN
        var input = dir.File("in.txt", "the teacher likes a cat .\n\nevery dog follows the zebra .\n");
        var tagged = Cli.Run("tag", model, "--input", input);
        Assert.True(tagged.ExitCode == 0, tagged.Err);
        var lines = tagged.Out.Split('\n');
        Assert.Contains("# text = the teacher likes a cat .", lines);
        Assert.Contains("2\tteacher\t_\tNOUN\t_\t_\t_\t_\t_\t_", lines);
        Assert.Equal(2, lines.Count(l => l.StartsWith("1\t", StringComparison.Ordinal)));

        var encoded = Cli.Run("tag", "encode", model, "--input", input);
        Assert.True(encoded.ExitCode == 0, encoded.Err);
        var first = encoded.Out.Split('\n')[0].Split('\t');
        Assert.Equal("the", first[0]);
        Assert.Equal(16, first[1].Split(' ').Length); // bidirectional, 8 units each way
    }

    [Fact]
    public void CharacterNGramsAloneGiveWordsTheirSubwordVectors()
    {
        using var dir = new TempDir();
        var train = dir.File("train.conllu", Conllu(40, 1));
        var test = dir.File("test.conllu", Conllu(10, 2));
        var model = dir.Combine("pos.st");
        string[] options = ["--emsize", "8", "--nhid", "8", "--char-ngrams", "3", "--char-ngram-bits", "10", "--epochs", "12", "--lr", "0.02",
            "--batch-size", "8", "--dropout", "0", "--quiet"];
        var trained = Cli.Run(["tag", "train", "--train", train, "--valid", test, "--save", model, .. options]);
        Assert.True(trained.ExitCode == 0, trained.Err);
        var eval = Cli.Run("tag", "eval", model, test);
        Assert.True(Accuracy(eval.Out) >= 95, eval.Out);
        var encoder = Perplex.Tagging.TaggerModel.Load(model).Network.Encoder;
        Assert.Equal([1024, 8], encoder.CharNGramEmbedding!.Weight.Value.Shape);
        Assert.Null(encoder.CharRnn); // n-grams without the character network
    }

    [Fact]
    public void XposColumnAndBioFilesWork()
    {
        using var dir = new TempDir();
        var train = dir.File("train.conllu", Conllu(30, 3));
        var model = dir.Combine("xpos.st");
        Assert.Equal(0, Cli.Run(["tag", "train", "--train", train, "--column", "xpos", "--save", model, .. Small]).ExitCode);
        var tagged = Cli.Run("tag", model, "--input", dir.File("in.txt", "a dog sees the cat .\n"));
        Assert.Contains("2\tdog\t_\t_\tnoun\t", tagged.Out);

        var bio = new StringBuilder();
        var random = new Random(5);
        string[] people = ["Kim", "Lee", "Park"], places = ["Seoul", "Busan"];
        for (int s = 0; s < 40; s++)
            bio.Append($"{people[random.Next(3)]} B-PER\n{(s % 2 == 0 ? "Min B-PER\n" : "")}went O\nto O\n{places[random.Next(2)]} B-LOC\n. O\n\n");
        var bioTrain = dir.File("ner.txt", bio.ToString());
        var nerModel = dir.Combine("ner.st");
        Assert.Equal(0, Cli.Run(["tag", "train", "--train", bioTrain, "--save", nerModel, .. Small]).ExitCode);
        var eval = Cli.Run("tag", "eval", nerModel, bioTrain);
        Assert.True(eval.ExitCode == 0, eval.Err);
        Assert.Contains("entities: precision", eval.Out);
    }

    [Fact]
    public void BadInputGivesOneLineErrors()
    {
        using var dir = new TempDir();
        var train = dir.File("train.conllu", Conllu(5, 1));
        var ragged = dir.File("ragged.conllu", "1\tthe\t_\tDET\t_\t_\t_\t_\t_\t_\n2\tcat\tNOUN\n\n");
        var noTag = dir.File("bad.txt", "Kim B-PER\nwent\n");
        var model = dir.Combine("m.st");
        var cases = new (string[] Args, string Expected)[]
        {
            (["tag", "train", "--train", ragged, "--save", model, "--quiet"], "ragged.conllu:2: expected 10 tab-separated columns, found 3"),
            (["tag", "train", "--train", noTag, "--save", model, "--quiet"], "bad.txt:2: expected a token and a tag"),
            (["tag", "eval", dir.Combine("missing.st"), train], "missing.st: model file not found"),
            (["tag", "--input", train], "give a model file"),
            (["tag", "eval", dir.File("lm.st", "not a model"), train], "lm.st"),
        };
        Encoders.CliAssert.UserErrors(cases);
    }
}
