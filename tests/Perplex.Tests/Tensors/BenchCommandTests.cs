using System.CommandLine;
using Perplex.Cli;
using Perplex.Cli.Commands;
using Xunit;

namespace Perplex.Tests.Tensors;

/// <summary>The bench commands are wired up and reject bad options with one clear line (their figures are not tested).</summary>
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
}
