using Perplex.Layers;

namespace Perplex.Models;

/// <summary>
/// Everything needed to rebuild a neural language model's architecture (stored with its weights).
/// </summary>
/// <param name="Kind">The architecture.</param>
/// <param name="VocabSize">V, the number of token ids.</param>
/// <param name="EmbeddingSize">E, the embedding width (<c>--emsize</c>).</param>
/// <param name="HiddenSize">H, the recurrent or hidden-layer width (<c>--nhid</c>).</param>
/// <param name="Layers">Number of stacked recurrent layers (<c>--nlayers</c>); the window model has one hidden layer.</param>
/// <param name="Dropout">Dropout probability on embeddings, between layers and before the decoder (<c>--dropout</c>).</param>
/// <param name="Tied">Whether the decoder weight is the embedding matrix (<c>--tied</c>; needs H = E).</param>
/// <param name="Window">Window model only: how many previous tokens the prediction sees (n − 1 for an n-gram-like model).</param>
public sealed record LanguageModelConfig(
    ModelKind Kind, int VocabSize, int EmbeddingSize, int HiddenSize,
    int Layers = 1, double Dropout = 0, bool Tied = false, int Window = 0)
{
    /// <summary>True for the recurrent architectures (everything but <see cref="ModelKind.Window"/>).</summary>
    public bool IsRecurrent => Kind != ModelKind.Window;

    /// <summary>The recurrent cell of a recurrent architecture.</summary>
    public RecurrentCell Cell => Kind switch
    {
        ModelKind.RnnTanh => RecurrentCell.RnnTanh,
        ModelKind.RnnRelu => RecurrentCell.RnnRelu,
        ModelKind.RnnSigmoid => RecurrentCell.RnnSigmoid,
        ModelKind.Lstm => RecurrentCell.Lstm,
        ModelKind.Gru => RecurrentCell.Gru,
        _ => throw new InvalidOperationException($"{KindName(Kind)} is not a recurrent model"),
    };

    /// <summary>Throws a <see cref="PerplexException"/> naming the first inconsistent setting.</summary>
    public void Validate(string? source = null)
    {
        string? problem =
            VocabSize < 1 ? $"vocabulary size must be positive, not {VocabSize}"
            : EmbeddingSize < 1 ? $"embedding size (--emsize) must be positive, not {EmbeddingSize}"
            : HiddenSize < 1 ? $"hidden size (--nhid) must be positive, not {HiddenSize}"
            : Layers < 1 ? $"number of layers (--nlayers) must be positive, not {Layers}"
            : !(Dropout >= 0 && Dropout < 1) ? $"dropout must be in [0, 1), not {Dropout}"
            : Tied && HiddenSize != EmbeddingSize ? $"tied weights need --nhid equal to --emsize (got {HiddenSize} and {EmbeddingSize})"
            : Kind == ModelKind.Window && Window < 1 ? $"the WINDOW model needs --window of at least 1, not {Window}"
            : null;
        if (problem is not null) throw new PerplexException(problem, source);
    }

    /// <summary>The command-line / metadata name of a kind: RNN_TANH, RNN_RELU, RNN_SIGMOID, LSTM, GRU, WINDOW.</summary>
    public static string KindName(ModelKind kind) => kind switch
    {
        ModelKind.RnnTanh => "RNN_TANH",
        ModelKind.RnnRelu => "RNN_RELU",
        ModelKind.RnnSigmoid => "RNN_SIGMOID",
        ModelKind.Lstm => "LSTM",
        ModelKind.Gru => "GRU",
        ModelKind.Window => "WINDOW",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Parses a name written by <see cref="KindName"/> (case-insensitive); unknown names are a <see cref="PerplexException"/>.</summary>
    public static ModelKind ParseKind(string name, string? source = null)
    {
        foreach (var kind in Enum.GetValues<ModelKind>())
            if (string.Equals(KindName(kind), name, StringComparison.OrdinalIgnoreCase)) return kind;
        throw new PerplexException($"unknown model '{name}' (expected RNN_TANH, RNN_RELU, RNN_SIGMOID, LSTM, GRU or WINDOW)", source);
    }
}
