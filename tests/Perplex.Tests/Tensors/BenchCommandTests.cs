using System.CommandLine;
using Perplex.Cli;
using Perplex.Cli.Commands;
using Xunit;

namespace Perplex.Tests.Tensors;

/// <summary>The bench commands are wired up and reject bad options with one clear line (their figures are not tested).</summary>
[Collection(GlobalThreadCount.Name)]
public class BenchCommandTests
{
    private static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var root = new RootCommand { BenchCommands.Create() };
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = CliRunner.Invoke(root, args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void FmaPrintsAPeak()
    {
        var (exit, output, _) = Run("bench", "fma", "--seconds", "0.05");
        Assert.Equal(0, exit);
        Assert.Contains("GFLOP per CPU-second", output);
    }

    [Fact]
    public void GemmRejectsBadOptions()
    {
        var (exit, _, error) = Run("bench", "gemm", "--seconds", "0");
        Assert.Equal(CliRunner.UserErrorExitCode, exit);
        Assert.Contains("perplex: error: --seconds must be positive", error);
        (exit, _, error) = Run("bench", "gemm", "--threads", "0");
        Assert.Equal(CliRunner.UserErrorExitCode, exit);
        Assert.Contains("--threads must be at least 1", error);
    }
    [Fact]
    public void LmAgainstOneThreadNeedsSeveralThreads()
    {
        var (exit, _, error) = Run("bench", "lm", "--threads", "1", "--against-one-thread");
        Assert.Equal(CliRunner.UserErrorExitCode, exit);
        Assert.Contains("--against-one-thread needs --threads 2 or more", error);
        (exit, _, error) = Run("bench", "lm", "--threads", "2", "--against-one-thread", "--profile");
        Assert.Equal(CliRunner.UserErrorExitCode, exit);
        Assert.Contains("--profile cannot be combined with --against-one-thread", error);
    }

    [Fact]
    public void LmSplitIsChosenByName_AndDoesNotOutliveTheCommand()
    {
        var (exit, _, error) = Run("bench", "lm", "--split", "halves");
        Assert.NotEqual(0, exit);
        Assert.Contains("halves", error);
        int saved = Perplex.Tensors.Parallelism.MaxThreads;
        try
        {
            string output;
            (exit, output, error) = Run("bench", "lm", "--emsize", "8", "--nhid", "300", "--nlayers", "1", "--vocab", "50", "--bptt", "3",
                "--batch-size", "4", "--threads", "2", "--seconds", "0.1", "--warmup", "0", "--split", "streams");
            Assert.True(exit == 0, error);
            Assert.Contains("train tokens/s", output);
            Assert.Equal(Perplex.Models.StepSplit.Auto, Perplex.Models.StreamParallelStep<float>.Split);
        }
        finally
        {
            Perplex.Tensors.Parallelism.MaxThreads = saved;
        }
    }

    [Fact]
    public void ThreadComparison_AlternatesOneAndSeveralThreads_InPairs_UntilBothHadTheirTime()
    {
        int saved = Perplex.Tensors.Parallelism.MaxThreads;
        try
        {
            var seen = new List<int>();
            var blocks = ThreadComparison.Measure(() => { seen.Add(Perplex.Tensors.Parallelism.MaxThreads); Thread.Sleep(2); }, 3, 0.05, blockSeconds: 0.01);
            Assert.True(blocks.Count >= 2 && blocks.Count % 2 == 0);
            for (int i = 0; i < blocks.Count; i++) Assert.Equal(i % 2 == 0 ? 1 : 3, blocks[i].Threads);
            Assert.True(blocks.Where(b => b.Threads == 1).Sum(b => b.WallSeconds) >= 0.05);
            Assert.True(blocks.Where(b => b.Threads == 3).Sum(b => b.WallSeconds) >= 0.05);
            Assert.Equal(blocks.Sum(b => b.Steps), seen.Count);
            // the steps of each block ran at that block's thread count
            int next = 0;
            foreach (var b in blocks)
                for (int s = 0; s < b.Steps; s++) Assert.Equal(b.Threads, seen[next++]);
            Assert.Equal(3, Perplex.Tensors.Parallelism.MaxThreads);
        }
        finally
        {
            Perplex.Tensors.Parallelism.MaxThreads = saved;
        }
    }

    [Fact]
    public void ThreadComparison_ReportsRatesOverAllBlocks_AndTheMedianPair()
    {
        var blocks = new List<ThreadComparison.Block>
        {
            new(1, 10, 1.0, 1.0), new(2, 18, 1.0, 2.0),   // pair ratio 1.8
            new(1, 10, 2.0, 2.0), new(2, 10, 1.0, 2.0),   // pair ratio 2.0
            new(1, 10, 1.0, 1.0), new(2, 10, 1.0, 2.0),   // pair ratio 1.0
        };
        // an odd number of pairs: the middle one
        var o = new StringWriter();
        ThreadComparison.Print(o, blocks, 2, tokensPerStep: 100, flopsPerToken: 1e9, peakGflops: 1000);
        string text = o.ToString();
        // 1 thread: 3,000 tokens in 4 s; 2 threads: 3,800 tokens in 3 s
        Assert.Contains("1 thread: 750.0 tokens/s, model FLOP utilization 75.0 % of 1 core", text);
        Assert.Contains("2 threads: 1266.7 tokens/s, model FLOP utilization 63.3 % of 2 cores (2.00 cores used)", text);
        Assert.Contains("2 threads ÷ 1 thread: 1.689x over all blocks; per pair of neighbouring blocks: lowest 1.00, median 1.80, highest 2.00", text);

        // an even number: the mean of the two middle ones (1.8 and 2.0)
        blocks.AddRange([new(1, 10, 1.0, 1.0), new(2, 30, 1.0, 2.0)]); // pair ratio 3.0
        o = new StringWriter();
        ThreadComparison.Print(o, blocks, 2, tokensPerStep: 100, flopsPerToken: 1e9, peakGflops: 1000);
        Assert.Contains("lowest 1.00, median 1.90, highest 3.00", o.ToString());
    }
}
