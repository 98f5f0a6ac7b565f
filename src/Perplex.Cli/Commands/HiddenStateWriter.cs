using System.Globalization;
using Perplex.Encoders;

namespace Perplex.Cli.Commands;

/// <summary>Prints an encoder's hidden states for sentences (the "encode" subcommands of tag and classify).</summary>
internal static class HiddenStateWriter
{
    /// <summary>
    /// One line per token (per subword piece when the encoder reads pieces): the token, a tab, then its D·H values
    /// separated by spaces; a blank line after each sentence.
    /// </summary>
    public static void Write(TextWriter output, SequenceEncoder<float> encoder, TokenEncoder tokens, IEnumerable<IReadOnlyList<string>> sentences)
    {
        encoder.Training = false;
        int width = encoder.OutputSize;
        foreach (var sentence in sentences)
        {
            if (sentence.Count == 0) continue;
            var states = encoder.Forward([tokens.Encode(sentence)]);
            var shown = tokens.Subwords?.Split(sentence) ?? sentence;
            for (int t = 0; t < shown.Count; t++)
            {
                output.Write(shown[t]);
                output.Write('\t');
                for (int j = 0; j < width; j++)
                {
                    if (j > 0) output.Write(' ');
                    output.Write(states[t * width + j].ToString("G6", CultureInfo.InvariantCulture));
                }
                output.Write('\n');
            }
            output.Write('\n');
        }
    }
}
