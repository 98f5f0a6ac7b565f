using System.CommandLine;
using Perplex.NGram;

namespace Perplex.Cli.Commands.NGram;

/// <summary><c>perplex ngram query</c>: KenLM-style scoring of text.</summary>
internal static class NGramQueryCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "Model file (ARPA or Perplex binary)." };
        var text = new Argument<string>("text") { Description = "Text to score, one sentence per line; '-' (the default) reads standard input.", DefaultValueFactory = _ => "-" };
        var verbosity = new Option<string>("--verbosity", "-v") { Description = "What to print, like KenLM query -v: word (every word, line totals and summary), sentence (line totals and summary) or summary.", DefaultValueFactory = _ => "word" };
        verbosity.AcceptOnlyFromAmong("word", "sentence", "summary");
        var command = new Command("query", "Score text with a model exactly like KenLM's query: per word 'word=id length log10p', per line 'Total: … OOV: …', then perplexities including and excluding OOVs.")
        {
            model, text, verbosity,
        };
        command.SetAction(result =>
        {
            var o = result.InvocationConfiguration.Output;
            var lm = ConsoleProgress.Run(result.GetValue(CommonOptions.Quiet), sink => NGramModelFile.Load(result.GetValue(model)!, sink));
            try
            {
                if (!lm.IsNormalized)
                    result.InvocationConfiguration.Error.WriteLine("warning: this model's scores are not probabilities (stupid backoff); the 'perplexity' below is not a perplexity");
                var detail = result.GetValue(verbosity) switch { "summary" => QueryOutput.Summary, "sentence" => QueryOutput.Lines, _ => QueryOutput.Words };
                NGramQuery.Run(lm, result.GetValue(text)!, o, detail);
            }
            finally { (lm as IDisposable)?.Dispose(); }
            return 0;
        });
        return command;
    }
}
