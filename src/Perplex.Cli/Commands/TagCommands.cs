using System.CommandLine;
using Perplex.Evaluation;
using Perplex.Tagging;

namespace Perplex.Cli.Commands;

/// <summary><c>perplex tag …</c>: sequence tagging (POS, NER).</summary>
internal static class TagCommands
{
    public static Command Create()
    {
        var tag = new Command("tag", "Sequence tagging: part-of-speech (CoNLL-U) and named entities (BIO files).");
        tag.Subcommands.Add(CreateBaseline());
        return tag;
    }

    /// <summary>The --column option shared by the tag commands.</summary>
    internal static Option<string> ColumnOption() => new Option<string>("--column")
    {
        Description = "For CoNLL-U files: which tag column, upos or xpos.",
        DefaultValueFactory = _ => "upos",
    }.AcceptOnlyFromAmong("upos", "xpos");

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
            var report = new ClassificationReport();
            var entities = new EntityScorer();
            long unknownWords = 0;
            bool bio = true;
            foreach (var s in TaggedCorpus.Read(result.GetValue(test)!, col))
            {
                var predicted = s.Tokens.Select(baseline.Tag).ToList();
                for (int i = 0; i < s.Tokens.Count; i++)
                {
                    report.Add(s.Tags[i], predicted[i]);
                    if (!baseline.Knows(s.Tokens[i])) unknownWords++;
                }
                bio &= EntityScorer.LooksLikeBio(s.Tags);
                if (bio) entities.Add(s.Tags, predicted);
            }
            if (report.Total == 0) throw new PerplexException("no tagged tokens in the test data", result.GetValue(test));
            var o = result.InvocationConfiguration.Output;
            o.WriteLine($"majority-tag baseline: token accuracy {report.Accuracy * 100:F2}% ({report.Correct}/{report.Total}), " +
                        $"{unknownWords} unknown words tagged {baseline.UnknownTag}");
            if (bio)
                o.WriteLine($"entities: precision {entities.Precision * 100:F2}% recall {entities.Recall * 100:F2}% F1 {entities.F1 * 100:F2}%");
            return 0;
        });
        return command;
    }
}
