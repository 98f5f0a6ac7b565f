using Xunit;
using System.CommandLine;
using System.Globalization;
using Perplex.Cli;
using Perplex.Cli.Commands;
using Perplex.NGram;

namespace Perplex.Tests.NGram;

/// <summary>The <c>perplex ngram</c> commands run in-process, as Program.cs wires them.</summary>
public class NGramCliTests
{
    internal static (int ExitCode, string Out, string Err) Run(params string[] args)
    {
        var root = new RootCommand("test");
        root.Options.Add(CommonOptions.Quiet);
        root.Subcommands.Add(NGramCommands.Create());
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliRunner.Invoke(root, ["ngram", .. args], stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void BuildThenQueryGivesKenLmSummary()
    {
        using var dir = new TempDir();
        var model = dir.Combine("m.bin");
        var build = Run("build", "--order", "3", "--skip-symbols", "--output", model, KenLmFixtures.File("tiny.txt"), "-q");
        Assert.True(build.ExitCode == 0, build.Err);
        Assert.Contains("Unigram tokens 10145 types 2345", build.Out); // lmplz's log line for this corpus
        Assert.Contains("3 9601 D1=0.94876 D2=1.30551 D3+=2.00458", build.Out);

        var query = Run("query", model, KenLmFixtures.File("tiny-test.txt"), "-v", "summary");
        Assert.True(query.ExitCode == 0, query.Err);
        var lines = query.Out.TrimEnd('\n').Split('\n');
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("Perplexity including OOVs:\t528.43", lines[0]); // KenLM: 528.4328103945448
        Assert.StartsWith("Perplexity excluding OOVs:\t240.09", lines[1]); // KenLM: 240.09636127647224
        Assert.Equal("OOVs:\t881", lines[2]);
        Assert.Equal("Tokens:\t4266", lines[3]);
    }

    [Fact]
    public void ConvertArpaToBinaryAndBackIsLossless()
    {
        using var dir = new TempDir();
        var arpa = KenLmFixtures.File("tiny.o3.arpa");
        Assert.Equal(0, Run("convert", arpa, dir.Combine("m.bin"), "-q").ExitCode);
        var back = Run("convert", dir.Combine("m.bin"), dir.Combine("back.arpa"), "-q");
        Assert.True(back.ExitCode == 0, back.Err);
        Assert.Equal(File.ReadAllText(arpa), File.ReadAllText(dir.Combine("back.arpa")));
    }

    [Fact]
    public void CompleteListsTopKWithTheModelsProbabilities()
    {
        var arpa = KenLmFixtures.File("tiny.o3.arpa");
        var r = Run("complete", arpa, "the company", "-k", "4");
        Assert.True(r.ExitCode == 0, r.Err);
        var lines = r.Out.TrimEnd('\n').Split('\n');
        Assert.Equal(4, lines.Length);
        var model = ArpaReader.Read(arpa);
        var state = NGramCompletion.StateAfter(model, "the company");
        double previous = 1;
        foreach (var line in lines)
        {
            var f = line.Split('\t');
            double p = double.Parse(f[1], CultureInfo.InvariantCulture);
            Assert.True(p <= previous);
            previous = p;
            double expected = Math.Pow(10, model.Score(state, model.Vocabulary.Find(f[0]), out _, out _));
            Assert.Equal(expected, p, expected * 1e-5);
        }
        // Nothing outside the list is more likely than the last listed word.
        var listed = lines.Select(l => l.Split('\t')[0]).ToHashSet();
        for (int w = 0; w < model.Vocabulary.Count; w++)
            if (w != Vocabulary.BeginId && w != Vocabulary.UnknownId && !listed.Contains(model.Vocabulary[w]))
                Assert.True(Math.Pow(10, model.Score(state, w, out _, out _)) <= previous * (1 + 1e-5));
    }

    [Fact]
    public void GenerateIsReproducibleWithASeed()
    {
        var arpa = KenLmFixtures.File("tiny.o3.arpa");
        var a = Run("generate", arpa, "--seed", "7", "-n", "3");
        var b = Run("generate", arpa, "--seed", "7", "-n", "3");
        var c = Run("generate", arpa, "--seed", "8", "-n", "3");
        Assert.True(a.ExitCode == 0, a.Err);
        Assert.Equal(a.Out, b.Out);
        Assert.NotEqual(a.Out, c.Out);
        var vocab = ArpaReader.Read(arpa).Vocabulary;
        var lines = a.Out.TrimEnd('\n').Split('\n');
        Assert.Equal(3, lines.Length);
        foreach (var word in lines.SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
        {
            Assert.True(vocab.TryFind(word, out int id) && id > Vocabulary.EndId, $"unexpected word '{word}'");
        }
    }

    [Fact]
    public void EveryBuildFlagIsDocumentedInHelp()
    {
        var help = Run("build", "--help");
        foreach (var flag in new[] { "--order", "--smoothing", "--k", "--alpha", "--skip-symbols", "--discount-fallback", "--fallback-discounts", "--prune", "--memory", "--temp", "--output", "--tsv-column" })
            Assert.Contains(flag, help.Out);
        Assert.Contains("stupid backoff: scores, not probabilities", help.Out);
    }

    [Fact]
    public void EveryNGramCommandOptionAndArgumentHasADescription()
    {
        var missing = new List<string>();
        void Visit(Command c, string path)
        {
            if (string.IsNullOrWhiteSpace(c.Description)) missing.Add(path);
            foreach (var o in c.Options) if (string.IsNullOrWhiteSpace(o.Description)) missing.Add($"{path} {o.Name}");
            foreach (var a in c.Arguments) if (string.IsNullOrWhiteSpace(a.Description)) missing.Add($"{path} <{a.Name}>");
            foreach (var sub in c.Subcommands) Visit(sub, $"{path} {sub.Name}");
        }
        var ngram = NGramCommands.Create();
        Visit(ngram, "perplex ngram");
        Assert.Empty(missing);
        Assert.Equal(["build", "query", "convert", "complete", "generate", "bench"], ngram.Subcommands.Select(c => c.Name));
    }

    [Fact]
    public void DiscountFallbackFlagAndValues()
    {
        using var dir = new TempDir();
        var corpus = dir.File("rep.txt", "a b c d\na b c d\na b c d\n");
        var refused = Run("build", "-o", "3", "--output", dir.Combine("r.arpa"), corpus, "-q");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("--discount-fallback", refused.Err);
        var defaults = Run("build", "-o", "3", "--output", dir.Combine("r.arpa"), "--discount-fallback", corpus, "-q");
        Assert.True(defaults.ExitCode == 0, defaults.Err);
        Assert.Contains("3 4 D1=0.5 D2=1 D3+=1.5", defaults.Out);
        var custom = Run("build", "-o", "3", "--output", dir.Combine("r.arpa"), "--discount-fallback", "--fallback-discounts", "0.25", "0.75", "1.25", corpus, "-q");
        Assert.True(custom.ExitCode == 0, custom.Err);
        Assert.Contains("3 4 D1=0.25 D2=0.75 D3+=1.25", custom.Out);
    }

    [Fact]
    public void UserMistakesAreOneErrorLine()
    {
        using var dir = new TempDir();
        var cases = new (string[] Args, string Expected)[]
        {
            (["query", dir.Combine("missing.arpa"), "-"], "missing.arpa: model file not found"),
            (["build", "--order", "3", "--output", dir.Combine("m.arpa"), KenLmFixtures.File("tiny.txt")], "tiny.txt:2: special word <unk> is not allowed"),
            (["build", "--order", "3", "--output", dir.Combine("m.arpa"), dir.File("empty.txt", "")], "the corpus is empty"),
            (["build", "--order", "0", "--output", dir.Combine("m.arpa"), dir.File("one.txt", "a b\n")], "--order must be between 1 and 8"),
            (["build", "--order", "2", "--memory", "lots", "--output", dir.Combine("m.arpa"), dir.File("two.txt", "a b\n")], "--memory: 'lots' is not a size"),
            (["build", "--order", "2", "--smoothing", "addk", "--output", dir.Combine("m.arpa"), dir.File("three.txt", "a b\n")], "add-k models cannot be written as ARPA"),
            (["query", dir.File("bad.arpa", "\\data\\\nngram 1=x\n"), "-"], "bad.arpa:2: malformed count line"),
        };
        foreach (var (args, expected) in cases)
        {
            var r = Run(args);
            Assert.True(r.ExitCode == 1, $"{string.Join(' ', args)}: exit {r.ExitCode} {r.Err}");
            var errLines = r.Err.TrimEnd('\n').Split('\n');
            Assert.Single(errLines);
            Assert.StartsWith("perplex: error: ", errLines[0]);
            Assert.Contains(expected, errLines[0]);
        }
    }
}

/// <summary><c>--layout probing|trie</c> and <c>--quantize</c> of build and convert.</summary>
public class BinaryLayoutCliTests
{
    private static (int ExitCode, string Out, string Err) Run(params string[] args) => NGramCliTests.Run(args);

    [Fact]
    public void TrieLayoutIsSmallerAndScoresTheSame()
    {
        using var dir = new TempDir();
        var arpa = KenLmFixtures.File("tiny.o4.arpa");
        string probing = dir.Combine("p.bin"), trie = dir.Combine("t.bin");
        Assert.Equal(0, Run("convert", arpa, probing, "-q").ExitCode);
        Assert.Equal(0, Run("convert", arpa, trie, "--layout", "trie", "-q").ExitCode);
        Assert.True(new FileInfo(trie).Length < 0.8 * new FileInfo(probing).Length);
        using (var p = (BackoffModel)NGramModelFile.Load(probing))
        using (var t = (BackoffModel)NGramModelFile.Load(trie))
        {
            Assert.NotNull(p.Probing);
            Assert.Null(t.Probing);
        }
        var fromProbing = Run("query", probing, KenLmFixtures.File("tiny-test.txt"));
        var fromTrie = Run("query", trie, KenLmFixtures.File("tiny-test.txt"));
        Assert.Equal(0, fromTrie.ExitCode);
        Assert.Equal(fromProbing.Out, fromTrie.Out);
    }

    [Fact]
    public void QuantizeWithAnExplicitProbingLayoutIsRefusedBeforeBuilding()
    {
        using var dir = new TempDir();
        var r = Run("build", "--order", "3", "--skip-symbols", "--quantize", "--layout", "probing", "--output", dir.Combine("m.bin"), KenLmFixtures.File("tiny.txt"), "-q");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("--layout probing", r.Err);
        Assert.False(File.Exists(dir.Combine("m.bin")));
        Assert.Equal(0, Run("convert", KenLmFixtures.File("tiny.o3.arpa"), dir.Combine("q.bin"), "--quantize", "-q").ExitCode);
    }
}
