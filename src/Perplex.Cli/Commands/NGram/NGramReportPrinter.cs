using Perplex.NGram;

namespace Perplex.Cli.Commands.NGram;

/// <summary>Prints build statistics in the terms of lmplz's log.</summary>
internal static class NGramReportPrinter
{
    public static void PrintBuild(TextWriter o, NGramBuildReport report, string outPath)
    {
        o.WriteLine($"Unigram tokens {report.Tokens} types {report.Types} ({report.Lines} lines)");
        for (int n = 1; n <= report.NGramCounts.Length; n++)
        {
            string discounts = report.Discounts.Length >= n ? " " + report.Discounts[n - 1] : "";
            o.WriteLine($"{n} {report.NGramCounts[n - 1]}{discounts}");
        }
        if (report.SpilledRuns > 0) o.WriteLine($"counting spilled {report.SpilledRuns} sorted runs to disk");
        o.WriteLine($"wrote {outPath}");
    }
}
