namespace Perplex.Tests.CommandLine;


public class CliTests
{
    [Fact]
    public void HelpListsTheCommands()
    {
        var r = Cli.Run("--help");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("vocab", r.Out);
    }

    [Fact]
    public void EveryOptionOfEveryCommandHasADescription()
    {
        var root = Perplex.Cli.CliApp.CreateRoot();
        var missing = new List<string>();
        void Visit(System.CommandLine.Command c, string path)
        {
            if (string.IsNullOrWhiteSpace(c.Description)) missing.Add(path);
            foreach (var o in c.Options) if (string.IsNullOrWhiteSpace(o.Description)) missing.Add($"{path} {o.Name}");
            foreach (var a in c.Arguments) if (string.IsNullOrWhiteSpace(a.Description)) missing.Add($"{path} <{a.Name}>");
            foreach (var s in c.Subcommands) Visit(s, $"{path} {s.Name}");
        }
        Visit(root, "perplex");
        Assert.Empty(missing);
    }

    [Fact]
    public void VocabBuildAndShow()
    {
        using var dir = new TempDir();
        var corpus = dir.File("c.txt", "the cat sat\nthe dog sat\n");
        var vocab = dir.Combine("v.txt");
        var build = Cli.Run("vocab", "build", corpus, "-o", vocab, "--quiet");
        Assert.Equal(0, build.ExitCode);
        Assert.Contains("7 entries from 6 tokens in 2 sentences", build.Out);
        var show = Cli.Run("vocab", "show", vocab);
        Assert.Equal(0, show.ExitCode);
        Assert.Contains("3\t2\tsat", show.Out);
    }

    [Fact]
    public void UserMistakesPrintOneLineAndNoStackTrace()
    {
        using var dir = new TempDir();
        var bad = dir.Bytes("bad.txt", [(byte)'o', (byte)'k', (byte)'\n', 0xFF, (byte)'\n']);
        var cases = new[]
        {
            (new[] { "vocab", "build", dir.Combine("missing.txt"), "-o", dir.Combine("v") }, "file not found"),
            (new[] { "vocab", "build", bad, "-o", dir.Combine("v") }, "bad.txt:2: invalid UTF-8 at byte offset 3"),
            (new[] { "vocab", "build", dir.File("e.txt", ""), "-o", dir.Combine("v") }, "the corpus is empty"),
            (new[] { "vocab", "build", bad, "-o", dir.Combine("v"), "--min-count", "zero" }, "zero"),
            (new[] { "vocab", "build", bad, "-o", dir.Combine("v"), "--tokenizer", "bpe" }, "bpe"),
        };
        foreach (var (args, expected) in cases)
        {
            var r = Cli.Run(args);
            Assert.True(r.ExitCode == 1, r.Err);
            Assert.Equal(1, r.ExitCode);
            Assert.Contains(expected, r.Err);
            Assert.StartsWith("perplex: error: ", r.Err);
            Assert.DoesNotContain("   at ", r.Err);
        }
    }
}
