namespace Perplex.Encoders;

/// <summary>
/// One sequence ready for a <see cref="SequenceEncoder{T}"/>: a word id per position and, when the encoder has
/// character features, the character ids of every word.
/// </summary>
public sealed class EncodedSequence
{
    /// <summary>Wraps the ids (no copy). <paramref name="charIds"/> is null, or has one array per word.</summary>
    public EncodedSequence(int[] wordIds, int[][]? charIds = null)
    {
        if (wordIds.Length == 0) throw new ArgumentException("a sequence needs at least one token", nameof(wordIds));
        if (charIds is not null && charIds.Length != wordIds.Length)
            throw new ArgumentException($"{charIds.Length} character arrays for {wordIds.Length} words", nameof(charIds));
        WordIds = wordIds;
        CharIds = charIds;
    }

    /// <summary>The word id at each position.</summary>
    public int[] WordIds { get; }

    /// <summary>The character ids of each word, or null.</summary>
    public int[][]? CharIds { get; }

    /// <summary>Number of positions.</summary>
    public int Length => WordIds.Length;
}
