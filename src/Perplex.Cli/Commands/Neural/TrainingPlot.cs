using Perplex.Training;
using ScottPlot;

namespace Perplex.Cli.Commands.Neural;

/// <summary>Draws the training curves: training perplexity per log interval and train/valid/test perplexity per epoch.</summary>
internal static class TrainingPlot
{
    public static void Write(TrainingHistory history, string path)
    {
        var plot = new Plot();
        var intervals = history.Records.Where(r => r.Kind == "interval").ToList();
        var epochs = history.Epochs.ToList();
        if (intervals.Count > 0)
        {
            var running = plot.Add.Scatter(intervals.Select(r => r.Progress).ToArray(), intervals.Select(r => Math.Exp(r.TrainLoss)).ToArray());
            running.LegendText = "train (running)";
            running.MarkerSize = 0;
            running.LineWidth = 1;
        }
        void Series(string name, Func<TrainingRecord, double?> loss)
        {
            var points = epochs.Where(r => loss(r) is not null).ToList();
            if (points.Count == 0) return;
            var s = plot.Add.Scatter(points.Select(r => (double)r.Epoch).ToArray(), points.Select(r => Math.Exp(loss(r)!.Value)).ToArray());
            s.LegendText = name;
            s.MarkerSize = 7;
            s.LineWidth = 2;
        }
        Series("train", r => r.TrainLoss);
        Series("valid", r => r.ValidLoss);
        Series("test", r => r.TestLoss);
        plot.Title("Perplexity during training");
        plot.XLabel("epoch");
        plot.YLabel("perplexity");
        plot.ShowLegend(Alignment.UpperRight);
        var temp = path + ".tmp.png";
        plot.SavePng(temp, 900, 560);
        File.Move(temp, path, overwrite: true);
    }
}
