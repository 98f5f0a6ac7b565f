namespace Perplex.Layers;

/// <summary>The recurrent cell of a <see cref="RecurrentStack{T}"/>, named after PyTorch's modules.</summary>
public enum RecurrentCell
{
    /// <summary>Elman RNN, h = tanh(W_ih x + b_ih + W_hh h' + b_hh) (PyTorch <c>nn.RNN</c>, nonlinearity tanh).</summary>
    RnnTanh,

    /// <summary>Elman RNN with ReLU (PyTorch <c>nn.RNN</c>, nonlinearity relu).</summary>
    RnnRelu,

    /// <summary>Elman RNN with the logistic sigmoid, the original formulation (Mikolov's RNNLM); same layout.</summary>
    RnnSigmoid,

    /// <summary>LSTM with gates i, f, g, o stacked in that order (PyTorch <c>nn.LSTM</c>).</summary>
    Lstm,

    /// <summary>GRU with gates r, z, n stacked in that order (PyTorch <c>nn.GRU</c>).</summary>
    Gru,
}

/// <summary>Facts about <see cref="RecurrentCell"/> values.</summary>
public static class RecurrentCellInfo
{
    /// <summary>G, the number of H-row blocks in the cell's weights: 1 (RNN), 4 (LSTM), 3 (GRU).</summary>
    public static int GateCount(this RecurrentCell cell) => cell switch
    {
        RecurrentCell.Lstm => 4,
        RecurrentCell.Gru => 3,
        _ => 1,
    };

    /// <summary>True for the LSTM, the only cell with a second state c.</summary>
    public static bool HasCellState(this RecurrentCell cell) => cell == RecurrentCell.Lstm;
}
