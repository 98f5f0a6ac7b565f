using Perplex.Text;

namespace Perplex.Tagging;

/// <summary>
/// The baseline every tagger must beat: each known word gets the tag it had most often in training (ties to the
/// tag seen first), and an unknown word gets a fixed fallback tag (NOUN, the most common open class).
/// </summary>
public sealed class MajorityTagBaseline
{
    private readonly Dictionary<string, string> _best = new(StringComparer.Ordinal);

    /// <summary>Tag for words never seen in training.</summary>
    public string UnknownTag { get; }

    /// <summary>Counts (word, tag) pairs in <paramref name="training"/>.</summary>
    public MajorityTagBaseline(IEnumerable<TaggedSentence> training, string unknownTag = "NOUN")
    {
        UnknownTag = unknownTag;
        var counts = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        foreach (var s in training)
        {
            for (int i = 0; i < s.Tokens.Count; i++)
            {
                if (!counts.TryGetValue(s.Tokens[i], out var tags)) counts[s.Tokens[i]] = tags = new(StringComparer.Ordinal);
                tags[s.Tags[i]] = tags.GetValueOrDefault(s.Tags[i]) + 1;
            }
        }
        foreach (var (word, tags) in counts)
        {
            // Dictionary enumeration keeps insertion order when nothing was removed, so ties go to the first-seen tag.
            string best = "";
            int bestCount = -1;
            foreach (var (tag, count) in tags)
                if (count > bestCount) (best, bestCount) = (tag, count);
            _best[word] = best;
        }
    }

    /// <summary>The predicted tag of <paramref name="word"/>.</summary>
    public string Tag(string word) => _best.TryGetValue(word, out var tag) ? tag : UnknownTag;

    /// <summary>True when <paramref name="word"/> was seen in training.</summary>
    public bool Knows(string word) => _best.ContainsKey(word);
}
