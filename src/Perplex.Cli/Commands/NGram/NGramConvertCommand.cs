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
        var binary = new BinaryOutputOptions();
        var command = new Command("convert", "Convert a model between ARPA text and the memory-mapped binary format, in either direction.") { input, output, binary.Quantize, binary.Layout };
        command.SetAction(result =>
        {
            string outPath = result.GetValue(output)!;
            var (quantize, probing) = binary.Resolve(result);
            ConsoleProgress.Run(result.GetValue(CommonOptions.Quiet), sink =>
            {
                var lm = NGramModelFile.Load(result.GetValue(input)!, sink);
                try { NGramModelFile.Save(lm, outPath, sink, quantize, probing); }
                finally { (lm as IDisposable)?.Dispose(); }
                return 0;
            });
            result.InvocationConfiguration.Output.WriteLine($"wrote {outPath}");
            return 0;
        });
        return command;
    }
}
