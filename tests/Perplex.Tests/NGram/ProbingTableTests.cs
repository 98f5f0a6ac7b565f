using System.Text;
using Xunit;
using Perplex.NGram;

namespace Perplex.Tests.NGram;

/// <summary>The hash-keyed (KenLM "probing") tables of binary models and the byte-level vocabulary lookup.</summary>
public class ProbingTableTests
{
    /// <summary>The words of n-gram <paramref name="index"/> of order <paramref name="k"/>+1, oldest first.</summary>
    private static int[] Words(BackoffModel model, int k, int index)
    {
        var words = new int[k + 1];
        for (int j = 0; j <= k; j++)
        {
            var level = model.Levels[k - j];
            words[j] = k - j == 0 ? index : level.Word(index);
            if (k - j > 0) index = level.Parent(index);
        }
        return words;
    }

    [Theory]
    [MemberData(nameof(KenLmFixtures.Models), MemberType = typeof(KenLmFixtures))]
    public void HashLookupsScoreEveryStoredNGramExactlyAsTheTrie(string name, string corpus, string test, int order, bool skip)
    {
        _ = (corpus, test, order, skip);
        var arpa = ArpaReader.Read(KenLmFixtures.File(name + ".arpa"));
        Assert.Null(arpa.Probing);
        using var dir = new TempDir();
        NGramModelFile.Save(arpa, dir.Combine("m.bin"));
        using var mapped = (BackoffModel)NGramModelFile.Load(dir.Combine("m.bin"));
        Assert.NotNull(mapped.Probing);
        // Every stored n-gram as the last word after its context, plus one unseen extension (the word <unk>): both the
        // hit at every order and the miss (backing off through the stored backoffs) must agree bit for bit.
        for (int k = 0; k < arpa.Order; k++)
        {
            for (int i = 0; i < arpa.Levels[k].Count; i++)
            {
                var words = Words(arpa, k, i);
                var a = arpa.NullContextState();
                var b = mapped.NullContextState();
                foreach (int w in words.Append(Vocabulary.UnknownId))
                {
                    float pa = arpa.Score(a, w, out a, out int la);
                    float pb = mapped.Score(b, w, out b, out int lb);
                    Assert.Equal(pa, pb);
                    Assert.Equal(la, lb);
                }
            }
        }
    }

    [Fact]
    public void TrieSlotsLeftOutOfTheFileAreRebuiltForAutocomplete()
    {
        var arpa = ArpaReader.Read(KenLmFixtures.File("tiny.o4.arpa"));
        using var dir = new TempDir();
        NGramModelFile.Save(arpa, dir.Combine("m.bin"));
        using var mapped = (BackoffModel)NGramModelFile.Load(dir.Combine("m.bin"));
        Assert.All(mapped.Levels.Skip(1), level => Assert.False(level.HasSlots));
        var contexts = File.ReadLines(KenLmFixtures.File("tiny-test.txt")).Take(20).Select(l => string.Join(' ', l.Split(' ').Take(3)));
        foreach (var context in contexts)
        {
            var expected = NGramCompletion.Top(arpa, NGramCompletion.StateAfter(arpa, context), 5);
            var actual = NGramCompletion.Top(mapped, NGramCompletion.StateAfter(mapped, context), 5);
            Assert.Equal(expected, actual);
            Compaction.Force(); // the rebuilt slots are addressed by pointer
        }
        Assert.True(mapped.Levels[1].HasSlots);
    }

    [Fact]
    public void QueryingABinaryModelDecodesNoWordsAndWordsDecodeOnDemand()
    {
        var arpa = ArpaReader.Read(KenLmFixtures.File("tiny-UNK.o3.arpa"));
        using var dir = new TempDir();
        NGramModelFile.Save(arpa, dir.Combine("m.bin"));
        using var mapped = (BackoffModel)NGramModelFile.Load(dir.Combine("m.bin"));
        Assert.False(mapped.Vocabulary.IsDecoded);
        Assert.Equal(arpa.Vocabulary.Count, mapped.Vocabulary.Count);
        var expected = new StringWriter();
        NGramQuery.Run(arpa, KenLmFixtures.File("tiny-UNK-test.txt"), expected);
        var actual = new StringWriter();
        NGramQuery.Run(mapped, KenLmFixtures.File("tiny-UNK-test.txt"), actual);
        Assert.Equal(expected.ToString(), actual.ToString());
        Assert.False(mapped.Vocabulary.IsDecoded);
        Assert.Equal(arpa.Vocabulary.Words, mapped.Vocabulary.Words);
        Assert.True(mapped.Vocabulary.IsDecoded);
    }

    [Fact]
    public void VersionOneBinaryFilesAreStillRead()
    {
        // Written by the version-1 writer (before probing tables) from tiny.o3.arpa.
        var v1 = Path.Combine(AppContext.BaseDirectory, "TestData", "ngram", "tiny.o3.v1.bin");
        using var old = (BackoffModel)NGramModelFile.Load(v1);
        Assert.Null(old.Probing);
        var arpa = ArpaReader.Read(KenLmFixtures.File("tiny.o3.arpa"));
        var fromOld = new StringWriter();
        var fromArpa = new StringWriter();
        NGramQuery.Run(old, KenLmFixtures.File("tiny-test.txt"), fromOld);
        NGramQuery.Run(arpa, KenLmFixtures.File("tiny-test.txt"), fromArpa);
        Assert.Equal(fromArpa.ToString(), fromOld.ToString());
    }

    [Fact]
    public void UnknownVersionIsAClearErrorSayingHowToConvert()
    {
        using var dir = new TempDir();
        var bin = dir.Combine("m.bin");
        NGramModelFile.Save(KenLmFixtures.Build("tiny.txt", 2, true), bin);
        var bytes = File.ReadAllBytes(bin);
        BitConverter.GetBytes(99).CopyTo(bytes, 8); // the version follows the 8-byte magic
        File.WriteAllBytes(bin, bytes);
        var e = Assert.Throws<PerplexException>(() => NGramModelFile.Load(bin));
        Assert.Equal(bin, e.FilePath);
        Assert.Contains("version 99", e.Message);
        Assert.Contains("convert", e.Message);
    }

    [Fact]
    public void Utf8LookupFindsEveryWordAndNothingElse()
    {
        var vocab = new Vocabulary();
        string[] words = ["학생들이", "책을", "펼쳤다", "students", "opened", "ÿ", "a", "abcdefgh", "abcdefghi", "정말정말정말정말재밌다"];
        foreach (var w in words) vocab.GetOrAdd(w);
        foreach (var w in vocab.Words) Assert.Equal(vocab.Find(w), vocab.FindUtf8(Encoding.UTF8.GetBytes(w)));
        foreach (var w in new[] { "학생", "abcdefg", "abcdefghij", "", "Students" })
            Assert.Equal(Vocabulary.UnknownId, vocab.FindUtf8(Encoding.UTF8.GetBytes(w)));
        // Adding a word afterwards is seen by the byte lookup too.
        int id = vocab.GetOrAdd("새단어");
        Assert.Equal(id, vocab.FindUtf8(Encoding.UTF8.GetBytes("새단어")));
    }

    [Fact]
    public void ARepeatedKeyIsRefused()
    {
        var table = ProbingTable<NGramEntry>.Allocate(4);
        Assert.True(table.TryInsert(new NGramEntry { Hash = 42, Prob = -1 }));
        Assert.True(table.TryInsert(new NGramEntry { Hash = 43, Prob = -2 }));
        Assert.False(table.TryInsert(new NGramEntry { Hash = 42, Prob = -3 }));
        unsafe
        {
            Assert.Equal(-1f, table.Find(42)->Prob);
            Assert.True(table.Find(44) == null);
            // A damaged table with no empty slot: a missing key is still "not found", not an endless probe.
            var full = PinnedArray.Allocate<NGramEntry>(3);
            for (int i = 0; i < full.Length; i++) full[i] = new NGramEntry { Hash = (ulong)(i + 1) };
            var damaged = new ProbingTable<NGramEntry>(PinnedArray.Pointer(full), full.Length, full);
            Assert.True(damaged.Find(99) == null);
            Assert.True(damaged.Find(2) != null);
        }
    }

    [Fact]
    public void ProbingTablesSurviveACompactingGarbageCollection()
    {
        // Tables built in managed memory (the vocabulary's byte lookup, and probing tables before they are written)
        // are addressed by pointer: they must be pinned.
        var arpa = ArpaReader.Read(KenLmFixtures.File("tiny.o4.arpa"));
        var probing = NGramProbing.TryBuild(arpa.Levels);
        Assert.NotNull(probing);
        var model = new BackoffModel(arpa.Vocabulary, arpa.Levels, true, "arpa", null, probing);
        var before = Compaction.QueryTinyTest(model);
        Compaction.Force();
        Assert.Equal(before, Compaction.QueryTinyTest(model));
        Assert.Equal(Compaction.QueryTinyTest(arpa), before);
    }
}

public class QueryLineTests
{
    [Fact]
    public void LongLinesAndUnknownWordsScoreAsWordByWordScoring()
    {
        // More words than the reused buffers start with, some unknown, some multi-byte.
        var model = ArpaReader.Read(KenLmFixtures.File("tiny.o3.arpa"));
        var known = File.ReadAllText(KenLmFixtures.File("tiny-test.txt")).Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
        var words = Enumerable.Range(0, 300).Select(i => i % 7 == 3 ? $"없는단어{i}" : known[(i * 13) % known.Length]).ToArray();
        using var dir = new TempDir();
        var text = dir.File("long.txt", string.Join("  ", words) + "\n" + string.Join(' ', words.Take(5)) + "\n");

        var output = new StringWriter();
        var summary = NGramQuery.Run(model, text, output, QueryOutput.Lines);

        float Total(IEnumerable<string> line, out int oovs)
        {
            var state = model.BeginSentenceState();
            float total = 0;
            oovs = 0;
            foreach (var w in line)
            {
                int id = model.Vocabulary.Find(w);
                if (id == Vocabulary.UnknownId) oovs++;
                total += model.Score(state, id, out state, out _);
            }
            return total + model.Score(state, Vocabulary.EndId, out _, out _);
        }
        float first = Total(words, out int firstOovs);
        float second = Total(words.Take(5), out int secondOovs);
        var lines = output.ToString().Split('\n');
        Assert.Equal($"Total: {ArpaNumber.Format(first)} OOV: {firstOovs}", lines[0]);
        Assert.Equal($"Total: {ArpaNumber.Format(second)} OOV: {secondOovs}", lines[1]);
        Assert.Equal(300 + 5 + 2, summary.Tokens);
        Assert.True(firstOovs >= 40);
        Assert.Equal(1, secondOovs);
    }
}

public class StateAliasingTests
{
    private static (float Total, int LongestMatch) ScoreLine(ILanguageModel model, string line, bool aliased)
    {
        var state = model.BeginSentenceState();
        float total = 0;
        int longest = 0;
        foreach (var w in line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            int id = model.Vocabulary.Find(w);
            int matched;
            if (aliased) total += model.Score(state, id, out state, out matched);
            else
            {
                total += model.Score(state, id, out var next, out matched);
                state = next;
            }
            longest = Math.Max(longest, matched);
        }
        return (total, longest);
    }

    [Fact]
    public void ScoringIntoTheContextVariableKeepsTheContext()
    {
        // Score(s, w, out s, ...) is the natural way to walk a sentence; it must not lose the context it reads.
        var arpa = ArpaReader.Read(KenLmFixtures.File("tiny.o3.arpa"));
        using var dir = new TempDir();
        NGramModelFile.Save(arpa, dir.Combine("m.bin"));
        using var mapped = (BackoffModel)NGramModelFile.Load(dir.Combine("m.bin"));
        var addK = NGramBuilder.Build(KenLmFixtures.File("tiny.txt"), new NGramBuildOptions { Order = 3, SkipSymbols = true, Smoothing = Smoothing.AddK }, out _);
        var line = File.ReadLines(KenLmFixtures.File("tiny-test.txt")).First();
        foreach (var model in new ILanguageModel[] { arpa, mapped, addK })
        {
            var separate = ScoreLine(model, line, aliased: false);
            Assert.Equal(3, separate.LongestMatch);
            Assert.Equal(separate, ScoreLine(model, line, aliased: true));
        }
    }
}
