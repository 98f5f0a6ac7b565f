using System.Text;

namespace Perplex.NGram;

/// <summary>Writes a <see cref="BackoffModel"/> as an ARPA file laid out like lmplz's (n-grams in suffix order).</summary>
public static class ArpaWriter
{
    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> (UTF-8, LF line ends).</summary>
    public static void Write(BackoffModel model, string path, Diagnostics.IProgressSink? progress = null)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 20) { NewLine = "\n" };
        Write(model, writer, progress);
    }

    /// <summary>Writes <paramref name="model"/> to <paramref name="writer"/>.</summary>
    public static unsafe void Write(BackoffModel model, TextWriter writer, Diagnostics.IProgressSink? progress = null)
    {
        var levels = model.Levels;
        var vocab = model.Vocabulary;
        progress?.BeginStage("writing", levels.Sum(l => (long)l.Count), "n-grams");
        writer.Write("\\data\\\n");
        for (int n = 1; n <= levels.Length; n++) writer.Write($"ngram {n}={levels[n - 1].Count}\n");
        Span<int> words = stackalloc int[ModelState.MaxOrder];
        var line = new StringBuilder();
        for (int n = 1; n <= levels.Length; n++)
        {
            var level = levels[n - 1];
            writer.Write($"\n\\{n}-grams:\n");
            for (int i = 0; i < level.Count; i++)
            {
                NGramWords(levels, n, i, words);
                line.Clear();
                line.Append(ArpaNumber.Format(level.Prob[i])).Append('\t');
                for (int j = 0; j < n; j++)
                {
                    if (j > 0) line.Append(' ');
                    line.Append(vocab[words[j]]);
                }
                if (level.Backoff != null) line.Append('\t').Append(ArpaNumber.Format(level.Backoff[i]));
                line.Append('\n');
                writer.Write(line);
                if ((i & 0xFFFF) == 0xFFFF) progress?.Advance(0x10000);
            }
            progress?.Advance(level.Count & 0xFFFF);
        }
        writer.Write("\n\\end\\\n");
    }

    /// <summary>The word ids of n-gram <paramref name="index"/> of order <paramref name="n"/>, oldest first.</summary>
    internal static void NGramWords(NGramLevel[] levels, int n, int index, Span<int> words)
    {
        for (int k = n; k >= 2; k--)
        {
            var level = levels[k - 1];
            words[n - k] = level.Word(index);
            index = level.Parent(index);
        }
        words[n - 1] = index;
    }
}
