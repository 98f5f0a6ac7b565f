using System.Text.Json;
using System.Text.Json.Serialization;
using Perplex.Layers;

namespace Perplex.Encoders;

/// <summary>
/// Everything needed to rebuild a <see cref="SequenceEncoder{T}"/> (stored in model files as JSON).
/// </summary>
/// <param name="Cell">The recurrent cell of the word-level network (<c>--model</c>).</param>
/// <param name="WordVocabSize">Rows of the word embedding table.</param>
/// <param name="EmbeddingSize">Word embedding width (<c>--emsize</c>).</param>
/// <param name="HiddenSize">Hidden width per direction (<c>--nhid</c>).</param>
/// <param name="Layers">Stacked recurrent layers (<c>--nlayers</c>).</param>
/// <param name="Bidirectional">Whether each layer also reads the sequence backwards (output width 2·H).</param>
/// <param name="Dropout">Dropout on the encoder input and between recurrent layers.</param>
/// <param name="WordDropout">In training, the probability of replacing a word id by &lt;unk&gt;, so the model learns
/// to rely on character features for words it will not know at test time.</param>
/// <param name="CharVocabSize">Rows of the character embedding table (0: no character features).</param>
/// <param name="CharEmbeddingSize">Character embedding width (<c>--char-dim</c>).</param>
/// <param name="CharHiddenSize">Hidden width per direction of the character BiRNN (<c>--char-hidden</c>); its final
/// forward and reverse states (2 of this width) are appended to every word embedding.</param>
/// <param name="CharCell">The character network's cell (LSTM or GRU).</param>
/// <param name="CharNGramOrder">When above 0, every word vector also gets the mean of its character n-gram vectors, orders
/// 1 to this (<c>--char-ngrams</c>, see <see cref="CharNGramEmbedding{T}"/>); needs the character vocabulary.</param>
/// <param name="CharNGramBuckets">Rows of the hashed n-gram table.</param>
public sealed record SequenceEncoderConfig(
    RecurrentCell Cell, int WordVocabSize, int EmbeddingSize, int HiddenSize, int Layers = 1, bool Bidirectional = true,
    double Dropout = 0, double WordDropout = 0,
    int CharVocabSize = 0, int CharEmbeddingSize = 0, int CharHiddenSize = 0, RecurrentCell CharCell = RecurrentCell.Lstm,
    int CharNGramOrder = 0, int CharNGramBuckets = 0)
{
    /// <summary>True when words also get a representation built from their characters.</summary>
    [JsonIgnore]
    public bool HasCharFeatures => CharHiddenSize > 0;

    /// <summary>True when word vectors also get their character n-grams' mean.</summary>
    [JsonIgnore]
    public bool HasCharNGrams => CharNGramOrder > 0;

    /// <summary>True when the encoder reads each word's character ids (for the character network or the n-grams).</summary>
    [JsonIgnore]
    public bool ReadsChars => HasCharFeatures || HasCharNGrams;

    /// <summary>Width of the rows the recurrent network reads: E, plus 2·char-hidden with character features.</summary>
    [JsonIgnore]
    public int InputSize => EmbeddingSize + (HasCharFeatures ? 2 * CharHiddenSize : 0);

    /// <summary>Width of the encoder's output rows: D·H.</summary>
    [JsonIgnore]
    public int OutputSize => (Bidirectional ? 2 : 1) * HiddenSize;

    /// <summary>Throws a <see cref="PerplexException"/> naming the first impossible setting.</summary>
    public void Validate(string? source = null)
    {
        string? problem =
            WordVocabSize < 1 ? $"word vocabulary size must be positive, not {WordVocabSize}"
            : EmbeddingSize < 1 ? $"embedding size (--emsize) must be positive, not {EmbeddingSize}"
            : HiddenSize < 1 ? $"hidden size (--nhid) must be positive, not {HiddenSize}"
            : Layers < 1 ? $"number of layers (--nlayers) must be positive, not {Layers}"
            : !(Dropout >= 0 && Dropout < 1) ? $"dropout must be in [0, 1), not {Dropout}"
            : !(WordDropout >= 0 && WordDropout < 1) ? $"word dropout must be in [0, 1), not {WordDropout}"
            : CharHiddenSize < 0 ? $"character hidden size must not be negative, not {CharHiddenSize}"
            : HasCharFeatures && (CharVocabSize < 1 || CharEmbeddingSize < 1)
                ? $"character features need a character vocabulary and --char-dim of at least 1 (got {CharVocabSize} and {CharEmbeddingSize})"
            : HasCharFeatures && CharCell is not (RecurrentCell.Lstm or RecurrentCell.Gru)
                ? $"the character network must be an LSTM or a GRU, not {CharCell}"
            : CharNGramOrder < 0 ? $"the character n-gram order (--char-ngrams) must not be negative, not {CharNGramOrder}"
            : HasCharNGrams && (CharVocabSize < 1 || CharNGramBuckets < 1)
                ? $"character n-grams need a character vocabulary and at least one bucket (got {CharVocabSize} and {CharNGramBuckets})"
            : null;
        if (problem is not null) throw new PerplexException(problem, source);
    }

    /// <summary>The configuration as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Parses <see cref="ToJson"/> output; <paramref name="source"/> names the file in errors.</summary>
    public static SequenceEncoderConfig FromJson(string json, string? source = null)
    {
        try
        {
            var config = JsonSerializer.Deserialize<SequenceEncoderConfig>(json, Json)
                ?? throw new PerplexException("encoder configuration is empty", source);
            config.Validate(source);
            return config;
        }
        catch (JsonException e)
        {
            throw new PerplexException($"not a valid encoder configuration: {e.Message}", source);
        }
    }

    /// <summary>Parses a cell name as given to <c>--model</c>: lstm, gru, rnn_tanh, rnn_relu, rnn_sigmoid (any case).</summary>
    public static RecurrentCell ParseCell(string name) => name.ToLowerInvariant().Replace("-", "_") switch
    {
        "lstm" => RecurrentCell.Lstm,
        "gru" => RecurrentCell.Gru,
        "rnn" or "rnn_tanh" => RecurrentCell.RnnTanh,
        "rnn_relu" => RecurrentCell.RnnRelu,
        "rnn_sigmoid" => RecurrentCell.RnnSigmoid,
        _ => throw new PerplexException($"unknown recurrent cell '{name}' (expected lstm, gru, rnn_tanh, rnn_relu or rnn_sigmoid)"),
    };

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };
}
