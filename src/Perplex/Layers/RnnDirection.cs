using System.Numerics;
using Perplex.Tensors;

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
        RowParallel.AddRowVector(gates, rows, GateRows, BiasIh.Value.Data);
        RowParallel.AddRowVector(gates, rows, GateRows, BiasHh.Value.Data);
    }

    protected override void StepForward(int t)
    {
        // a = (W_ih x_t + b_ih + b_hh) + W_hh h_{t−1};  h_t = σ(a)
        RecurrentProduct(State(PrevSlot(t)), GateRowsAt(Gates, t), accumulate: true);
        RunCell(t, backward: false);
    }

    protected override void CellForward(int t, int firstRow, int endRow)
    {
        int n = HiddenSize, rows = (endRow - firstRow) * n;
        var a = GateRowsAt(Gates, t).Slice(firstRow * n, rows);
        var h = State(OutSlot(t)).Slice(firstRow * n, rows);
        switch (_cell)
        {
            case RecurrentCell.RnnTanh: Kernels.Tanh<T>(a, h); break;
            case RecurrentCell.RnnSigmoid: Kernels.Sigmoid<T>(a, h); break;
            default: Kernels.Relu<T>(a, h); break;
        }
    }

    protected override void StepBackward(int t)
    {
        // da = dh ⊙ σ'(a), from the output h;  dh_{t−1} = da W_hh
        RunCell(t, backward: true);
        RecurrentProductBackward(GateRowsAt(DGates, t), DhNext, accumulate: false);
    }

    protected override void CellBackward(int t, int firstRow, int endRow)
    {
        int n = HiddenSize, rows = (endRow - firstRow) * n;
        ReadOnlySpan<T> dh = DhCur.AsSpan(firstRow * n, rows), h = State(OutSlot(t)).Slice(firstRow * n, rows);
        var da = GateRowsAt(DGates, t).Slice(firstRow * n, rows);
        switch (_cell)
        {
            case RecurrentCell.RnnTanh: Kernels.TanhBackward(h, dh, da); break;
            case RecurrentCell.RnnSigmoid: Kernels.SigmoidBackward(h, dh, da); break;
            default: Kernels.ReluBackward(h, dh, da); break;
        }
    }
}
