using Xunit;

namespace Perplex.Tests.Training;

public sealed class TrainCliTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _train, _valid;

    public TrainCliTests()
    {
        var text = string.Concat(Enumerable.Repeat(string.Join('\n', TinyCorpus.Lines) + '\n', 8));
        _train = _dir.File("train.txt", text);
        _valid = _dir.File("valid.txt", string.Join('\n', TinyCorpus.Lines) + '\n');
    }

    public void Dispose() => _dir.Dispose();

    /// <summary>A quick training command; <paramref name="extra"/> adds flags or overrides the defaults (flag, value, flag, value…; a lone flag ends the list).</summary>
    private string[] Train(string save, params string[] extra)
    {
        var flags = new List<(string Flag, string? Value)>
        {
            ("--model", "LSTM"), ("--emsize", "8"), ("--nhid", "8"), ("--nlayers", "1"), ("--epochs", "2"), ("--batch-size", "2"),
            ("--bptt", "5"), ("--lr", "0.02"), ("--optimizer", "adam"), ("--train", _train), ("--valid", _valid), ("--test", _valid),
            ("--save", save), ("--quiet", null),
        };
        for (int i = 0; i < extra.Length; i += 2)
        {
            string? value = i + 1 < extra.Length ? extra[i + 1] : null;
            int at = flags.FindIndex(f => f.Flag == extra[i]);
            if (at >= 0) flags[at] = (extra[i], value); else flags.Add((extra[i], value));
        }
        return ["train", .. flags.SelectMany(f => f.Value is null ? new[] { f.Flag } : [f.Flag, f.Value])];
    }

    private static Cli.Result Ok(params string[] args)
    {
        var r = Cli.Run(args);
        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: {r.Err}");
        return r;
    }

    [Fact]
    public void TrainEvalGenerateAndCompleteFromTheCommandLine()
    {
        var model = _dir.Combine("m.safetensors");
        var train = Ok(Train(model, "--log", _dir.Combine("log.csv"), "--plot", _dir.Combine("curves.png")));
        Assert.Contains("| end of epoch   2 |", train.Out);
        Assert.Contains("best model saved to", train.Out);
        Assert.StartsWith("kind,epoch,step", File.ReadAllText(_dir.Combine("log.csv")));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(_dir.Combine("curves.png"))[..4]);
        Assert.True(File.Exists(_dir.Combine("m.checkpoint.safetensors")));

        var eval = Ok("eval", model, _valid, "--quiet");
        Assert.Matches(@"perplexity: \d+\.\d\d over 20 tokens", eval.Out); // 17 words and 3 ends of line
        var perSentence = Ok("eval", model, _valid, "--per-sentence", "--quiet");
        Assert.StartsWith("1\t-", perSentence.Out);
        Assert.Contains("perplexity:", perSentence.Out);

        var first = Ok("generate", model, "--prompt", "the cat", "--words", "12", "--temperature", "0.8", "--top-k", "5", "--top-p", "0.95", "--seed", "3");
        var second = Ok("generate", model, "--prompt", "the cat", "--words", "12", "--temperature", "0.8", "--top-k", "5", "--top-p", "0.95", "--seed", "3");
        Assert.Equal(first.Out, second.Out);
        Assert.StartsWith("the cat", first.Out);

        var unknown = Ok("generate", model, "--prompt", "the zebra", "--words", "3");
        Assert.Contains("warning: prompt: 1 token not in the model's vocabulary (mapped to <unk>): 'zebra'", unknown.Err);
        var failed = Cli.Run("generate", model, "--prompt", "the zebra", "--unk", "fail");
        Assert.Equal(1, failed.ExitCode);
        Assert.Contains("perplex: error:", failed.Err);
        Assert.Contains("zebra", failed.Err);

        var complete = Ok("complete", model, "the cat sat on the", "-k", "3");
        var lines = complete.Out.Trim().Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.Matches(@"^0\.\d{4}\t", lines[0]);
    }

    [Fact]
    public void ResumeContinuesAndRejectsAnotherModelOrVocabulary()
    {
        var model = _dir.Combine("r.safetensors");
        var stopped = Ok(Train(model, "--max-steps", "5"));
        Assert.Contains("stopped after 5 steps", stopped.Out);
        var checkpoint = _dir.Combine("r.checkpoint.safetensors");

        var mismatch = Cli.Run(Train(model, "--resume", checkpoint, "--nhid", "16"));
        Assert.Equal(1, mismatch.ExitCode);
        Assert.Contains("model mismatch: --nhid 16 differs from the checkpoint's 8", mismatch.Err);

        var otherText = _dir.File("other.txt", "completely different words here\n");
        var vocabulary = Cli.Run(Train(model, "--resume", checkpoint, "--train", otherText));
        Assert.Equal(1, vocabulary.ExitCode);
        Assert.Contains("vocabulary mismatch", vocabulary.Err);

        var resumed = Ok(Train(model, "--resume", checkpoint));
        Assert.Contains("resuming", resumed.Out);
        Assert.Contains("best model saved to", resumed.Out);
    }

    [Fact]
    public void CharacterLevelModelsTrainAndGenerateGraphemes()
    {
        var korean = _dir.File("ko.txt", string.Concat(Enumerable.Repeat("한국어 문장입니다\n나는 학생이다\n", 6)));
        var model = _dir.Combine("c.safetensors");
        Ok("train", "--model", "GRU", "--level", "char", "--emsize", "8", "--nhid", "8", "--nlayers", "1", "--epochs", "1",
            "--batch-size", "2", "--bptt", "8", "--optimizer", "adam", "--lr", "0.02", "--train", korean, "--valid", korean,
            "--save", model, "--quiet");
        var generated = Ok("generate", model, "--prompt", "나는", "--words", "5", "--seed", "1").Out.TrimEnd('\n');
        Assert.StartsWith("나는", generated);
        Assert.True(new System.Globalization.StringInfo(generated.Replace("\n", "")).LengthInTextElements <= 7);
    }

    [Fact]
    public void BrokenModelFilesAreOneLineErrors()
    {
        var model = _dir.Combine("b.safetensors");
        Ok(Train(model, "--epochs", "1"));
        var bytes = File.ReadAllBytes(model);
        File.WriteAllBytes(model, bytes[..^10]);
        var r = Cli.Run("eval", model, _valid);
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith($"perplex: error: {model}:", r.Err);
        Assert.Contains("truncated", r.Err);
        Assert.DoesNotContain("   at ", r.Err);
    }
}
