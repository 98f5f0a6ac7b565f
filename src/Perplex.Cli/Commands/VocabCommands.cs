using System.CommandLine;
using Perplex.Text;

namespace Perplex.Cli.Commands;

/// <summary><c>perplex vocab build|show</c>.</summary>
internal static class VocabCommands
{
    public static Command Create()
    {
        var vocab = new Command("vocab", "Build and inspect vocabularies.");
        vocab.Subcommands.Add(CreateBuild());
        vocab.Subcommands.Add(CreateShow());
        return vocab;
    }

    private static Command CreateBuild()
    {
        var corpora = new Argument<string[]>("corpus")
        {
            Description = "One or more corpus files ('-' reads standard input).",
            Arity = ArgumentArity.OneOrMore,
        };
        var output = new Option<string>("--output", "-o")
        {
            Description = "Where to write the vocabulary: .json for JSON, anything else for the text format (token<TAB>count per line).",
            Required = true,
        };
        var minCount = new Option<int>("--min-count")
        {
            Description = "Leave out tokens seen fewer times than this (they become <unk>).",
            DefaultValueFactory = _ => 1,
        };
        var maxSize = new Option<int?>("--max-size")
        {
            Description = "Keep at most this many entries, special tokens included (the most frequent win).",
        };
        var pad = new Option<bool>("--pad") { Description = "Add a <pad> token (id 3) for models that pad batches." };
        var corpusOptions = new CorpusOptions();
        var command = new Command("build", "Count the tokens of a corpus and write a vocabulary with <unk>=0, <s>=1, </s>=2 (and <pad>=3).")
        {
            corpora, output, minCount, maxSize, pad,
        };
        corpusOptions.AddTo(command);
        minCount.AtLeast(1);
        maxSize.AtLeast(3);

        command.SetAction(result =>
        {
            var paths = result.GetValue(corpora)!;
            var quiet = result.GetValue(CommonOptions.Quiet);
            var tokenizer = result.GetValue(corpusOptions.Tokenizer)!;
            var normalization = TextNormalization.Parse(result.GetValue(corpusOptions.Normalization)!);
            var counts = new Dictionary<string, long>(StringComparer.Ordinal);
            long sentences = 0, tokens = 0;
            ConsoleProgress.Run(quiet, progress =>
            {
                foreach (var path in paths)
                {
                    var corpus = corpusOptions.Open(result, path);
                    progress.BeginStage($"counting {Path.GetFileName(path)}", corpus.Length, "bytes");
                    long position = 0;
                    foreach (var s in corpus.Sentences())
                    {
                        foreach (var t in s.Tokens) counts[t] = counts.GetValueOrDefault(t) + 1;
                        sentences++;
                        tokens += s.Tokens.Count;
                        progress.Advance(s.ByteOffset - position);
                        position = s.ByteOffset;
                    }
                }
                return 0;
            });
            if (tokens == 0) throw new PerplexException("the corpus is empty (no tokens)", paths[0]);
            var vocabulary = Vocabulary.FromCounts(counts, result.GetValue(minCount), result.GetValue(maxSize),
                result.GetValue(pad), tokenizer, normalization);
            var outPath = result.GetValue(output)!;
            vocabulary.Save(outPath);
            long covered = vocabulary.Counts.Sum();
            result.InvocationConfiguration.Output.WriteLine(
                $"{outPath}: {vocabulary.Count} entries from {tokens:N0} tokens in {sentences:N0} sentences " +
                $"({counts.Count:N0} distinct); {100.0 * covered / tokens:F2}% of tokens covered, the rest become <unk>");
            return 0;
        });
        return command;
    }

    private static Command CreateShow()
    {
        var file = new Argument<string>("vocabulary") { Description = "A vocabulary file written by 'vocab build'." };
        var top = new Option<int>("--top", "-n") { Description = "How many entries to list.", DefaultValueFactory = _ => 20 };
        var command = new Command("show", "Print a vocabulary's size, settings and its most frequent entries.") { file, top };
        command.SetAction(result =>
        {
            var v = Vocabulary.Load(result.GetValue(file)!);
            var o = result.InvocationConfiguration.Output;
            long total = v.Counts.Sum();
            o.WriteLine($"entries: {v.Count} (special: {v.SpecialCount})");
            o.WriteLine($"tokenizer: {v.Tokenizer}  normalization: {v.Normalization.ToString().ToLowerInvariant()}  pad: {(v.PadId >= 0 ? "yes" : "no")}");
            o.WriteLine($"training tokens covered by the entries: {total:N0}");
            o.WriteLine("id\tcount\ttoken");
            for (int i = 0; i < Math.Min(v.Count, result.GetValue(top)); i++)
                o.WriteLine($"{i}\t{v.Counts[i]}\t{v[i]}");
            return 0;
        });
        return command;
    }
}
