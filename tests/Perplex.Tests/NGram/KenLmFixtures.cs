using Xunit;
using System.Globalization;
using System.Text.RegularExpressions;
using Perplex.NGram;

namespace Perplex.Tests.NGram;

/// <summary>The KenLM reference outputs copied from shared/fixtures/kenlm (see the README there).</summary>
public static class KenLmFixtures
{
    public static string Dir => Path.Combine(AppContext.BaseDirectory, "TestData", "kenlm");

    public static string File(string name) => Path.Combine(Dir, name);

    /// <summary>Model name, training corpus, test text, order, whether lmplz ran with --skip_symbols.</summary>
    public static readonly TheoryData<string, string, string, int, bool> Models = new()
    {
        { "tiny.o2", "tiny.txt", "tiny-test.txt", 2, true },
        { "tiny.o3", "tiny.txt", "tiny-test.txt", 3, true },
        { "tiny.o4", "tiny.txt", "tiny-test.txt", 4, true },
        { "tiny.o5", "tiny.txt", "tiny-test.txt", 5, true },
        { "tiny-UNK.o3", "tiny-UNK.txt", "tiny-UNK-test.txt", 3, false },
        { "tiny-UNK.o5", "tiny-UNK.txt", "tiny-UNK-test.txt", 5, false },
    };

    private static readonly Dictionary<string, ILanguageModel> Built = new();

    /// <summary>Our model for a fixture, built once per test run.</summary>
    public static BackoffModel Build(string corpus, int order, bool skipSymbols)
    {
        lock (Built)
        {
            string key = $"{corpus}/{order}/{skipSymbols}";
            if (!Built.TryGetValue(key, out var model))
            {
                model = NGramBuilder.Build(File(corpus), new NGramBuildOptions { Order = order, SkipSymbols = skipSymbols }, out _, new SilentProgress());
                Built[key] = model;
            }
            return (BackoffModel)model;
        }
    }

    /// <summary>Every n-gram of a model as "w1 w2 …" → (log10 p, log10 backoff).</summary>
    public static Dictionary<string, (float Prob, float Backoff)> Entries(BackoffModel model)
    {
        var text = new StringWriter();
        ArpaWriter.Write(model, text);
        var result = new Dictionary<string, (float, float)>();
        foreach (var line in text.ToString().Split('\n'))
        {
            var parts = line.Split('\t');
            if (parts.Length < 2) continue;
            float backoff = parts.Length == 3 ? float.Parse(parts[2], CultureInfo.InvariantCulture) : 0f;
            result.Add(parts[1], (float.Parse(parts[0], CultureInfo.InvariantCulture), backoff));
        }
        return result;
    }

    /// <summary>The D1 D2 D3+ lines of an lmplz log, per order.</summary>
    public static List<(int Order, long Count, double D1, double D2, double D3)> Discounts(string logName)
    {
        var list = new List<(int, long, double, double, double)>();
        var re = new Regex(@"^(\d+) (\d+) D1=(\S+) D2=(\S+) D3\+=(\S+)$");
        foreach (var line in System.IO.File.ReadLines(File(logName)))
        {
            var m = re.Match(line);
            if (!m.Success) continue;
            double P(int g) => double.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture);
            list.Add((int.Parse(m.Groups[1].Value), long.Parse(m.Groups[2].Value), P(3), P(4), P(5)));
        }
        return list;
    }

    /// <summary>Per-line totals and the summary of a KenLM query output.</summary>
    public static (List<double> Totals, List<long> Oovs, Dictionary<string, string> Summary) ParseQuery(string text)
    {
        var totals = new List<double>();
        var oovs = new List<long>();
        var summary = new Dictionary<string, string>();
        foreach (var line in text.Split('\n'))
        {
            var m = Regex.Match(line, @"Total: (\S+) OOV: (\d+)$");
            if (m.Success)
            {
                totals.Add(double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
                oovs.Add(long.Parse(m.Groups[2].Value));
                continue;
            }
            int tab = line.IndexOf('\t');
            if (tab > 0 && line[..tab].EndsWith(':') && !line.Contains('='))
                summary[line[..tab]] = line[(tab + 1)..];
        }
        return (totals, oovs, summary);
    }

    /// <summary>Progress sink that keeps warnings for assertions instead of printing them.</summary>
    public sealed class SilentProgress : Perplex.Diagnostics.IProgressSink
    {
        public List<string> Warnings { get; } = new();
        public List<string> Stages { get; } = new();
        public void BeginStage(string name, long? total, string unit) => Stages.Add(name);
        public void Advance(long amount) { }
        public void SetStatus(string status) { }
        public void Warn(string message) => Warnings.Add(message);
    }
}
