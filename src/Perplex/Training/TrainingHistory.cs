using System.Globalization;
using System.Text;

namespace Perplex.Training;

/// <summary>One row of the training log.</summary>
/// <param name="Kind"><c>interval</c> (running training loss) or <c>epoch</c> (end of an epoch, with validation and test).</param>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Step">Optimizer steps taken so far.</param>
/// <param name="Progress">Epochs completed as a fraction (e.g. 2.5 in the middle of the third epoch).</param>
/// <param name="LearningRate">The learning rate in effect.</param>
/// <param name="TrainLoss">Mean training cross-entropy (nats/token) since the previous row of the same kind.</param>
/// <param name="ValidLoss">Validation cross-entropy (epoch rows).</param>
/// <param name="TestLoss">Test cross-entropy (epoch rows, when a test text is given).</param>
/// <param name="Seconds">Training seconds since the previous row of the same kind (evaluation excluded).</param>
/// <param name="TokensPerSecond">Training throughput over that time.</param>
public sealed record TrainingRecord(string Kind, int Epoch, long Step, double Progress, double LearningRate,
    double TrainLoss, double? ValidLoss, double? TestLoss, double Seconds, double TokensPerSecond);

/// <summary>The log of a run, kept in checkpoints so a resumed run writes the complete CSV and plot.</summary>
public sealed class TrainingHistory
{
    /// <summary>Every row so far, in order.</summary>
    public List<TrainingRecord> Records { get; init; } = [];

    /// <summary>The end-of-epoch rows.</summary>
    public IEnumerable<TrainingRecord> Epochs => Records.Where(r => r.Kind == "epoch");

    /// <summary>The log as CSV with perplexities next to the losses.</summary>
    public string ToCsv()
    {
        var sb = new StringBuilder("kind,epoch,step,progress,lr,train_loss,train_ppl,valid_loss,valid_ppl,test_loss,test_ppl,seconds,tokens_per_second\n");
        foreach (var r in Records)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{r.Kind},{r.Epoch},{r.Step},{r.Progress:0.####},{r.LearningRate:R},");
            sb.Append(CultureInfo.InvariantCulture, $"{r.TrainLoss:0.######},{Math.Exp(r.TrainLoss):0.###},");
            sb.Append(Optional(r.ValidLoss)).Append(',').Append(Optional(r.TestLoss)).Append(',');
            sb.Append(CultureInfo.InvariantCulture, $"{r.Seconds:0.###},{r.TokensPerSecond:0}\n");
        }
        return sb.ToString();
    }

    private static string Optional(double? loss) =>
        loss is { } l ? string.Create(CultureInfo.InvariantCulture, $"{l:0.######},{Math.Exp(l):0.###}") : ",";

    /// <summary>Writes <see cref="ToCsv"/> to <paramref name="path"/> (replacing it).</summary>
    public void WriteCsv(string path)
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, ToCsv(), new UTF8Encoding(false));
        File.Move(temp, path, overwrite: true);
    }
}
