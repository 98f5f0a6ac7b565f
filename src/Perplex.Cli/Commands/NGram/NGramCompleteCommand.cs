using System.CommandLine;
using System.Globalization;
using Perplex.NGram;

namespace Perplex.Cli.Commands.NGram;

/// <summary><c>perplex ngram complete</c>: the most likely next words after a context.</summary>
internal static class NGramCompleteCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "Model file (ARPA or Perplex binary)." };
        var context = new Argument<string>("context") { Description = "The words typed so far, e.g. \"students opened their\"." };
        var k = new Option<int>("-k", "--top") { Description = "How many next words to list.", DefaultValueFactory = _ => 5 };
        var midSentence = new Option<bool>("--no-sentence-start") { Description = "Do not assume the context starts a sentence (by default it follows <s>)." };
        var command = new Command("complete", "List the k most likely next words after a context, with their probabilities (</s> = end of sentence).")
        {
            model, context, k, midSentence,
        };
        command.SetAction(result =>
        {
            var o = result.InvocationConfiguration.Output;
            var lm = NGramModelFile.Load(result.GetValue(model)!);
            try
            {
                var state = NGramCompletion.StateAfter(lm, result.GetValue(context)!, !result.GetValue(midSentence));
                foreach (var next in NGramCompletion.Top(lm, state, result.GetValue(k)))
                    o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{next.Word}\t{next.Probability:G6}\t{next.Log10Score:G6}"));
            }
            finally { (lm as IDisposable)?.Dispose(); }
            return 0;
        });
        return command;
    }
}
