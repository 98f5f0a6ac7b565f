using System.Numerics;
using Perplex.Tensors;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Perplex.Training;

/// <summary>
/// Adam and AdamW with PyTorch's formulas (bias-corrected, eps added after the square root):
/// m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², p ← p − (lr / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + ε).
/// Adam adds the weight decay to the gradient (g ← g + λp); AdamW decays the weight directly (p ← p(1 − lr·λ)).
/// </summary>
public sealed class Adam<T> : Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Tensor<T>[] _expAvg;
    private readonly Tensor<T>[] _expAvgSq;

    /// <summary>Creates the optimizer; <paramref name="decoupled"/> selects AdamW.</summary>
    public Adam(IReadOnlyList<Parameter<T>> parameters, double learningRate, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8, double weightDecay = 0, bool decoupled = false)
        : base(parameters, learningRate)
    {
        Beta1 = beta1;
        Beta2 = beta2;
        Eps = eps;
        WeightDecay = weightDecay;
        Decoupled = decoupled;
        _expAvg = parameters.Select(p => new Tensor<T>(p.Value.Shape)).ToArray();
        _expAvgSq = parameters.Select(p => new Tensor<T>(p.Value.Shape)).ToArray();
    }

    /// <summary>Decay of the first moment.</summary>
    public double Beta1 { get; }

    /// <summary>Decay of the second moment.</summary>
    public double Beta2 { get; }

    /// <summary>Added to the denominator for stability.</summary>
    public double Eps { get; }

    /// <summary>Weight decay λ.</summary>
    public double WeightDecay { get; }

    /// <summary>True for AdamW (decoupled weight decay).</summary>
    public bool Decoupled { get; }

    /// <inheritdoc />
    public override string Kind => Decoupled ? "adamw" : "adam";

    /// <inheritdoc />
    protected override void Update(int index, Span<T> value, ReadOnlySpan<T> grad) => UpdateRange(index, 0, value, grad);

    /// <inheritdoc />
    protected override bool UpdatesByRange => true;

    /// <inheritdoc />
    protected override void UpdateRange(int index, int offset, Span<T> value, ReadOnlySpan<T> grad)
    {
        var m = _expAvg[index].Data.AsSpan(offset, value.Length);
        var v = _expAvgSq[index].Data.AsSpan(offset, value.Length);
        T b1 = T.CreateChecked(Beta1), b2 = T.CreateChecked(Beta2);
        T oneMinusB1 = T.One - b1, oneMinusB2 = T.One - b2;
        double biasCorrection1 = 1 - Math.Pow(Beta1, StepCount);
        double biasCorrection2 = 1 - Math.Pow(Beta2, StepCount);
        T minusStepSize = T.CreateChecked(-LearningRate / biasCorrection1);
        T sqrtBc2 = T.CreateChecked(Math.Sqrt(biasCorrection2));
        T eps = T.CreateChecked(Eps);
        T decay = T.CreateChecked(WeightDecay);
        T decoupledFactor = T.CreateChecked(1 - LearningRate * WeightDecay);
        bool decays = WeightDecay != 0;
        // Vectorised in L1-sized blocks: each line below is one pass of the formula over the block.
        Span<T> g = stackalloc T[Block], work = stackalloc T[Block];
        for (int start = 0; start < value.Length; start += Block)
        {
            int n = Math.Min(Block, value.Length - start);
            var p = value.Slice(start, n);
            var mb = m.Slice(start, n);
            var vb = v.Slice(start, n);
            var gb = g[..n];
            var w = work[..n];
            grad.Slice(start, n).CopyTo(gb);
            if (decays)
            {
                if (Decoupled) TP.Multiply(p, decoupledFactor, p);   // AdamW: p ← p·(1 − lr·λ)
                else TP.MultiplyAdd(p, decay, gb, gb);               // Adam: g ← g + λp
            }
            TP.Multiply(mb, b1, mb);
            TP.MultiplyAdd(gb, oneMinusB1, mb, mb);                  // m ← β₁m + (1−β₁)g
            TP.Multiply(gb, gb, w);
            TP.Multiply(vb, b2, vb);
            TP.MultiplyAdd(w, oneMinusB2, vb, vb);                   // v ← β₂v + (1−β₂)g²
            TP.Sqrt(vb, w);
            TP.Divide(w, sqrtBc2, w);
            TP.Add(w, eps, w);                                       // √v / √(1−β₂ᵗ) + ε
            TP.Divide(mb, w, w);
            TP.MultiplyAdd(w, minusStepSize, p, p);                  // p ← p − lr/(1−β₁ᵗ) · m / denom
        }
    }

    private const int Block = 512;

    /// <inheritdoc />
    public override IEnumerable<(string Name, Tensor<T> Tensor)> StateTensors()
    {
        for (int i = 0; i < Parameters.Count; i++)
        {
            yield return ($"exp_avg.{Parameters[i].Name}", _expAvg[i]);
            yield return ($"exp_avg_sq.{Parameters[i].Name}", _expAvgSq[i]);
        }
    }
}
