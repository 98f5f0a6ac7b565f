using Perplex.Diagnostics;

namespace Perplex.NGram;

/// <summary>
/// Reads a corpus (one sentence per line) and counts its highest-order n-grams the way lmplz does: each line is
/// padded with N-1 <c>&lt;s&gt;</c> in front and one <c>&lt;/s&gt;</c> at the end, n-grams never cross lines.
/// </summary>
internal static class CorpusCounter
{
    public sealed record Result(INGramSource Grams, Vocabulary Vocabulary, long Lines, long Tokens, int SpilledRuns);

    public static Result Count(string path, NGramBuildOptions options, NGramRunCounter counter, IProgressSink progress)
    {
        int order = options.Order;
        var vocab = new Vocabulary();
        var window = new int[order];
        long tokens = 0, lines = 0;
        bool warnedSkip = false;
        long? total = path != CorpusReader.StdinName && File.Exists(path) ? new FileInfo(path).Length : null;
        progress.BeginStage("counting", total, "B");
        CorpusReader.ReadLines(path, (line, number) =>
        {
            lines++;
            Array.Fill(window, Vocabulary.BeginId);
            foreach (var word in WordSplitter.Split(line))
            {
                int id = vocab.GetOrAdd(word);
                if (id <= Vocabulary.EndId)
                {
                    if (!options.SkipSymbols)
                        throw new PerplexException(
                            $"special word {word} is not allowed in the corpus; pass --skip-symbols to treat <s>, </s> and <unk> as whitespace",
                            path, number);
                    if (!warnedSkip)
                    {
                        warnedSkip = true;
                        progress.Warn($"{word} appears in the input; all instances of <s>, </s> and <unk> will be treated as whitespace");
                    }
                    continue;
                }
                Append(id);
                tokens++;
            }
            Append(Vocabulary.EndId);
        }, bytes => progress.Advance(bytes));

        if (lines == 0) throw new PerplexException("the corpus is empty (no lines)", path);
        if (tokens == 0) throw new PerplexException("the corpus has no words (only blank lines or skipped symbols)", path);
        return new Result(counter.Finish(), vocab, lines, tokens, counter.SpilledRuns);

        void Append(int id)
        {
            Array.Copy(window, 1, window, 0, order - 1);
            window[order - 1] = id;
            counter.Add(window);
        }
    }
}
