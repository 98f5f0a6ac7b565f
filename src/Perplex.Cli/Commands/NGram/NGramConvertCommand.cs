using System.CommandLine;
using Perplex.NGram;

namespace Perplex.Cli.Commands.NGram;

/// <summary><c>perplex ngram convert</c>: ARPA ↔ binary.</summary>
internal static class NGramConvertCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("input") { Description = "Model to read (ARPA or Perplex binary)." };
        var output = new Argument<string>("output") { Description = "Model to write: a name ending in .arpa writes ARPA (binary → ARPA export), anything else the binary format." };
        var quantize = new Option<bool>("--quantize") { Description = "Binary output only: store log10 probabilities and backoffs as 8-bit codes and leave out the probing tables (a much smaller file, slower queries; scores change slightly)." };
        var command = new Command("convert", "Convert a model between ARPA text and the memory-mapped binary format, in either direction.") { input, output, quantize };
        command.SetAction(result =>
        {
            string outPath = result.GetValue(output)!;
            ConsoleProgress.Run(result.GetValue(CommonOptions.Quiet), sink =>
            {
                var lm = NGramModelFile.Load(result.GetValue(input)!, sink);
                try { NGramModelFile.Save(lm, outPath, sink, result.GetValue(quantize)); }
                finally { (lm as IDisposable)?.Dispose(); }
                return 0;
            });
            result.InvocationConfiguration.Output.WriteLine($"wrote {outPath}");
            return 0;
        });
        return command;
    }
}
