namespace Perplex.NGram;

/// <summary>
/// An n-gram model that scores the next word given a context state. Query, autocomplete and generation work
/// with any implementation (Kneser-Ney, MLE, add-k, Katz backoff, stupid backoff; ARPA or binary).
/// </summary>
public interface ILanguageModel
{
    /// <summary>The words the model knows; unknown words map to id 0 (<c>&lt;unk&gt;</c>).</summary>
    Vocabulary Vocabulary { get; }

    /// <summary>The highest n-gram order.</summary>
    int Order { get; }

    /// <summary>
    /// True when scores are log10 probabilities that sum to one over the vocabulary; false for stupid backoff,
    /// whose scores are not probabilities (perplexity from them is not a perplexity).
    /// </summary>
    bool IsNormalized { get; }

    /// <summary>The state at the start of a sentence (context <c>&lt;s&gt;</c>).</summary>
    ModelState BeginSentenceState();

    /// <summary>The state with no context at all.</summary>
    ModelState NullContextState();

    /// <summary>
    /// log10 score of <paramref name="word"/> after <paramref name="context"/>; <paramref name="next"/> receives the
    /// context for the following word and <paramref name="matchedLength"/> the length of the longest n-gram used.
    /// </summary>
    float Score(in ModelState context, int word, out ModelState next, out int matchedLength);
}
