using Perplex.Models;
using Perplex.Text;

namespace Perplex.Inference;

/// <summary>A prompt turned into token ids, with the tokens the vocabulary did not know.</summary>
/// <param name="Ids">The ids fed to the model.</param>
/// <param name="Unknown">Prompt tokens not in the vocabulary (mapped to &lt;unk&gt; or skipped, per the policy).</param>
public sealed record EncodedPrompt(int[] Ids, IReadOnlyList<string> Unknown);

/// <summary>
/// Uses a neural LM on text: encodes a prompt with the model's own tokenizer and normalization, ranks the next
/// token (autocomplete) and generates continuations by sampling.
/// </summary>
public sealed class NeuralGenerator
{
    private readonly NeuralLanguageModel<float> _model;
    private readonly Vocabulary _vocabulary;
    private readonly ITokenizer _tokenizer;
    private float[] _logits;

    /// <summary>Wraps a model and the vocabulary it was trained with.</summary>
    public NeuralGenerator(NeuralLanguageModel<float> model, Vocabulary vocabulary)
    {
        _model = model;
        _vocabulary = vocabulary;
        _tokenizer = Tokenizers.Create(vocabulary.Tokenizer);
        _logits = new float[vocabulary.Count];
    }

    /// <summary>Tokenizes and encodes <paramref name="prompt"/>; <see cref="UnknownWordPolicy.Fail"/> throws on an unknown token.</summary>
    public EncodedPrompt Encode(string prompt, UnknownWordPolicy policy)
    {
        var tokens = _tokenizer.Tokenize(TextNormalization.Normalize(prompt, _vocabulary.Normalization));
        var unknown = tokens.Where(t => !_vocabulary.Contains(t)).ToList();
        var ids = new List<int>();
        _vocabulary.Encode(tokens, policy, ids, "prompt");
        return new EncodedPrompt(ids.ToArray(), unknown);
    }

    /// <summary>Starts a fresh stream at a line start (after &lt;/s&gt;), feeds the prompt and leaves the next-token scores in the buffer.</summary>
    private void Prime(ReadOnlySpan<int> prompt)
    {
        _model.ResetState(1);
        var ids = new int[prompt.Length + 1];
        ids[0] = Vocabulary.EosId;
        prompt.CopyTo(ids.AsSpan(1));
        var all = new float[ids.Length * _vocabulary.Count];
        _model.Logits(ids, ids.Length, 1, all);
        all.AsSpan(all.Length - _vocabulary.Count).CopyTo(_logits);
    }

    /// <summary>The <paramref name="k"/> most probable next tokens after the prompt, with their probabilities.</summary>
    public IReadOnlyList<(string Token, double Probability)> Complete(ReadOnlySpan<int> prompt, int k)
    {
        Prime(prompt);
        double max = _logits.Max();
        double total = _logits.Sum(l => Math.Exp(l - max));
        var options = new SamplingOptions(TopK: k);
        return TokenSampler.Distribution(_logits, options, IsGeneratable)
            .Select(c => (_vocabulary[c.Id], Math.Exp(_logits[c.Id] - max) / total))
            .ToList();
    }

    /// <summary>
    /// Generates <paramref name="count"/> tokens after the prompt. &lt;/s&gt; is returned as a token like any other
    /// (callers print it as a line break).
    /// </summary>
    public IEnumerable<int> Generate(int[] prompt, int count, SamplingOptions options, Random random)
    {
        var sampler = new TokenSampler(options, random);
        Prime(prompt);
        var next = new int[1];
        for (int i = 0; i < count; i++)
        {
            next[0] = sampler.Next(_logits, IsGeneratable);
            yield return next[0];
            if (i + 1 < count) _model.NextLogits(next, _logits);
        }
    }

    /// <summary>Turns generated ids into text: tokens joined by the tokenizer, &lt;/s&gt; as a line break.</summary>
    public string Detokenize(IEnumerable<int> ids)
    {
        var lines = new List<string>();
        var current = new List<string>();
        foreach (var id in ids)
        {
            if (id == Vocabulary.EosId) { lines.Add(_tokenizer.Detokenize(current)); current.Clear(); }
            else current.Add(_vocabulary[id]);
        }
        lines.Add(_tokenizer.Detokenize(current));
        return string.Join('\n', lines);
    }

    /// <summary>&lt;s&gt; and &lt;pad&gt; never follow anything, so they are never proposed.</summary>
    private bool IsGeneratable(int id) => id != Vocabulary.BosId && id != _vocabulary.PadId;
}
