using Perplex.Models;
using Perplex.Text;
using Perplex.Training;

namespace Perplex.Inference;

/// <summary>
/// Sentence and corpus log-probabilities under a neural LM by the chain rule:
/// log p(w₁…wₙ) = Σ log p(wᵢ | w₁…wᵢ₋₁), perplexity = exp(−Σ / n).
/// </summary>
public static class NeuralScoring
{
    /// <summary>
    /// word_language_model's <c>evaluate</c>: the stream is batchified into B streams (trimmed to a multiple of B),
    /// read in chunks of <paramref name="bptt"/> with the state carried, no dropout.
    /// </summary>
    public static CorpusScore Score(NeuralLanguageModel<float> model, TokenBatches data, int bptt, Action<long>? advance = null)
    {
        bool training = model.Training;
        model.Training = false;
        try
        {
            model.ResetState(data.BatchSize);
            double sum = 0;
            long count = 0;
            foreach (int i in data.ChunkStarts(bptt))
            {
                var (input, target, length) = data.GetBatch(i, bptt);
                sum += model.LogProbability(input.Span, target.Span, length, data.BatchSize);
                count += (long)length * data.BatchSize;
                advance?.Invoke((long)length * data.BatchSize);
            }
            return new CorpusScore(sum, count);
        }
        finally
        {
            model.Training = training;
        }
    }

    /// <summary>
    /// Scores a whole token stream in order as one stream (nothing trimmed): every token is predicted from all
    /// tokens before it, the first from a fresh state fed <c>&lt;/s&gt;</c> (the start of a line).
    /// </summary>
    public static CorpusScore ScoreStream(NeuralLanguageModel<float> model, ReadOnlySpan<int> tokens, int chunk = 256, Action<long>? advance = null)
    {
        var withStart = new int[tokens.Length + 1];
        withStart[0] = Vocabulary.EosId;
        tokens.CopyTo(withStart.AsSpan(1));
        return Score(model, new TokenBatches(withStart, 1), chunk, advance);
    }

    /// <summary>
    /// The log-probability of one sentence from a fresh state: p(w₁ | &lt;/s&gt;) · … · p(&lt;/s&gt; | w₁…wₙ); the
    /// end-of-sentence token is predicted and counted, as KenLM does.
    /// </summary>
    public static CorpusScore ScoreSentence(NeuralLanguageModel<float> model, ReadOnlySpan<int> sentence)
    {
        var stream = new int[sentence.Length + 2];
        stream[0] = Vocabulary.EosId;
        sentence.CopyTo(stream.AsSpan(1));
        stream[^1] = Vocabulary.EosId;
        return Score(model, new TokenBatches(stream, 1), stream.Length);
    }
}
