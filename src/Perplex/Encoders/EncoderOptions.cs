using Perplex.Layers;

namespace Perplex.Encoders;

/// <summary>The encoder choices a user makes on the command line, before the vocabularies are known.</summary>
/// <param name="Cell">Recurrent cell (<c>--model</c>).</param>
/// <param name="EmbeddingSize">Word embedding width (<c>--emsize</c>).</param>
/// <param name="HiddenSize">Hidden width per direction (<c>--nhid</c>).</param>
/// <param name="Layers">Recurrent layers (<c>--nlayers</c>).</param>
/// <param name="Bidirectional">Read both ways (<c>--bidirectional</c>).</param>
/// <param name="Dropout">Dropout on the encoder input, between layers and before the output layer (<c>--dropout</c>).</param>
/// <param name="WordDropout">Probability of replacing a training word by &lt;unk&gt; (<c>--word-dropout</c>).</param>
/// <param name="CharDim">Character embedding width, 0 for no character features (<c>--char-dim</c>).</param>
/// <param name="CharHidden">Character BiRNN hidden width per direction (<c>--char-hidden</c>).</param>
/// <param name="MinCount">Words seen fewer times become &lt;unk&gt; (<c>--min-count</c>).</param>
/// <param name="MaxVocab">Most word-vocabulary entries, specials included (<c>--max-vocab</c>).</param>
/// <param name="Lowercase">Look words up in lower case; character features keep the case (<c>--lowercase</c>).</param>
/// <param name="JamoChars">The character network reads Hangul jamo instead of syllables (<c>--char-jamo</c>).</param>
/// <param name="Subwords">When above 0, tokens are cut into byte-pair pieces learned up to this many symbols, and the
/// pieces are the sequence (<c>--subwords</c>, classifier only: a tagger needs one tag per token).</param>
/// <param name="CharNGrams">When above 0, word vectors also get the mean of their character n-gram vectors, orders 1 to this
/// (<c>--char-ngrams</c>).</param>
/// <param name="CharNGramBits">The n-gram table has 2^this rows (<c>--char-ngram-bits</c>).</param>
public sealed record EncoderOptions(
    RecurrentCell Cell = RecurrentCell.Lstm, int EmbeddingSize = 100, int HiddenSize = 128, int Layers = 1,
    bool Bidirectional = true, double Dropout = 0.3, double WordDropout = 0, int CharDim = 0, int CharHidden = 50,
    int MinCount = 1, int? MaxVocab = null, bool Lowercase = false, bool JamoChars = false, int Subwords = 0,
    int CharNGrams = 0, int CharNGramBits = 20)
{
    /// <summary>True when words get the character network's features.</summary>
    public bool WithCharNetwork => CharDim > 0 && CharHidden > 0;

    /// <summary>True when the encoder needs a character vocabulary (for the character network or the n-grams).</summary>
    public bool WithChars => WithCharNetwork || CharNGrams > 0;

    /// <summary>The encoder configuration for vocabularies <paramref name="tokens"/>.</summary>
    public SequenceEncoderConfig CreateConfig(TokenEncoder tokens)
    {
        var config = new SequenceEncoderConfig(Cell, tokens.Words.Count, EmbeddingSize, HiddenSize, Layers, Bidirectional,
            Dropout, WordDropout,
            WithChars ? tokens.Chars!.Count : 0, WithCharNetwork ? CharDim : 0, WithCharNetwork ? CharHidden : 0,
            Cell == RecurrentCell.Gru ? RecurrentCell.Gru : RecurrentCell.Lstm,
            CharNGrams, CharNGrams > 0 ? 1 << CharNGramBits : 0);
        config.Validate();
        return config;
    }
}
