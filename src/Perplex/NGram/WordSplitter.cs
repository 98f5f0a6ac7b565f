using System.Numerics;

namespace Perplex.NGram;

/// <summary>Splits a line into words on the whitespace KenLM treats as a separator (space, tab, CR, LF, VT, FF, NUL).</summary>
internal static class WordSplitter
{
    public static bool IsSeparator(char c) => c is ' ' or '\t' or '\r' or '\n' or '\v' or '\f' or '\0';

    /// <summary>Enumerates the words of <paramref name="line"/> without allocating.</summary>
    public static WordEnumerator<char> Split(ReadOnlySpan<char> line) => new(line);

    /// <summary>Enumerates the words of a UTF-8 line (every separator is ASCII, so it never splits a multi-byte character).</summary>
    public static WordEnumerator<byte> SplitUtf8(ReadOnlySpan<byte> line) => new(line);

    /// <summary>The words of <paramref name="line"/> as strings.</summary>
    public static List<string> Words(string line)
    {
        var words = new List<string>();
        foreach (var w in Split(line)) words.Add(w.ToString());
        return words;
    }

    /// <summary>Allocation-free enumerator of the words of one line, as UTF-16 characters or UTF-8 bytes.</summary>
    public ref struct WordEnumerator<T> where T : unmanaged, IBinaryInteger<T>
    {
        private readonly ReadOnlySpan<T> _line;
        private int _next;

        public WordEnumerator(ReadOnlySpan<T> line) { _line = line; _next = 0; Current = default; }

        public ReadOnlySpan<T> Current { get; private set; }

        /// <summary>Where <see cref="Current"/> starts in the line.</summary>
        public int CurrentStart { get; private set; }

        public readonly WordEnumerator<T> GetEnumerator() => this;

        private static bool Separates(T c) => IsSeparator((char)ushort.CreateTruncating(c));

        public bool MoveNext()
        {
            int i = _next;
            while (i < _line.Length && Separates(_line[i])) i++;
            int begin = i;
            while (i < _line.Length && !Separates(_line[i])) i++;
            _next = i;
            if (i == begin) return false;
            Current = _line[begin..i];
            CurrentStart = begin;
            return true;
        }
    }
}
