using Perplex.Text;

namespace Perplex.Tagging;

/// <summary>Opens tagged data by file type: CoNLL-U (a chosen tag column) or two-column BIO files.</summary>
public static class TaggedCorpus
{
    /// <summary>Reads <paramref name="path"/>: <c>.conllu</c> files use <paramref name="column"/> (upos or xpos); anything else is read as "token TAG" lines.</summary>
    public static IEnumerable<TaggedSentence> Read(string path, string column = "upos") =>
        path.EndsWith(".conllu", StringComparison.OrdinalIgnoreCase) ? BioReader.FromConllu(path, column) : BioReader.Read(path);
}
