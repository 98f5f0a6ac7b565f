namespace Perplex.Evaluation;

/// <summary>A labelled span of tokens [Start, End) such as a named entity.</summary>
/// <param name="Type">The entity type (PER, LOC, …).</param>
/// <param name="Start">Index of the first token.</param>
/// <param name="End">Index one past the last token.</param>
public readonly record struct Span(string Type, int Start, int End);

/// <summary>
/// Entity-level precision, recall and F1 for BIO-tagged sequences, with conlleval's reading of the tags: an
/// entity starts at B-X, or at I-X that does not continue an X entity (so ill-formed sequences still count),
/// and an entity is correct only if both its boundaries and its type match exactly.
/// </summary>
public sealed class EntityScorer
{
    /// <summary>Entities in the gold sequences.</summary>
    public long Gold { get; private set; }

    /// <summary>Entities in the predicted sequences.</summary>
    public long Predicted { get; private set; }

    /// <summary>Predicted entities that exactly match a gold entity.</summary>
    public long Correct { get; private set; }

    /// <summary>Entity precision.</summary>
    public double Precision => ClassificationReport.PrecisionRecallF1(Correct, Predicted, Gold).Precision;

    /// <summary>Entity recall.</summary>
    public double Recall => ClassificationReport.PrecisionRecallF1(Correct, Predicted, Gold).Recall;

    /// <summary>Entity F1.</summary>
    public double F1 => ClassificationReport.PrecisionRecallF1(Correct, Predicted, Gold).F1;

    /// <summary>Adds one sentence's gold and predicted tags (same length).</summary>
    public void Add(IReadOnlyList<string> gold, IReadOnlyList<string> predicted)
    {
        if (gold.Count != predicted.Count) throw new ArgumentException("gold and predicted tag sequences differ in length");
        var g = Spans(gold);
        var p = Spans(predicted);
        Gold += g.Count;
        Predicted += p.Count;
        Correct += p.Count(g.Contains);
    }

    /// <summary>The entity spans of a BIO (IOB2, also accepting IOB1-style I- starts) tag sequence; O and other tags end entities.</summary>
    public static HashSet<Span> Spans(IReadOnlyList<string> tags)
    {
        var spans = new HashSet<Span>();
        string? type = null;
        int start = 0;
        for (int i = 0; i <= tags.Count; i++)
        {
            string tag = i < tags.Count ? tags[i] : "O";
            string prefix = tag.Length >= 2 && tag[1] == '-' ? tag[..1] : "";
            string? tagType = prefix is "B" or "I" or "E" or "S" ? tag[2..] : null;
            bool continues = type is not null && tagType == type && prefix is "I" or "E";
            if (!continues)
            {
                if (type is not null) spans.Add(new Span(type, start, i));
                type = tagType;
                start = i;
            }
            if (prefix is "E" or "S" && type is not null)
            {
                spans.Add(new Span(type, start, i + 1));
                type = null;
            }
        }
        return spans;
    }

    /// <summary>True when every tag is O or has a B-/I-/E-/S- prefix, i.e. the tags look like an entity scheme.</summary>
    public static bool LooksLikeBio(IEnumerable<string> tags) =>
        tags.All(t => t == "O" || (t.Length > 2 && t[1] == '-' && t[0] is 'B' or 'I' or 'E' or 'S'));
}
