namespace Perplex.NGram;

/// <summary>Splits a line into words on the whitespace KenLM treats as a separator (space, tab, CR, LF, VT, FF, NUL).</summary>
internal static class WordSplitter
{
    public static bool IsSeparator(char c) => c is ' ' or '\t' or '\r' or '\n' or '\v' or '\f' or '\0';

    /// <summary>Enumerates the words of <paramref name="line"/> without allocating.</summary>
    public static WordEnumerator Split(ReadOnlySpan<char> line) => new(line);

    /// <summary>The words of <paramref name="line"/> as strings.</summary>
    public static List<string> Words(string line)
    {
        var words = new List<string>();
        foreach (var w in Split(line)) words.Add(w.ToString());
        return words;
    }

    /// <summary>Allocation-free enumerator of the words of one line.</summary>
    public ref struct WordEnumerator
    {
        private readonly ReadOnlySpan<char> _line;
        private int _next;

        public WordEnumerator(ReadOnlySpan<char> line) { _line = line; _next = 0; Current = default; }

        public ReadOnlySpan<char> Current { get; private set; }

        public readonly WordEnumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            int i = _next;
            while (i < _line.Length && IsSeparator(_line[i])) i++;
            int begin = i;
            while (i < _line.Length && !IsSeparator(_line[i])) i++;
            _next = i;
            if (i == begin) return false;
            Current = _line[begin..i];
            return true;
        }
    }
}
