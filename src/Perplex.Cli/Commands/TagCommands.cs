using System.CommandLine;
using System.Globalization;
using Perplex.Evaluation;
using Perplex.Tagging;
using Perplex.Text;

namespace Perplex.Cli.Commands;

/// <summary>
/// <c>perplex tag …</c>: sequence tagging (POS, NER). <c>perplex tag MODEL</c> tags text (one pre-tokenized
/// sentence per line) and writes CoNLL-U; the subcommands train, evaluate, export hidden states and score the
/// majority baseline.
/// </summary>
internal static class TagCommands
{
    public static Command Create()
    {
        var model = new Argument<string?>("model")
        {
            Description = "A tagger model file: tag the sentences of --input (one per line, tokens separated by spaces) and print CoNLL-U.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var input = InputOption();
        var tag = new Command("tag", "Sequence tagging: part-of-speech (CoNLL-U) and named entities (BIO files). 'perplex tag MODEL < text' tags text.")
        {
            model, input,
        };
        tag.Subcommands.Add(CreateTrain());
        tag.Subcommands.Add(CreateEval());
        tag.Subcommands.Add(CreateEncode());
        tag.Subcommands.Add(CreateBaseline());
        tag.SetAction(result =>
        {
            var path = result.GetValue(model);
            if (path is null)
                throw new PerplexException("give a model file ('perplex tag MODEL < text') or a subcommand: train, eval, encode, baseline (see 'perplex tag --help')");
            var tagger = TaggerModel.Load(path);
            var sentences = ReadSentences(result.GetValue(input)!);
            var predicted = tagger.Tag(sentences.Select(s => (IReadOnlyList<string>)s).ToList());
            var o = result.InvocationConfiguration.Output;
            bool xpos = tagger.Config.Column == "xpos";
            for (int i = 0; i < sentences.Count; i++)
            {
                var s = new ConlluSentence();
                s.Comments.Add($" sent_id = {i + 1}");
                s.Comments.Add($" text = {string.Join(' ', sentences[i])}");
                for (int j = 0; j < sentences[i].Count; j++)
                    s.Words.Add(new ConlluWord(j + 1, sentences[i][j], "_", xpos ? "_" : predicted[i][j], xpos ? predicted[i][j] : "_", "_", "_", "_", "_", "_"));
                if (s.Words.Count > 0) ConlluReader.Write(o, s);
            }
            return 0;
        });
        return tag;
    }

    /// <summary>The --column option shared by the tag commands.</summary>
    internal static Option<string> ColumnOption() => new Option<string>("--column")
    {
        Description = "For CoNLL-U files: which tag column, upos or xpos.",
        DefaultValueFactory = _ => "upos",
    }.AcceptOnlyFromAmong("upos", "xpos");

    private static Option<string> InputOption() => new("--input", "-i")
    {
        Description = "Text to read, one sentence per line with tokens separated by spaces ('-' for standard input).",
        DefaultValueFactory = _ => "-",
    };

    /// <summary>Non-empty lines of <paramref name="path"/> split on white space (NFC-normalized).</summary>
    private static List<List<string>> ReadSentences(string path)
    {
        var tokenizer = new WhitespaceTokenizer();
        return Utf8LineReader.ReadLines(path)
            .Select(l => tokenizer.Tokenize(TextNormalization.Normalize(l.Text, UnicodeNormalization.Nfc)))
            .Where(t => t.Count > 0).ToList();
    }

    private static List<TaggedSentence> ReadTagged(string path, string column) => TaggedCorpus.Read(path, column).ToList();

    private static Command CreateTrain()
    {
        var train = new Option<string>("--train") { Description = "Training data: .conllu, or a two-column 'token TAG' (BIO) file.", Required = true };
        var valid = new Option<string?>("--valid") { Description = "Validation data (same format): the model is saved after each epoch that improves its token accuracy. Without it, every epoch is saved." };
        var save = new Option<string>("--save") { Description = "Where to write the model (safetensors).", Required = true };
        var column = ColumnOption();
        var shared = new EncoderTrainingOptions();
        var command = new Command("train", "Train a BiLSTM/BiGRU tagger (word embeddings + optional character BiRNN features).") { train, valid, save, column };
        shared.AddTo(command);
        command.SetAction(result =>
        {
            var col = result.GetValue(column)!;
            var trainPath = result.GetValue(train)!;
            var trainData = ReadTagged(trainPath, col);
            var validData = result.GetValue(valid) is { } v ? ReadTagged(v, col) : null;
            var o = result.InvocationConfiguration.Output;
            var settings = shared.Training(result);
            using var ctrlC = EncoderTrainingOptions.CatchCtrlC();
            var (model, outcome) = ConsoleProgress.Run(result.GetValue(CommonOptions.Quiet), progress =>
                TaggerTrainer.Train(trainData, validData, shared.Encoder(result),
                    trainPath.EndsWith(".conllu", StringComparison.OrdinalIgnoreCase) ? col : "tag", settings, result.GetValue(save)!, progress, o,
                    result.GetValue(shared.Resume), ctrlC.Token));
            o.WriteLine(EncoderTrainingOptions.Summary(result.GetValue(save)!, outcome, validData is not null, "token accuracy"));
            return outcome.Interrupted ? 130 : 0; // 128 + SIGINT, as shells report an interrupted program
        });
        return command;
    }

    private static Command CreateEval()
    {
        var model = new Argument<string>("model") { Description = "A tagger model file." };
        var test = new Argument<string>("data") { Description = "Tagged data to score: .conllu (the model's column) or a two-column BIO file." };
        var baselineTrain = new Option<string?>("--baseline")
        {
            Description = "Also score the majority-tag baseline trained on this file (normally the model's training data).",
        };
        var command = new Command("eval", "Token accuracy (and entity precision/recall/F1 for BIO tags) of a tagger on tagged data.") { model, test, baselineTrain };
        command.SetAction(result =>
        {
            var tagger = TaggerModel.Load(result.GetValue(model)!);
            var column = tagger.Config.Column == "xpos" ? "xpos" : "upos";
            var path = result.GetValue(test)!;
            var data = ReadTagged(path, column);
            var predicted = tagger.Tag(data.Select(s => (IReadOnlyList<string>)s.Tokens).ToList());
            var o = result.InvocationConfiguration.Output;
            var (report, entities, unknownCorrect, unknownTotal) = Score(data, predicted, tagger.Tokens.Knows);
            if (report.Total == 0) throw new PerplexException("no tagged tokens in the data", path);
            o.WriteLine($"token accuracy: {report.Accuracy * 100:F2}% ({report.Correct}/{report.Total}); " +
                        $"words unknown to the model: {unknownTotal} ({100.0 * unknownTotal / report.Total:F1}%), accuracy on them {Percent(unknownCorrect, unknownTotal)}");
            if (entities is not null)
                o.WriteLine($"entities: precision {entities.Precision * 100:F2}% recall {entities.Recall * 100:F2}% F1 {entities.F1 * 100:F2}% " +
                            $"({entities.Correct} correct of {entities.Predicted} predicted, {entities.Gold} gold)");
            if (result.GetValue(baselineTrain) is { } baselinePath)
            {
                var baseline = new MajorityTagBaseline(ReadTagged(baselinePath, column), entities is null ? "NOUN" : "O");
                var (b, be, _, _) = Score(data, data.Select(s => s.Tokens.Select(baseline.Tag).ToArray()).ToList(), baseline.Knows);
                o.WriteLine($"majority-tag baseline: token accuracy {b.Accuracy * 100:F2}% ({b.Correct}/{b.Total})" +
                            (be is null ? "" : $", entity F1 {be.F1 * 100:F2}%"));
            }
            return 0;
        });
        return command;
    }

    private static string Percent(long part, long whole) => whole == 0 ? "n/a" : (100.0 * part / whole).ToString("F2", CultureInfo.InvariantCulture) + "%";

    /// <summary>Token scores, entity scores (when every gold tag looks like BIO), and accuracy on words <paramref name="known"/> rejects.</summary>
    private static (ClassificationReport Report, EntityScorer? Entities, long UnknownCorrect, long UnknownTotal) Score(
        List<TaggedSentence> data, List<string[]> predicted, Func<string, bool> known)
    {
        var report = new ClassificationReport();
        var entities = new EntityScorer();
        bool bio = data.Count > 0;
        long unknownCorrect = 0, unknownTotal = 0;
        for (int i = 0; i < data.Count; i++)
        {
            var s = data[i];
            for (int j = 0; j < s.Tokens.Count; j++)
            {
                report.Add(s.Tags[j], predicted[i][j]);
                if (known(s.Tokens[j])) continue;
                unknownTotal++;
                if (s.Tags[j] == predicted[i][j]) unknownCorrect++;
            }
            bio &= EntityScorer.LooksLikeBio(s.Tags);
            if (bio) entities.Add(s.Tags, predicted[i]);
        }
        return (report, bio ? entities : null, unknownCorrect, unknownTotal);
    }

    private static Command CreateEncode()
    {
        var model = new Argument<string>("model") { Description = "A tagger model file." };
        var input = InputOption();
        var command = new Command("encode", "Print the encoder's hidden states: one line per token, the token then its D·H numbers, a blank line between sentences.") { model, input };
        command.SetAction(result =>
        {
            var tagger = TaggerModel.Load(result.GetValue(model)!);
            tagger.Network.Training = false;
            HiddenStateWriter.Write(result.InvocationConfiguration.Output, tagger.Network.Encoder, tagger.Tokens, ReadSentences(result.GetValue(input)!));
            return 0;
        });
        return command;
    }

    private static Command CreateBaseline()
    {
        var train = new Option<string>("--train") { Description = "Training data: .conllu, or a two-column 'token TAG' file.", Required = true };
        var test = new Option<string>("--test") { Description = "Evaluation data, same format.", Required = true };
        var column = ColumnOption();
        var unknown = new Option<string>("--unknown-tag")
        {
            Description = "Tag given to words never seen in training.",
            DefaultValueFactory = _ => "NOUN",
        };
        var command = new Command("baseline", "Score the majority-tag-per-word baseline (the floor a tagger must beat).") { train, test, column, unknown };
        command.SetAction(result =>
        {
            var col = result.GetValue(column)!;
            var baseline = new MajorityTagBaseline(TaggedCorpus.Read(result.GetValue(train)!, col), result.GetValue(unknown)!);
            var data = ReadTagged(result.GetValue(test)!, col);
            var (report, entities, _, unknownTotal) = Score(data, data.Select(s => s.Tokens.Select(baseline.Tag).ToArray()).ToList(), baseline.Knows);
            if (report.Total == 0) throw new PerplexException("no tagged tokens in the test data", result.GetValue(test));
            var o = result.InvocationConfiguration.Output;
            o.WriteLine($"majority-tag baseline: token accuracy {report.Accuracy * 100:F2}% ({report.Correct}/{report.Total}), " +
                        $"{unknownTotal} unknown words tagged {baseline.UnknownTag}");
            if (entities is not null)
                o.WriteLine($"entities: precision {entities.Precision * 100:F2}% recall {entities.Recall * 100:F2}% F1 {entities.F1 * 100:F2}%");
            return 0;
        });
        return command;
    }
}
