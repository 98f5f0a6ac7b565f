using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Perplex.Models;
using Perplex.Tensors;
using Perplex.Training;

namespace Perplex.Cli.Commands;

/// <summary>
/// <c>perplex bench lm</c>: training throughput of a language model on random tokens, the same step as
/// <c>../shared/bench/torch_lm_bench.py</c> (forward, backward, clip 0.25, SGD), reported as tokens/s, tokens per
/// CPU-second and model FLOP utilization against this machine's measured FMA peak.
/// </summary>
internal static class BenchLmCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "RNN_TANH, RNN_RELU, RNN_SIGMOID, LSTM, GRU or WINDOW.", DefaultValueFactory = _ => "LSTM" };
        var emsize = new Option<int>("--emsize") { Description = "Embedding size.", DefaultValueFactory = _ => 200 }.AtLeast(1);
        var nhid = new Option<int>("--nhid") { Description = "Hidden units per layer.", DefaultValueFactory = _ => 200 }.AtLeast(1);
        var nlayers = new Option<int>("--nlayers") { Description = "Recurrent layers.", DefaultValueFactory = _ => 2 }.AtLeast(1);
        var vocab = new Option<int>("--vocab") { Description = "Vocabulary size (random token ids below it).", DefaultValueFactory = _ => 10000 }.AtLeast(2);
        var bptt = new Option<int>("--bptt") { Description = "Tokens per stream per step.", DefaultValueFactory = _ => 35 }.AtLeast(1);
        var batch = new Option<int>("--batch-size") { Description = "Parallel streams.", DefaultValueFactory = _ => 20 }.AtLeast(1);
        var dropout = new Option<double>("--dropout") { Description = "Dropout (the reference figures use 0).", DefaultValueFactory = _ => 0 }.AtLeast(0).AtMost(0.99);
        var threads = BenchCommands.CreateThreadsOption();
        var seconds = BenchCommands.CreateSecondsOption(20, "How long to measure, after the warm-up.");
        var warmupSeconds = new Option<double>("--warmup") { Description = "Seconds of training before measuring (at least 3 steps), so the JIT's optimised code is in place.", DefaultValueFactory = _ => 3.0 }.AtLeast(0);
        var againstOne = new Option<bool>("--against-one-thread")
        {
            Description = "Alternate blocks of about a second on one thread and on --threads threads, and print both rates and their ratio: "
                + "the load of a shared machine drifts over tens of seconds, so separate runs compare different conditions.",
        };
        var profile = new Option<bool>("--profile") { Description = "Also time every GEMM shape of the step and print where the step's time goes." };
        var split = new Option<string>("--split")
        {
            Description = "How a step on several threads is split: auto (by the size of W_hh), streams (each thread a share of the batch) or whole (every product split).",
            DefaultValueFactory = _ => "auto",
        }.AcceptOnlyFromAmong("auto", "streams", "whole");
        var command = new Command("lm", "Training speed of a language model on random tokens: tokens/s, tokens per CPU-second and model FLOP utilization.")
        {
            model, emsize, nhid, nlayers, vocab, bptt, batch, dropout, threads, seconds, warmupSeconds, againstOne, profile, split,
        };
        // --split is a setting of the calling thread: put it back so that it does not outlive the command
        command.SetAction(result =>
        {
            try
            {
                return Run(result);
            }
            finally
            {
                StreamParallelStep<float>.Split = StepSplit.Auto;
            }
        });
        return command;

        int Run(ParseResult result)
        {
            var o = result.InvocationConfiguration.Output;
            int n = result.GetValue(threads);
            if (n < 1) throw new PerplexException($"--threads must be at least 1, got {n}");
            bool compare = result.GetValue(againstOne);
            if (compare && n < 2) throw new PerplexException("--against-one-thread needs --threads 2 or more");
            if (compare && result.GetValue(profile)) throw new PerplexException("--profile cannot be combined with --against-one-thread");
            Parallelism.MaxThreads = n;
            StreamParallelStep<float>.Split = Enum.Parse<StepSplit>(result.GetValue(split)!, ignoreCase: true);
            var kind = LanguageModelConfig.ParseKind(result.GetValue(model)!);
            var config = new LanguageModelConfig(kind, result.GetValue(vocab), result.GetValue(emsize), result.GetValue(nhid),
                result.GetValue(nlayers), result.GetValue(dropout), false, kind == ModelKind.Window ? 5 : 0);
            config.Validate();
            int steps = result.GetValue(bptt), streams = result.GetValue(batch);
            double budget = result.GetValue(seconds), warmup = result.GetValue(warmupSeconds);
            if (!(budget > 0)) throw new PerplexException($"--seconds must be positive, got {budget}");

            var peak = MachinePeak.MeasureBest(1, 2); // best of 5: a run the OS interrupted would understate the peak
            var lm = LanguageModels.Create<float>(config, 1);
            var sgd = new Sgd<float>(lm.Parameters, 1.0);
            var random = new TrainingRandom(1);
            var chunks = Enumerable.Range(0, 8).Select(_ => Enumerable.Range(0, 2 * steps * streams).Select(_ => random.Next(config.VocabSize)).ToArray()).ToArray();
            int count = 0;
            void Step()
            {
                var chunk = chunks[count++ % chunks.Length];
                lm.ForwardBackward(chunk.AsSpan(0, steps * streams), chunk.AsSpan(steps * streams), steps, streams);
                long started = StepProfile.Start();
                var (_, clipping) = GradientClipping.Measure(lm.Parameters, 0.25);
                StepProfile.Stop(started, "clip gradients: the norm");
                started = StepProfile.Start();
                sgd.Step(clipping, zeroGradients: true); // as the trainer does
                StepProfile.Stop(started, "SGD step (+ clip scaling, zeroing the gradients)");
            }
            // .NET compiles hot methods again, optimised, in a background thread during the first seconds; measuring
            // then would count that compilation and, with every core busy, the steps it stalls.
            var warm = Stopwatch.StartNew();
            for (int i = 0; i < 3 || warm.Elapsed.TotalSeconds < warmup; i++)
            {
                if (compare) Parallelism.MaxThreads = i % 2 == 0 ? n : 1; // both paths get compiled
                Step();
            }
            Parallelism.MaxThreads = n;
            count = 0;
            if (compare)
            {
                var blocks = ThreadComparison.Measure(Step, n, budget);
                double flopsPerToken = ModelFlops.TrainingPerToken(config), tokens = (double)steps * streams;
                ThreadComparison.Print(o, blocks, n, tokens, flopsPerToken, peak.GflopsPerCpuSecond);
                return 0;
            }
            var process = Process.GetCurrentProcess();
            process.Refresh();
            var cpu0 = process.TotalProcessorTime;
            double mainCpu0 = StepProfile.CallingThreadCpuSeconds();
            var times = new List<double>();
            int gc0 = GC.CollectionCount(0);
            StepProfile.Reset();
            StepProfile.Enabled = result.GetValue(profile);
            var wall = Stopwatch.StartNew();
            while (wall.Elapsed.TotalSeconds < budget)
            {
                double before = wall.Elapsed.TotalSeconds;
                Step();
                times.Add(wall.Elapsed.TotalSeconds - before);
            }
            double wallSeconds = wall.Elapsed.TotalSeconds;
            StepProfile.Enabled = false;
            process.Refresh();
            double cpuSeconds = (process.TotalProcessorTime - cpu0).TotalSeconds;
            double mainCpu = StepProfile.CallingThreadCpuSeconds() - mainCpu0;
            times.Sort();
            double tokensPerStep = (double)steps * streams;
            double tokensPerSecond = count * tokensPerStep / wallSeconds;
            double medianTokensPerSecond = tokensPerStep / times[times.Count / 2];
            double tokensPerCpuSecond = count * tokensPerStep / cpuSeconds;
            double flops = ModelFlops.TrainingPerToken(config);
            var inv = CultureInfo.InvariantCulture;
            o.WriteLine(string.Create(inv, $"perplex {LanguageModelConfig.KindName(kind)} {config.EmbeddingSize}/{config.HiddenSize}x{config.Layers} V={config.VocabSize} bptt {steps} batch {streams} threads {n}: {count} steps in {wallSeconds:F1} s"));
            o.WriteLine(string.Create(inv, $"train tokens/s: {tokensPerSecond:F1} (median step: {medianTokensPerSecond:F1})"));
            o.WriteLine(string.Create(inv, $"step times: fastest {1000 * times[0]:F1} ms, median {1000 * times[times.Count / 2]:F1}, 90th percentile {1000 * times[times.Count * 9 / 10]:F1}, slowest {1000 * times[^1]:F1}; GC collections: {GC.CollectionCount(0) - gc0} (gen 0)"));
            o.WriteLine(string.Create(inv, $"tokens per CPU-second: {tokensPerCpuSecond:F1} (the process used {cpuSeconds / wallSeconds:F2} cores on average)"));
            o.WriteLine(string.Create(inv, $"FLOPs per token (GEMMs, forward + backward): {flops / 1e6:F2} M"));
            o.WriteLine(string.Create(inv, $"FMA peak of one core: {peak.GflopsPerCpuSecond:F1} GFLOP/s ({peak.VectorBits}-bit)"));
            o.WriteLine(string.Create(inv, $"model FLOP utilization: {100 * tokensPerSecond * flops / 1e9 / (n * peak.GflopsPerCpuSecond):F1} % of {n} core(s) (wall), " +
                $"{100 * medianTokensPerSecond * flops / 1e9 / (n * peak.GflopsPerCpuSecond):F1} % (median step), " +
                $"{100 * tokensPerCpuSecond * flops / 1e9 / peak.GflopsPerCpuSecond:F1} % per CPU-second"));
            if (n > 1 && double.IsFinite(mainCpu))
            {
                // The calling thread runs one share plus everything serial; the workers ran the other shares. With a core
                // each, a step would take about the busier side's CPU time: a projection for a machine whose other
                // processes leave this one its cores (it ignores waiting and the threads' competition for memory).
                double busier = Math.Max(mainCpu, cpuSeconds - mainCpu);
                o.WriteLine(string.Create(inv, $"CPU seconds: calling thread {mainCpu:F2}, other threads {cpuSeconds - mainCpu:F2}; with a free core per thread ≈ {count * tokensPerStep / busier:F1} tokens/s (projection, not a measurement)"));
            }
            if (result.GetValue(profile)) PrintProfile(o, count, cpuSeconds, peak.GflopsPerCpuSecond);
            return 0;
        }
    }

    /// <summary>Per-shape GEMM time and per-section time per step, GEMM rates against the FMA peak, shares of the CPU time of the step.</summary>
    private static void PrintProfile(TextWriter o, int steps, double cpuSeconds, double peak)
    {
        var inv = CultureInfo.InvariantCulture;
        var entries = StepProfile.Snapshot();
        o.WriteLine(string.Create(inv, $"{"GEMM (C rows x cols x depth; P = pre-packed B) or section",-58} {"calls/step",10} {"ms/step",8} {"GFLOP/s",8} {"%peak",6} {"%CPU",6}"));
        double total = 0;
        foreach (var e in entries)
        {
            bool nested = e.Name.StartsWith("  inside", StringComparison.Ordinal) || e.Name.Contains("(incl.", StringComparison.Ordinal);
            if (!nested) total += e.Seconds; // packing inside a GEMM, or a data-parallel share holding GEMMs, is counted already
            double rate = e.Flops / e.Seconds / 1e9;
            string rates = e.Flops > 0 ? string.Create(inv, $"{rate,8:F1} {100 * rate / peak,5:F0}%") : $"{"",8} {"",6}";
            o.WriteLine(string.Create(inv, $"{e.Name,-58} {(double)e.Calls / steps,10:F1} {1000 * e.Seconds / steps,8:F2} {rates} {100 * e.Seconds / cpuSeconds,5:F1}%"));
        }
        o.WriteLine(string.Create(inv, $"{"not covered above (incl. waiting threads)",-58} {"",10} {1000 * (cpuSeconds - total) / steps,8:F2} {"",8} {"",6} {100 * (cpuSeconds - total) / cpuSeconds,5:F1}%"));
    }
}
