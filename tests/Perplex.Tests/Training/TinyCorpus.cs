using Perplex.Models;
using Perplex.Text;

namespace Perplex.Tests.Training;

/// <summary>A small, fully predictable corpus and model for training tests that run in well under a second.</summary>
internal static class TinyCorpus
{
    public static readonly string[] Lines =
    [
        "the cat sat on the mat",
        "the dog ate the bone",
        "a bird sang in the tree",
    ];

    public static Vocabulary Vocabulary() =>
        Perplex.Text.Vocabulary.Build(Lines.Select(l => (IReadOnlyList<string>)[.. l.Split(' '), Perplex.Text.Vocabulary.EosToken]));

    /// <summary>The lines repeated <paramref name="repeats"/> times, each followed by &lt;/s&gt;, as ids.</summary>
    public static int[] Tokens(Vocabulary vocabulary, int repeats)
    {
        var ids = new List<int>();
        for (int r = 0; r < repeats; r++)
            foreach (var line in Lines)
            {
                vocabulary.Encode(line.Split(' '), UnknownWordPolicy.Fail, ids);
                ids.Add(Perplex.Text.Vocabulary.EosId);
            }
        return ids.ToArray();
    }

    public static LanguageModelConfig Config(Vocabulary vocabulary, ModelKind kind = ModelKind.Lstm, double dropout = 0, bool tied = false) =>
        new(kind, vocabulary.Count, 8, 8, 2, dropout, tied, kind == ModelKind.Window ? 3 : 0);
}
