using System.Globalization;
using System.Text;

namespace Perplex.Evaluation;

/// <summary>Precision, recall and F1 of one class.</summary>
/// <param name="Label">The class label.</param>
/// <param name="Precision">TP / (TP + FP), 0 when nothing was predicted as this class.</param>
/// <param name="Recall">TP / (TP + FN), 0 when the class never occurs.</param>
/// <param name="F1">Harmonic mean of precision and recall.</param>
/// <param name="Support">How many gold items have this label.</param>
public readonly record struct ClassScores(string Label, double Precision, double Recall, double F1, long Support);

/// <summary>
/// Accumulates (gold, predicted) label pairs and reports accuracy, per-class precision/recall/F1 and the confusion
/// matrix, as scikit-learn's classification_report does.
/// </summary>
public sealed class ClassificationReport
{
    private readonly List<string> _labels;
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
    private long[,] _confusion;

    /// <summary>Starts a report over the given labels (more are added as they are seen).</summary>
    public ClassificationReport(IEnumerable<string>? labels = null)
    {
        _labels = [];
        _confusion = new long[0, 0];
        foreach (var l in labels ?? []) Index(l);
    }

    /// <summary>The labels, in the order they were first given or seen.</summary>
    public IReadOnlyList<string> Labels => _labels;

    /// <summary>Number of items added.</summary>
    public long Total { get; private set; }

    /// <summary>Number of items whose prediction equals the gold label.</summary>
    public long Correct { get; private set; }

    /// <summary>Correct / Total (0 when empty).</summary>
    public double Accuracy => Total == 0 ? 0 : (double)Correct / Total;

    /// <summary>Records one item.</summary>
    public void Add(string gold, string predicted)
    {
        int g = Index(gold), p = Index(predicted);
        _confusion[g, p]++;
        Total++;
        if (g == p) Correct++;
    }

    /// <summary>How many items with gold label <paramref name="gold"/> were predicted as <paramref name="predicted"/>.</summary>
    public long Count(string gold, string predicted) =>
        _index.TryGetValue(gold, out int g) && _index.TryGetValue(predicted, out int p) ? _confusion[g, p] : 0;

    /// <summary>Scores for every label.</summary>
    public IReadOnlyList<ClassScores> PerClass()
    {
        var result = new List<ClassScores>(_labels.Count);
        for (int c = 0; c < _labels.Count; c++)
        {
            long tp = _confusion[c, c], predicted = 0, support = 0;
            for (int k = 0; k < _labels.Count; k++)
            {
                predicted += _confusion[k, c];
                support += _confusion[c, k];
            }
            var (p, r, f) = PrecisionRecallF1(tp, predicted, support);
            result.Add(new ClassScores(_labels[c], p, r, f, support));
        }
        return result;
    }

    /// <summary>Unweighted mean of the per-class F1 scores.</summary>
    public double MacroF1 => PerClass() is { Count: > 0 } scores ? scores.Average(s => s.F1) : 0;

    /// <summary>Precision, recall and F1 from true positives, predicted positives and gold positives.</summary>
    public static (double Precision, double Recall, double F1) PrecisionRecallF1(long truePositives, long predicted, long gold)
    {
        double p = predicted == 0 ? 0 : (double)truePositives / predicted;
        double r = gold == 0 ? 0 : (double)truePositives / gold;
        double f = p + r == 0 ? 0 : 2 * p * r / (p + r);
        return (p, r, f);
    }

    /// <summary>A plain-text report: accuracy, a per-class table and the confusion matrix (rows gold, columns predicted).</summary>
    public string Format()
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(inv, $"accuracy: {Accuracy * 100:F2}% ({Correct}/{Total})\n");
        int width = Math.Max(10, _labels.Count == 0 ? 0 : _labels.Max(l => l.Length) + 2);
        sb.Append("label".PadRight(width)).Append("precision  recall     f1         support\n");
        foreach (var s in PerClass())
            sb.Append(s.Label.PadRight(width)).Append(inv, $"{s.Precision,-10:F4} {s.Recall,-10:F4} {s.F1,-10:F4} {s.Support}\n");
        sb.Append(inv, $"{"macro F1".PadRight(width)} {MacroF1:F4}\n");
        sb.Append("confusion (rows gold, columns predicted):\n").Append(new string(' ', width));
        foreach (var l in _labels) sb.Append(l.PadLeft(width));
        sb.Append('\n');
        for (int g = 0; g < _labels.Count; g++)
        {
            sb.Append(_labels[g].PadRight(width));
            for (int p = 0; p < _labels.Count; p++) sb.Append(_confusion[g, p].ToString(inv).PadLeft(width));
            sb.Append('\n');
        }
        return sb.ToString();
    }

    private int Index(string label)
    {
        if (_index.TryGetValue(label, out int i)) return i;
        i = _labels.Count;
        _labels.Add(label);
        _index[label] = i;
        var grown = new long[i + 1, i + 1];
        for (int a = 0; a < i; a++)
            for (int b = 0; b < i; b++) grown[a, b] = _confusion[a, b];
        _confusion = grown;
        return i;
    }
}
