using Perplex.Tensors;
using Perplex.Training;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Perplex.Encoders;

/// <summary>
/// The optimizer of supervised training: dense parameters go to the ordinary <see cref="Optimizer{T}"/> (sgd, adam,
/// adamw), while embedding tables are updated lazily, row by row, only where the batch used them.
/// <para>Why: a 30,000 × 100 word table is 3 M floats, but a batch of 64 short reviews touches a few hundred rows.
/// Updating, zeroing and measuring the whole table every step cost more than the recurrent network itself.</para>
/// <para>Semantics, as PyTorch's <c>SparseAdam</c> (and TensorFlow's LazyAdam): a row that received a gradient this
/// step gets the full Adam update (m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², bias correction with the GLOBAL step
/// count); a row that received none is left alone entirely: its moments do not decay and it does not move. Dense Adam
/// would still move such a row by its decaying momentum; lazy Adam does not, which is the usual choice for embeddings.
/// With sgd the two are identical (a zero gradient moves nothing). AdamW's weight decay applies to used rows only.</para>
/// <para>Gradient clipping measures the same global norm as dense clipping: unused rows have zero gradient, so
/// leaving them out changes nothing.</para>
/// </summary>
internal sealed class RowSparseOptimizer
{
    private readonly Optimizer<float> _dense;
    private readonly List<Parameter<float>> _denseParameters = [];
    private readonly List<SparseTable> _sparse = [];
    private readonly string _kind;
    private long _steps;

    public RowSparseOptimizer(string kind, IReadOnlyList<Parameter<float>> parameters, IReadOnlyList<(Parameter<float> Table, TouchedRows Rows)> sparse,
        double learningRate)
    {
        _kind = kind.ToLowerInvariant();
        foreach (var p in parameters)
        {
            int s = sparse.ToList().FindIndex(e => ReferenceEquals(e.Table, p));
            if (s >= 0) _sparse.Add(new SparseTable(p, sparse[s].Rows, _kind != "sgd"));
            else _denseParameters.Add(p);
        }
        _dense = Optimizer<float>.Create(kind, _denseParameters, learningRate);
    }

    /// <summary>The learning rate of the next step.</summary>
    public double LearningRate
    {
        get => _dense.LearningRate;
        set => _dense.LearningRate = value;
    }

    /// <summary>Clears the dense gradients and the used rows of each table.</summary>
    public void ZeroGrad()
    {
        _dense.ZeroGrad();
        foreach (var table in _sparse)
        {
            int e = table.Width;
            var grad = table.Parameter.Grad.Data.AsSpan();
            foreach (int r in table.Rows.Rows) grad.Slice(r * e, e).Clear();
            table.Rows.Clear();
        }
    }

    /// <summary>
    /// Global L2 norm of all gradients; scales them all by maxNorm / (norm + 1e-6) when it exceeds <paramref name="maxNorm"/>
    /// (as clip_grad_norm_). Returns the norm before clipping; nothing is scaled when it is not finite.
    /// </summary>
    public double ClipGlobalNorm(double maxNorm)
    {
        double sum = 0;
        foreach (var p in _denseParameters) sum += SumOfSquares(p.Grad.Data);
        foreach (var table in _sparse)
            foreach (int r in table.Rows.Rows) sum += TP.SumOfSquares(table.Row(table.Parameter.Grad.Data, r));
        double norm = Math.Sqrt(sum);
        if (!double.IsFinite(norm) || maxNorm <= 0) return norm;
        float coefficient = (float)(maxNorm / (norm + 1e-6));
        if (coefficient >= 1) return norm;
        foreach (var p in _denseParameters) TP.Multiply(p.Grad.Data, coefficient, p.Grad.Data);
        foreach (var table in _sparse)
            foreach (int r in table.Rows.Rows)
            {
                var row = table.Row(table.Parameter.Grad.Data, r);
                TP.Multiply(row, coefficient, row);
            }
        return norm;
    }

    /// <summary>Applies one update: the dense optimizer's, then the lazy row updates.</summary>
    public void Step()
    {
        _dense.Step();
        _steps++;
        double lr = LearningRate;
        foreach (var table in _sparse)
            foreach (int r in table.Rows.Rows)
            {
                var p = table.Row(table.Parameter.Value.Data, r);
                var g = table.Row(table.Parameter.Grad.Data, r);
                if (_kind == "sgd") TP.MultiplyAdd(g, (float)-lr, p, p);
                else AdamRow(p, g, table.Row(table.ExpAvg!.Data, r), table.Row(table.ExpAvgSq!.Data, r), lr);
            }
    }

    /// <summary>Steps taken so far.</summary>
    public long StepCount => _steps;

    /// <summary>The state tensors, named <c>{exp_avg|exp_avg_sq}.{parameter}</c> as the dense optimizer names its own.</summary>
    public IEnumerable<(string Name, Tensor<float> Tensor)> StateTensors()
    {
        foreach (var s in _dense.StateTensors()) yield return s;
        foreach (var table in _sparse.Where(t => t.ExpAvg is not null))
        {
            yield return ($"exp_avg.{table.Parameter.Name}", table.ExpAvg!);
            yield return ($"exp_avg_sq.{table.Parameter.Name}", table.ExpAvgSq!);
        }
    }

    /// <summary>Sets the step count after the state tensors were filled from a checkpoint.</summary>
    public void RestoreStepCount(long steps)
    {
        _steps = steps;
        _dense.RestoreStepCount(steps);
    }

    /// <summary>One Adam (or AdamW) update of one row, with PyTorch's formula and defaults (β 0.9/0.999, ε 1e-8).</summary>
    private void AdamRow(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, double lr)
    {
        const double Beta1 = 0.9, Beta2 = 0.999, Eps = 1e-8, AdamWDecay = 0.01;
        if (_kind == "adamw") TP.Multiply(p, (float)(1 - lr * AdamWDecay), p);
        float b1 = (float)Beta1, b2 = (float)Beta2; // (1 − β) in float, as the dense optimizer computes it
        TP.Multiply(m, b1, m);
        TP.MultiplyAdd(g, 1 - b1, m, m);
        Span<float> work = stackalloc float[g.Length];
        TP.Multiply(g, g, work);
        TP.Multiply(v, b2, v);
        TP.MultiplyAdd(work, 1 - b2, v, v);
        TP.Sqrt(v, work);
        TP.Divide(work, (float)Math.Sqrt(1 - Math.Pow(Beta2, _steps)), work);
        TP.Add(work, (float)Eps, work);
        TP.Divide(m, work, work);
        TP.MultiplyAdd(work, (float)(-lr / (1 - Math.Pow(Beta1, _steps))), p, p);
    }

    /// <summary>Sum of squares in double over float blocks (as dense clipping does).</summary>
    private static double SumOfSquares(ReadOnlySpan<float> values)
    {
        const int Block = 4096;
        double sum = 0;
        for (int start = 0; start < values.Length; start += Block)
            sum += TP.SumOfSquares(values.Slice(start, Math.Min(Block, values.Length - start)));
        return sum;
    }

    private sealed class SparseTable(Parameter<float> parameter, TouchedRows rows, bool withMoments)
    {
        public Parameter<float> Parameter { get; } = parameter;
        public TouchedRows Rows { get; } = rows;
        public int Width { get; } = parameter.Value.Shape[1];
        public Tensor<float>? ExpAvg { get; } = withMoments ? new Tensor<float>(parameter.Value.Shape) : null;
        public Tensor<float>? ExpAvgSq { get; } = withMoments ? new Tensor<float>(parameter.Value.Shape) : null;

        public Span<float> Row(float[] data, int r) => data.AsSpan(r * Width, Width);
    }
}
