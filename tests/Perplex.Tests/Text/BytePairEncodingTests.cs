using Perplex.Encoders;
using Perplex.Text;
using Xunit;

namespace Perplex.Tests.Text;

public class BytePairEncodingTests
{
    private const string S = BytePairEncoding.WordStart;

    [Fact]
    public void LearnsTheMostFrequentPairsFirst_TiesToTheOldestSymbols()
    {
        // Sennrich et al.'s example. Initial symbols: ▁l o w | ▁l o w e r | ▁n e w e s t | ▁w i d e s t.
        // (e,s) and (s,t) both occur 9 times; e and s sort before t, so e+s wins. Then es+t (9), then
        // o+w and ▁l+o (7 each; o sorts before ▁l), ▁l+ow (7), and of the three pairs counted 6, e+w.
        var counts = new Dictionary<string, long> { ["low"] = 5, ["lower"] = 2, ["newest"] = 6, ["widest"] = 3 };
        var bpe = BytePairEncoding.Learn(counts, symbols: 1000);
        Assert.Equal([("e", "s"), ("es", "t"), ("o", "w"), (S + "l", "ow"), ("e", "w")], bpe.Merges.Take(5));
    }

    [Fact]
    public void SplitReplaysTheMergesInTheOrderTheyWereLearned()
    {
        var counts = new Dictionary<string, long> { ["low"] = 5, ["lower"] = 2, ["newest"] = 6, ["widest"] = 3 };
        var bpe = BytePairEncoding.Learn(counts, symbols: 16); // an alphabet of 11 plus 5 merges
        Assert.Equal(5, bpe.Merges.Count);
        Assert.Equal([S + "low", "est"], bpe.Split("lowest"));
        Assert.Equal([S + "w", "i", "d", "est"], bpe.Split("widest"));
        Assert.Equal([S + "z"], bpe.Split("z"));                  // a grapheme never seen is a piece of its own
        // "est" as a word starts with ▁e, which no merge joins: word-initial letters are other symbols
        Assert.Equal([S + "low", S + "e", "s", "t"], bpe.Split(["low", "est"]));
    }

    [Fact]
    public void TheIncrementalCountsGiveTheMergesOfRecountingEverything()
    {
        var random = new Random(7);
        string[] syllables = ["영", "화", "재", "밌", "다", "는", "었", "지", "루", "해", "요", "a", "b"];
        var counts = new Dictionary<string, long>();
        for (int i = 0; i < 300; i++)
        {
            var word = string.Concat(Enumerable.Range(0, 1 + random.Next(6)).Select(_ => syllables[random.Next(syllables.Length)]));
            counts[word] = counts.GetValueOrDefault(word) + 1 + random.Next(5);
        }
        var learned = BytePairEncoding.Learn(counts, symbols: 200).Merges;
        var reference = ReferenceMerges(counts, symbols: 200);
        Assert.True(learned.Count > 100, $"{learned.Count} merges");
        Assert.Equal(reference, learned);

        // the order in which the counts are handed over does not matter
        var reversed = counts.Reverse().ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Equal(learned, BytePairEncoding.Learn(reversed, symbols: 200).Merges);

        // pieces concatenate back to the word
        var bpe = new BytePairEncoding(learned);
        foreach (var word in counts.Keys)
            Assert.Equal(S + word, string.Concat(bpe.Split(word)));
    }

    // Recounts every pair of every word before each merge: slow and obviously right.
    private static List<(string, string)> ReferenceMerges(Dictionary<string, long> counts, int symbols)
    {
        var words = counts.OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => (Symbols: Graphemes(kv.Key), Count: kv.Value)).ToList();
        var names = words.SelectMany(w => w.Symbols).Distinct().Order(StringComparer.Ordinal).ToList();
        var id = names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i);
        var merges = new List<(string, string)>();
        while (names.Count < symbols)
        {
            var pairs = new Dictionary<(int, int), long>();
            foreach (var (s, c) in words)
                for (int i = 0; i + 1 < s.Count; i++)
                    pairs[(id[s[i]], id[s[i + 1]])] = pairs.GetValueOrDefault((id[s[i]], id[s[i + 1]])) + c;
            if (pairs.Count == 0) break;
            var best = pairs.OrderByDescending(p => p.Value).ThenBy(p => p.Key.Item1).ThenBy(p => p.Key.Item2).First();
            if (best.Value < 2) break;
            var (left, right) = (names[best.Key.Item1], names[best.Key.Item2]);
            merges.Add((left, right));
            if (!id.ContainsKey(left + right))
            {
                names.Add(left + right);
                id[left + right] = names.Count - 1;
            }
            foreach (var (s, _) in words)
                for (int i = 0; i + 1 < s.Count; i++)
                    if (s[i] == left && s[i + 1] == right)
                    {
                        s[i] = left + right;
                        s.RemoveAt(i + 1);
                    }
        }
        return merges;
    }

    private static List<string> Graphemes(string word)
    {
        var g = new GraphemeTokenizer().Tokenize(word);
        g[0] = S + g[0];
        return g;
    }

    [Fact]
    public void ATokenEncoderWithSubwordsReadsPiecesAndKeepsItsMergesInItsJson()
    {
        List<string>[] sentences = [["영화는", "재밌었다"], ["영화가", "재밌다"], ["영화는", "지루했다"], ["영화", "재밌었다"]];
        var tokens = TokenEncoder.Build(sentences, 1, null, withChars: true, subwords: 40);
        Assert.NotNull(tokens.Subwords);
        Assert.True(tokens.Words.Contains(S + "영화"));              // the shared stem became a piece of its own
        var encoded = tokens.Encode(["영화를", "재밌다"]);
        var pieces = tokens.Subwords!.Split(["영화를", "재밌다"]);
        Assert.Equal(pieces.Count, encoded.Length);                  // the sequence is the pieces, not the tokens
        Assert.True(encoded.Length > 2);
        Assert.Equal(tokens.Words.IdOrUnk(S + "영화"), encoded.WordIds[0]);
        Assert.Equal(pieces[0].Length, encoded.CharIds![0].Length);  // the character network reads each piece

        var reread = TokenEncoder.FromJson(tokens.ToJson());
        Assert.Equal(tokens.Subwords.Merges, reread.Subwords!.Merges);
        Assert.Equal(encoded.WordIds, reread.Encode(["영화를", "재밌다"]).WordIds);

        var whole = TokenEncoder.Build(sentences, 1, null, withChars: true);
        Assert.Null(whole.Subwords);
        Assert.DoesNotContain("subword_merges", whole.ToJson());
        Assert.Equal(2, whole.Encode(["영화를", "재밌다"]).Length);

        foreach (var bad in new Func<System.Text.Json.Nodes.JsonNode>[] { () => new System.Text.Json.Nodes.JsonArray("", "화"),
                     () => new System.Text.Json.Nodes.JsonArray(7, "화"), () => new System.Text.Json.Nodes.JsonArray("영", "화", "는") })
        {
            var json = System.Text.Json.Nodes.JsonNode.Parse(tokens.ToJson())!;
            json["subword_merges"]![0] = bad();
            var error = Assert.Throws<PerplexException>(() => TokenEncoder.FromJson(json.ToJsonString(), "m.st"));
            Assert.Contains("subword merge 1", error.Message);
        }
    }
}
