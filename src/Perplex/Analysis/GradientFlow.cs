using Perplex.Layers;
using Perplex.Models;
using Perplex.Tensors;

namespace Perplex.Analysis;

/// <summary>How fast ‖∂J(t)/∂h(j)‖ falls with the distance t − j, for one model.</summary>
/// <param name="Model">The model's name (e.g. RNN_SIGMOID).</param>
/// <param name="Norms">Norms[k − 1] = geometric mean over the streams of ‖∂J(t)/∂h(t − k)‖ for k = 1..steps.</param>
/// <param name="DecadesPerStep">Slope of log10 ‖∂J/∂h‖ against distance (least squares over all k); −1 means ×0.1 per step.</param>
public sealed record GradientFlowCurve(string Model, double[] Norms, double DecadesPerStep)
{
    /// <summary>The factor by which the norm shrinks (&lt; 1) or grows (&gt; 1) per step back in time.</summary>
    public double FactorPerStep => Math.Pow(10, DecadesPerStep);

    /// <summary>The first distance at which the norm is at most a thousandth of the norm at distance 1, or null.</summary>
    public int? DistanceToThousandth
    {
        get
        {
            for (int k = 0; k < Norms.Length; k++)
                if (Norms[k] <= Norms[0] * 1e-3) return k + 1;
            return null;
        }
    }
}

/// <summary>
/// Measures the vanishing (or exploding) gradient of a recurrent language model on real text: for the loss
/// J(t) = −log p(x(t+1) | x(≤t)) at the last position t of a window, the norm of ∂J(t)/∂h(j) for every earlier
/// hidden state h(j). By the chain rule ∂J(t)/∂h(j) = ∂J(t)/∂h(t) · Π_{i=j+1..t} ∂h(i)/∂h(i−1), a product of
/// t − j Jacobians; with a sigmoid (derivative ≤ ¼) it shrinks geometrically, which is why plain RNNs forget.
/// The gradient with respect to h(j) is obtained exactly by restarting the network from h(j) and reading the
/// gradient of its initial state, once per distance (O(steps²) small steps, cheap for a lab).
/// </summary>
public sealed class GradientFlow
{
    private readonly LanguageModelConfig _config;
    private readonly Embedding<double> _embedding;
    private readonly RecurrentStack<double> _rnn;
    private readonly Linear<double> _decoder;

    /// <summary>
    /// Copies the weights of <paramref name="model"/> (by their state_dict names) into a float64 network of the
    /// same architecture, so the measured gradients are not blurred by float32 rounding at 1e-30.
    /// </summary>
    public GradientFlow(RecurrentLanguageModel<float> model)
    {
        _config = model.Config;
        _embedding = new Embedding<double>(_config.VocabSize, _config.EmbeddingSize, "embedding.");
        _rnn = new RecurrentStack<double>(_config.Cell, _config.EmbeddingSize, _config.HiddenSize, _config.Layers, prefix: "rnn.");
        _decoder = new Linear<double>(_config.HiddenSize, _config.VocabSize, "decoder.", _config.Tied ? _embedding.Weight : null);
        var source = model.Parameters.ToDictionary(p => p.Name);
        foreach (var target in _rnn.Parameters.Append(_embedding.Weight).Append(_decoder.Bias).Concat(_config.Tied ? [] : [_decoder.Weight]))
        {
            var from = source[target.Name].Value.Data;
            for (int i = 0; i < from.Length; i++) target.Value.Data[i] = from[i];
        }
    }

    /// <summary>
    /// Measures ‖∂J(t)/∂h(t − k)‖ for k = 1..<paramref name="steps"/> on <paramref name="streams"/> windows of
    /// <paramref name="tokens"/> (each window is steps + 2 tokens, taken at evenly spaced offsets). For stacked
    /// models the gradient of the top layer's state is measured.
    /// </summary>
    public GradientFlowCurve Measure(string name, ReadOnlySpan<int> tokens, int steps, int streams)
    {
        Prepare(tokens, steps, streams);
        var norms = new double[steps];
        for (int k = 1; k <= steps; k++)
            norms[k - 1] = TopLayerGeometricMeanNorm(GradientOfState(steps - k));
        return new GradientFlowCurve(name, norms, Slope(norms));
    }

    // The windows and the states h(j) after reading x(0..j), kept by Prepare for the per-distance passes.
    private int[] _x = [];
    private int _streams, _steps;
    private double[][] _hs = [], _cs = [];

    /// <summary>Cuts <paramref name="streams"/> windows of steps + 2 tokens out of the text and runs the network over them once.</summary>
    internal void Prepare(ReadOnlySpan<int> tokens, int steps, int streams)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(streams, 1);
        int window = steps + 2;
        if (tokens.Length < window) throw new PerplexException($"the text has {tokens.Length} tokens, fewer than the {window} a window of --steps {steps} needs");
        int stride = Math.Max(1, (tokens.Length - window) / streams);
        streams = Math.Min(streams, (tokens.Length - window) / stride + 1);
        _streams = streams;
        _steps = steps;
        // x[s][b]: window b's tokens, time-major as the layers expect
        _x = new int[window * streams];
        for (int b = 0; b < streams; b++)
            for (int s = 0; s < window; s++) _x[s * streams + b] = tokens[b * stride + s];

        int stateSize = _rnn.StateCount * streams * _config.HiddenSize;
        int cellSize = _config.Cell.HasCellState() ? stateSize : 0;
        _hs = new double[steps + 1][];
        _cs = new double[steps + 1][];
        var hPrev = new double[stateSize];
        var cPrev = new double[cellSize];
        var emb = new double[streams * _config.EmbeddingSize];
        var outStep = new double[streams * _config.HiddenSize];
        for (int j = 0; j <= steps; j++)
        {
            _embedding.Forward(_x.AsSpan(j * streams, streams), emb);
            _hs[j] = new double[stateSize];
            _cs[j] = new double[cellSize];
            _rnn.Forward(emb, 1, streams, hPrev, cPrev, outStep, _hs[j], _cs[j]);
            hPrev = _hs[j];
            cPrev = _cs[j];
        }
    }

    /// <summary>
    /// J = Σ over streams of −log p(x(t+1)) at t = steps, computed by restarting from the state <paramref name="h"/>
    /// (<paramref name="c"/>) in place of h(j) and reading x(j+1..t). When <paramref name="dh"/> is not empty, also
    /// writes ∂J/∂h(j) there (all L·D state blocks).
    /// </summary>
    internal double LossFromState(int j, double[] h, double[] c, Span<double> dh = default)
    {
        int k = _steps - j, streams = _streams, hidden = _config.HiddenSize, v = _config.VocabSize;
        var inputs = new double[k * streams * _config.EmbeddingSize];
        _embedding.Forward(_x.AsSpan((j + 1) * streams, k * streams), inputs);
        var output = new double[k * streams * hidden];
        _rnn.Forward(inputs, k, streams, h, c, output, default, default);
        var last = output.AsSpan((k - 1) * streams * hidden, streams * hidden);
        var logits = new double[streams * v];
        _decoder.Forward(last, streams, logits);
        var targets = _x.AsSpan((_steps + 1) * streams, streams);
        var loss = new SoftmaxCrossEntropy<double>();
        double total = -loss.SumLogProbability(logits, targets, v);
        if (dh.IsEmpty) return total;
        // the fused loss gives the gradient of the MEAN over streams; scale to the sum so each stream keeps its own
        loss.Backward(logits, targets, v, logits);
        for (int i = 0; i < logits.Length; i++) logits[i] *= streams;
        var dOutput = new double[output.Length];
        _decoder.Backward(last, logits, streams, dOutput.AsSpan((k - 1) * streams * hidden, streams * hidden));
        _rnn.Backward(inputs, dOutput, default, default, default, dh, c.Length > 0 ? new double[c.Length] : default);
        return total;
    }

    /// <summary>∂J(t)/∂h(j) for every state block and stream, [L·D][B][H].</summary>
    internal double[] GradientOfState(int j)
    {
        var dh = new double[_hs[j].Length];
        LossFromState(j, _hs[j], _cs[j], dh);
        return dh;
    }

    /// <summary>The state h(j) (and c(j)) kept by <see cref="Prepare"/>.</summary>
    internal (double[] H, double[] C) State(int j) => (_hs[j], _cs[j]);

    private double TopLayerGeometricMeanNorm(double[] dh0)
    {
        // a language model is unidirectional, so the top layer's state is the last of the L blocks
        int block = _rnn.StateCount - 1, streams = _streams, h = _config.HiddenSize;
        double sumLog = 0;
        for (int b = 0; b < streams; b++)
        {
            var g = dh0.AsSpan((block * streams + b) * h, h);
            double sq = 0;
            foreach (var v in g) sq += v * v;
            sumLog += Math.Log(Math.Max(Math.Sqrt(sq), 1e-300));
        }
        return Math.Exp(sumLog / streams);
    }

    /// <summary>Least-squares slope of log10(norm) against the distance 1..n (norms at the 1e-300 floor excluded).</summary>
    internal static double Slope(double[] norms)
    {
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        int n = 0;
        for (int k = 0; k < norms.Length; k++)
        {
            if (norms[k] <= 1e-299) continue;
            double xk = k + 1, yk = Math.Log10(norms[k]);
            sx += xk; sy += yk; sxx += xk * xk; sxy += xk * yk;
            n++;
        }
        if (n < 2) return 0;
        return (n * sxy - sx * sy) / (n * sxx - sx * sx);
    }
}
