using System.CommandLine;
using System.Globalization;
using System.Text;
using Perplex.Analysis;
using Perplex.Cli.Commands.Analysis;
using Perplex.Models;
using Perplex.Text;

namespace Perplex.Cli.Commands;

/// <summary><c>perplex gradflow</c>: the vanishing-gradient lab.</summary>
internal static class GradFlowCommand
{
    private static readonly string[] AllModels = ["RNN_SIGMOID", "RNN_TANH", "RNN_RELU", "LSTM", "GRU"];
    private static readonly int[] ReportedDistances = [1, 2, 5, 10, 20, 30, 50, 75, 100, 150, 200];

    public static Command Create()
    {
        var models = new Option<string[]>("--model")
        {
            Description = "Recurrent units to compare (several allowed): RNN_SIGMOID, RNN_TANH, RNN_RELU, LSTM, GRU. Default: all five.",
            AllowMultipleArgumentsPerToken = true,
        };
        var text = new Option<string>("--text") { Description = "Real text to measure on (one sentence per line); e.g. examples/data/shakespeare.txt.", Required = true };
        var steps = new Option<int>("--steps") { Description = "Largest distance t − j measured.", DefaultValueFactory = _ => 100 }.AtLeast(1).AtMost(1000);
        var streams = new Option<int>("--streams") { Description = "Windows of text averaged over (geometric mean of the norms).", DefaultValueFactory = _ => 16 }.AtLeast(1);
        var emsize = new Option<int>("--emsize") { Description = "Embedding size.", DefaultValueFactory = _ => 64 }.AtLeast(1);
        var nhid = new Option<int>("--nhid") { Description = "Hidden size.", DefaultValueFactory = _ => 64 }.AtLeast(1);
        var nlayers = new Option<int>("--nlayers") { Description = "Stacked layers (the top layer's state is measured).", DefaultValueFactory = _ => 1 }.AtLeast(1);
        var updates = new Option<int>("--train-updates") { Description = "SGD updates for the 'trained' measurement and the loss curves; 0 measures only freshly initialised models.", DefaultValueFactory = _ => 300 }.AtLeast(0);
        var lr = new Option<double>("--lr") { Description = "SGD learning rate of the lab training.", DefaultValueFactory = _ => 1.0 }.AtLeast(0);
        var clip = new Option<double>("--clip") { Description = "Gradient clipping (global norm) of the lab training.", DefaultValueFactory = _ => 0.25 };
        var bptt = new Option<int>("--bptt") { Description = "Truncated-BPTT length of the lab training.", DefaultValueFactory = _ => 35 }.AtLeast(1);
        var batch = new Option<int>("--batch-size") { Description = "Parallel streams of the lab training.", DefaultValueFactory = _ => 16 }.AtLeast(1);
        var maxVocab = new Option<int>("--max-vocab") { Description = "Vocabulary cut-off (the rest is <unk>).", DefaultValueFactory = _ => 5000 }.AtLeast(4);
        var level = new Option<string>("--level") { Description = "word or char (grapheme) tokens.", DefaultValueFactory = _ => "word" }.AcceptOnlyFromAmong("word", "char");
        var seed = new Option<ulong>("--seed") { Description = "Seed of the initial weights and dropout.", DefaultValueFactory = _ => 1UL };
        var plot = new Option<string?>("--plot") { Description = "PNG of the gradient norms against distance (log scale), all models on one chart." };
        var lossPlot = new Option<string?>("--loss-plot") { Description = "PNG of the training-loss curves of all models (the sigmoid-vs-ReLU experiment)." };
        var csv = new Option<string?>("--csv") { Description = "CSV of every measured norm: model,state,distance,norm." };
        var command = new Command("gradflow",
            "The vanishing-gradient lab: measure ‖∂J(t)/∂h(j)‖ against t − j on real text for freshly initialised and trained recurrent LMs; plot norms and loss curves.")
        {
            models, text, steps, streams, emsize, nhid, nlayers, updates, lr, clip, bptt, batch, maxVocab, level, seed, plot, lossPlot, csv,
        };
        command.SetAction(result =>
        {
            var kinds = (result.GetValue(models) is { Length: > 0 } m ? m : AllModels)
                .Select(name => LanguageModelConfig.ParseKind(name)).Where(k => k != ModelKind.Window).ToList();
            var tokens = LoadTokens(result.GetValue(text)!, result.GetValue(level)!, result.GetValue(maxVocab), out int vocabSize);
            var o = result.InvocationConfiguration.Output;
            int stepCount = result.GetValue(steps), streamCount = result.GetValue(streams), updateCount = result.GetValue(updates);
            var fresh = new List<GradientFlowCurve>();
            var trained = new List<GradientFlowCurve>();
            var losses = new List<(string, List<LossPoint>)>();
            ConsoleProgress.Run(result.GetValue(CommonOptions.Quiet), progress =>
            {
                foreach (var kind in kinds)
                {
                    var name = LanguageModelConfig.KindName(kind);
                    var config = new LanguageModelConfig(kind, vocabSize, result.GetValue(emsize), result.GetValue(nhid), result.GetValue(nlayers));
                    var model = new RecurrentLanguageModel<float>(config, result.GetValue(seed));
                    progress.BeginStage($"{name}: measuring (initial)", null, "models");
                    fresh.Add(new GradientFlow(model).Measure(name, tokens, stepCount, streamCount));
                    if (updateCount == 0) continue;
                    progress.BeginStage($"{name}: training", updateCount, "updates");
                    var curve = LabTraining.Train(model, tokens, updateCount, result.GetValue(bptt), result.GetValue(batch),
                        result.GetValue(lr), result.GetValue(clip), (_, loss) => { progress.Advance(1); progress.SetStatus($"loss {loss:F3}"); });
                    if (curve.Count < updateCount) progress.Warn($"{name}: the loss stopped being finite after {curve.Count} updates");
                    losses.Add((name, curve));
                    progress.BeginStage($"{name}: measuring (trained)", null, "models");
                    trained.Add(new GradientFlow(model).Measure(name, tokens, stepCount, streamCount));
                }
                return 0;
            });

            o.WriteLine($"‖∂J(t)/∂h(t−k)‖ on {Path.GetFileName(result.GetValue(text))}: {tokens.Length:N0} tokens, V={vocabSize}, " +
                        $"H={result.GetValue(nhid)}, geometric mean over {streamCount} windows");
            WriteTable(o, "initial", fresh, stepCount);
            if (trained.Count > 0) WriteTable(o, $"after {updateCount} updates", trained, stepCount);
            o.WriteLine();
            o.WriteLine("decay rate (least-squares slope of log10 norm over k = 1..steps):");
            o.WriteLine($"{"model",-12} {"state",-8} {"decades/step",13} {"×/step",9} {"k at 1e-3",10} {"final loss",11}");
            for (int i = 0; i < fresh.Count; i++)
            {
                WriteRate(o, fresh[i], "initial", null);
                if (i < trained.Count) WriteRate(o, trained[i], "trained", losses[i].Item2.Count > 0 ? losses[i].Item2[^1].Loss : null);
            }
            if (result.GetValue(plot) is { } plotPath)
            {
                GradientFlowPlots.WriteNorms(plotPath, fresh, trained);
                o.WriteLine($"wrote {plotPath}");
            }
            if (result.GetValue(lossPlot) is { } lossPath && losses.Count > 0)
            {
                GradientFlowPlots.WriteLosses(lossPath, losses);
                o.WriteLine($"wrote {lossPath}");
            }
            if (result.GetValue(csv) is { } csvPath)
            {
                WriteCsv(csvPath, fresh, trained);
                o.WriteLine($"wrote {csvPath}");
            }
            return 0;
        });
        return command;
    }

    private static int[] LoadTokens(string path, string level, int maxVocab, out int vocabSize)
    {
        var corpus = new Corpus(path) { Tokenizer = Tokenizers.Create(level) };
        var sentences = corpus.NonEmptySentences().Select(s => s.Tokens).ToList();
        var vocabulary = Vocabulary.Build(sentences, maxSize: maxVocab, tokenizer: level);
        var ids = new List<int>();
        foreach (var s in sentences)
        {
            vocabulary.Encode(s, UnknownWordPolicy.MapToUnk, ids);
            ids.Add(Vocabulary.EosId); // every line ends with </s>, as word_language_model's <eos>
        }
        vocabSize = vocabulary.Count;
        return ids.ToArray();
    }

    private static void WriteTable(TextWriter o, string state, List<GradientFlowCurve> curves, int steps)
    {
        o.WriteLine();
        o.Write($"{"k (" + state + ")",-22}");
        foreach (var c in curves) o.Write($"{c.Model,13}");
        o.WriteLine();
        foreach (int k in ReportedDistances.Where(k => k <= steps).Append(steps).Distinct())
        {
            o.Write($"{k,-22}");
            foreach (var c in curves) o.Write($"{c.Norms[k - 1].ToString("E2", CultureInfo.InvariantCulture),13}");
            o.WriteLine();
        }
    }

    private static void WriteRate(TextWriter o, GradientFlowCurve c, string state, double? loss) =>
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{c.Model,-12} {state,-8} {c.DecadesPerStep,13:F4} {c.FactorPerStep,9:F4} {(c.DistanceToThousandth?.ToString() ?? "-"),10} {(loss is { } l ? l.ToString("F3", CultureInfo.InvariantCulture) : ""),11}"));

    private static void WriteCsv(string path, List<GradientFlowCurve> fresh, List<GradientFlowCurve> trained)
    {
        var sb = new StringBuilder("model,state,distance,norm\n");
        foreach (var (curves, state) in new[] { (fresh, "initial"), (trained, "trained") })
            foreach (var c in curves)
                for (int k = 0; k < c.Norms.Length; k++)
                    sb.Append(CultureInfo.InvariantCulture, $"{c.Model},{state},{k + 1},{c.Norms[k]:R}\n");
        var temp = path + ".tmp";
        File.WriteAllText(temp, sb.ToString());
        File.Move(temp, path, overwrite: true);
    }
}
