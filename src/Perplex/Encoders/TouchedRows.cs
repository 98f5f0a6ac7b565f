namespace Perplex.Encoders;

/// <summary>
/// The rows of an embedding table that received a gradient since the last clear: the optimizer updates, zeroes and
/// measures only these rows, so a step costs O(rows used in the batch) instead of O(vocabulary).
/// </summary>
internal sealed class TouchedRows
{
    private readonly bool[] _marked;
    private readonly List<int> _rows = [];

    public TouchedRows(int rowCount) => _marked = new bool[rowCount];

    /// <summary>The marked rows, in the order they were first marked.</summary>
    public IReadOnlyList<int> Rows => _rows;

    public void Mark(ReadOnlySpan<int> ids)
    {
        foreach (int id in ids) Mark(id);
    }

    public void Mark(int id)
    {
        if (_marked[id]) return;
        _marked[id] = true;
        _rows.Add(id);
    }

    /// <summary>Whether any row in [<paramref name="first"/>, <paramref name="last"/>] is marked.</summary>
    public bool AnyMarked(int first, int last)
    {
        for (int r = first; r <= last; r++)
            if (_marked[r]) return true;
        return false;
    }

    public void Clear()
    {
        foreach (int r in _rows) _marked[r] = false;
        _rows.Clear();
    }
}
