using Perplex.Analysis;
using ScottPlot;

namespace Perplex.Cli.Commands.Analysis;

/// <summary>The two pictures of the vanishing-gradient lab.</summary>
internal static class GradientFlowPlots
{
    /// <summary>‖∂J(t)/∂h(t−k)‖ against k on a log scale, one line per model (solid: fresh, dashed: trained).</summary>
    public static void WriteNorms(string path, IReadOnlyList<GradientFlowCurve> fresh, IReadOnlyList<GradientFlowCurve> trained)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (int m = 0; m < fresh.Count; m++)
        {
            var color = palette.GetColor(m);
            Add(plot, fresh[m], $"{fresh[m].Model} (initial)", color, LinePattern.Solid);
            if (m < trained.Count) Add(plot, trained[m], $"{trained[m].Model} (trained)", color, LinePattern.Dashed);
        }
        // values are plotted as log10, so label the ticks as powers of ten
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            LabelFormatter = y => $"1e{y:0}",
            IntegerTicksOnly = true,
        };
        plot.Title("Vanishing gradients: ‖∂J(t)/∂h(t−k)‖ against the distance k");
        plot.XLabel("distance k = t − j (time steps back)");
        plot.YLabel("gradient norm (log scale)");
        plot.ShowLegend(Alignment.LowerLeft);
        Save(plot, path);
    }

    /// <summary>Training loss per update, one line per model (the seed's sigmoid-versus-ReLU experiment).</summary>
    public static void WriteLosses(string path, IReadOnlyList<(string Model, List<LossPoint> Curve)> curves)
    {
        var plot = new Plot();
        foreach (var (model, curve) in curves)
        {
            if (curve.Count == 0) continue;
            var s = plot.Add.Scatter(curve.Select(p => (double)p.Step).ToArray(), Smooth(curve.Select(p => p.Loss).ToArray(), 10));
            s.LegendText = model;
            s.MarkerSize = 0;
            s.LineWidth = 2;
        }
        plot.Title("Training loss, same data and settings, different recurrent units");
        plot.XLabel("update");
        plot.YLabel("cross-entropy (nats/token, 10-update moving average)");
        plot.ShowLegend(Alignment.UpperRight);
        Save(plot, path);
    }

    private static void Add(Plot plot, GradientFlowCurve curve, string label, Color color, LinePattern pattern)
    {
        var xs = Enumerable.Range(1, curve.Norms.Length).Select(k => (double)k).ToArray();
        var ys = curve.Norms.Select(n => Math.Log10(Math.Max(n, 1e-300))).ToArray();
        var s = plot.Add.Scatter(xs, ys);
        s.LegendText = label;
        s.Color = color;
        s.LinePattern = pattern;
        s.MarkerSize = 0;
        s.LineWidth = 2;
    }

    private static double[] Smooth(double[] values, int window)
    {
        var result = new double[values.Length];
        double sum = 0;
        for (int i = 0; i < values.Length; i++)
        {
            sum += values[i];
            if (i >= window) sum -= values[i - window];
            result[i] = sum / Math.Min(i + 1, window);
        }
        return result;
    }

    private static void Save(Plot plot, string path)
    {
        var temp = path + ".tmp.png";
        plot.SavePng(temp, 1000, 620);
        File.Move(temp, path, overwrite: true);
    }
}
