namespace Perplex.Tests.Analysis;

public class GradFlowCommandTests
{
    [Fact]
    public void GradflowPrintsTheTableAndWritesPlotsAndCsv()
    {
        using var dir = new TempDir();
        var text = dir.File("t.txt", string.Join("\n", Enumerable.Range(0, 200).Select(i => $"the cat {i % 13} sat on mat {i % 7}")));
        var r = Cli.Run("gradflow", "--text", text, "--model", "RNN_SIGMOID", "LSTM", "--steps", "12", "--streams", "3",
            "--emsize", "8", "--nhid", "8", "--train-updates", "5", "--bptt", "5", "--batch-size", "4",
            "--plot", dir.Combine("g.png"), "--loss-plot", dir.Combine("l.png"), "--csv", dir.Combine("g.csv"), "--quiet");
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("RNN_SIGMOID  initial", r.Out);
        Assert.Contains("LSTM         trained", r.Out);
        foreach (var png in new[] { "g.png", "l.png" })
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(dir.Combine(png)).Take(4));
        var csv = File.ReadAllLines(dir.Combine("g.csv"));
        Assert.Equal("model,state,distance,norm", csv[0]);
        Assert.Equal(1 + 2 * 2 * 12, csv.Length); // 2 models × (initial, trained) × 12 distances
    }

    [Fact]
    public void GradflowRejectsAnUnknownModelAndTooShortText()
    {
        using var dir = new TempDir();
        var text = dir.File("t.txt", "a b c\n");
        var bad = Cli.Run("gradflow", "--text", text, "--model", "TRANSFORMER");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("unknown model 'TRANSFORMER'", bad.Err);
        var shortText = Cli.Run("gradflow", "--text", text, "--model", "LSTM", "--steps", "50", "--quiet");
        Assert.Equal(1, shortText.ExitCode);
        Assert.Contains("fewer than the 52 a window of --steps 50 needs", shortText.Err);
    }
}
