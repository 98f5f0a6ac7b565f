namespace Perplex.NGram;

/// <summary>The fields of one n-gram line of an ARPA file, given as UTF-8 bytes.</summary>
internal static class ArpaLine
{
    /// <summary>
    /// Splits a line into probability, words and optional backoff: <paramref name="fields"/> receives their ranges and
    /// the result is their number, or -1 when the line does not hold exactly <paramref name="order"/> words and one or
    /// two numbers. With tabs (as KenLM and SRILM write) the words are the second tab field; otherwise every space separates fields.
    /// </summary>
    public static int Split(ReadOnlySpan<byte> text, int order, Span<Range> fields)
    {
        int count = 0;
        int tab1 = text.IndexOf((byte)'\t');
        if (tab1 >= 0)
        {
            int tab2 = text[(tab1 + 1)..].IndexOf((byte)'\t');
            int wordsEnd = tab2 < 0 ? text.Length : tab1 + 1 + tab2;
            fields[count++] = new Range(0, tab1);
            int words = 0;
            for (int i = tab1 + 1; i < wordsEnd; i++)
            {
                if (text[i] == ' ') continue;
                int start = i;
                while (i < wordsEnd && text[i] != ' ') i++;
                if (++words <= order) fields[count++] = new Range(start, i);
            }
            if (words != order) return -1;
            if (tab2 >= 0) fields[count++] = new Range(wordsEnd + 1, text.Length);
        }
        else
        {
            foreach (var range in text.SplitAny((byte)' ', (byte)'\t'))
            {
                if (text[range].IsEmpty) continue;
                if (count == order + 2) return -1;
                fields[count++] = range;
            }
        }
        return count < order + 1 || count > order + 2 ? -1 : count;
    }

    /// <summary>The message for a line <see cref="Split"/> refused.</summary>
    public static string ShapeProblem(int order) =>
        $"expected a {order}-gram (log10 probability, {order} word{(order == 1 ? "" : "s")}, optional backoff) but the line does not have that shape";
}
