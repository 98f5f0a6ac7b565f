using System.CommandLine;

namespace Perplex.Cli.Commands.NGram;

/// <summary>
/// How <c>build</c> and <c>convert</c> lay out a binary model, like KenLM's <c>build_binary probing|trie</c>:
/// <c>--layout probing</c> (default, fastest queries) or <c>trie</c> (about 60% of the size), and <c>--quantize</c>.
/// </summary>
internal sealed class BinaryOutputOptions
{
    public Option<bool> Quantize { get; } = new("--quantize")
    {
        Description = "Binary output only: store log10 probabilities and backoffs as 8-bit codes (implies --layout trie; a much smaller file, slower queries; scores change slightly).",
    };

    public Option<string> Layout { get; } = new("--layout")
    {
        Description = "Binary output only: 'probing' (default) adds KenLM-style hash tables for the fastest queries; 'trie' leaves them out (smaller file, queries walk the trie).",
        DefaultValueFactory = _ => "probing",
    };

    public BinaryOutputOptions() => Layout.AcceptOnlyFromAmong("probing", "trie");

    /// <summary>Whether to quantize and whether to write probing tables.</summary>
    public (bool Quantize, bool Probing) Resolve(ParseResult result)
    {
        bool quantize = result.GetValue(Quantize);
        bool explicitLayout = result.GetResult(Layout) is { Implicit: false };
        if (quantize && explicitLayout && result.GetValue(Layout) == "probing")
            throw new PerplexException("--quantize stores 8-bit codes in the trie layout; it cannot be combined with --layout probing");
        return (quantize, !quantize && result.GetValue(Layout) == "probing");
    }
}
