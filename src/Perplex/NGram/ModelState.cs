using System.Runtime.CompilerServices;

namespace Perplex.NGram;

/// <summary>
/// What a model remembers of the words before the next one, like KenLM's <c>State</c>: the most recent words
/// (newest first) and, for backoff models, the log10 backoff of each context length that exists in the model.
/// A plain value: copy it to branch (e.g. when sampling several continuations).
/// </summary>
public struct ModelState
{
    /// <summary>Highest n-gram order any Perplex model supports.</summary>
    public const int MaxOrder = 8;

    /// <summary>Number of valid entries in <see cref="Words"/> and <see cref="Backoffs"/>.</summary>
    public int Length;

    /// <summary>Context word ids, newest first.</summary>
    public WordBuffer Words;

    /// <summary>log10 backoff of the context made of the newest i+1 words.</summary>
    public BackoffBuffer Backoffs;

    /// <summary>Inline storage for context words.</summary>
    [InlineArray(MaxOrder - 1)]
    public struct WordBuffer
    {
        private int _first;
    }

    /// <summary>Inline storage for context backoffs.</summary>
    [InlineArray(MaxOrder - 1)]
    public struct BackoffBuffer
    {
        private float _first;
    }
}
