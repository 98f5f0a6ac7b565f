namespace Perplex.Models;

/// <summary>The architecture of a neural language model; the names follow word_language_model's <c>--model</c>.</summary>
public enum ModelKind
{
    /// <summary>Recurrent LM with tanh RNN layers (<c>RNN_TANH</c>).</summary>
    RnnTanh,

    /// <summary>Recurrent LM with ReLU RNN layers (<c>RNN_RELU</c>).</summary>
    RnnRelu,

    /// <summary>Recurrent LM with logistic-sigmoid RNN layers, Mikolov's original RNNLM (<c>RNN_SIGMOID</c>).</summary>
    RnnSigmoid,

    /// <summary>Recurrent LM with LSTM layers (<c>LSTM</c>).</summary>
    Lstm,

    /// <summary>Recurrent LM with GRU layers (<c>GRU</c>).</summary>
    Gru,

    /// <summary>Fixed-window neural LM (Bengio et al. 2003): the previous tokens' embeddings concatenated → tanh → softmax (<c>WINDOW</c>).</summary>
    Window,
}
