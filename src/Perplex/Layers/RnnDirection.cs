using System.Numerics;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Perplex.Layers;

/// <summary>
/// Elman RNN direction: h_t = σ(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh), σ = tanh, ReLU or logistic sigmoid.
/// Backward uses σ' written in terms of the output h: tanh' = 1 − h², relu' = [h &gt; 0], sigmoid' = h(1 − h).
/// </summary>
internal sealed class RnnDirection<T> : RecurrentDirection<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly RecurrentCell _cell;

    public RnnDirection(RecurrentCell cell, int inputSize, int hiddenSize, int layer, bool reverse, string prefix)
        : base(inputSize, hiddenSize, 1, layer, reverse, prefix) => _cell = cell;

    protected override void AddInputBiases(Span<T> gates, int rows)
    {
        // both biases are constant over time, so they join the input projection
        Workspace.AddToRows(gates, rows, BiasIh.Value.Data);
        Workspace.AddToRows(gates, rows, BiasHh.Value.Data);
    }

    protected override void StepForward(int t)
    {
        // a = (W_ih x_t + b_ih + b_hh) + W_hh h_{t−1};  h_t = σ(a)
        var a = GateRowsAt(Gates, t);
        RecurrentProduct(State(PrevSlot(t)), a, accumulate: true);
        var h = State(OutSlot(t));
        switch (_cell)
        {
            case RecurrentCell.RnnTanh: TP.Tanh(a, h); break;
            case RecurrentCell.RnnSigmoid: TP.Sigmoid(a, h); break;
            default: TP.Max(a, T.Zero, h); break;
        }
    }

    protected override void StepBackward(int t)
    {
        // da = dh ⊙ σ'(a);  dh_{t−1} = da W_hh
        var dh = DhCur.AsSpan(0, Batch * HiddenSize);
        var h = State(OutSlot(t));
        var da = GateRowsAt(DGates, t);
        for (int i = 0; i < da.Length; i++)
        {
            T y = h[i];
            da[i] = _cell switch
            {
                RecurrentCell.RnnTanh => dh[i] * (T.One - y * y),
                RecurrentCell.RnnSigmoid => dh[i] * y * (T.One - y),
                _ => y > T.Zero ? dh[i] : T.Zero,
            };
        }
        RecurrentProductBackward(da, DhNext, accumulate: false);
    }
}
