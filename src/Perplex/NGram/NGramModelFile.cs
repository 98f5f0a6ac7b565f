using Perplex.Diagnostics;

namespace Perplex.NGram;

/// <summary>Loads and saves n-gram models: <c>.arpa</c> (text) or Perplex's memory-mapped binary (any other name).</summary>
public static class NGramModelFile
{
    /// <summary>Whether <paramref name="path"/> names an ARPA file (by its extension).</summary>
    public static bool IsArpaPath(string path) => path.EndsWith(".arpa", StringComparison.OrdinalIgnoreCase);

    /// <summary>Loads a model, recognising the binary format by its magic bytes; anything else is read as ARPA.</summary>
    public static ILanguageModel Load(string path, IProgressSink? progress = null)
    {
        if (!File.Exists(path)) throw new PerplexException("model file not found", path);
        return BinaryModelFormat.IsBinary(path) ? BinaryModelFormat.Read(path) : ArpaReader.Read(path, progress);
    }

    /// <summary>Saves <paramref name="model"/>: ARPA if the name ends in <c>.arpa</c>, else the binary format.</summary>
    /// <param name="model">The model.</param>
    /// <param name="path">Destination.</param>
    /// <param name="progress">Receives the "writing" stage.</param>
    /// <param name="quantize">Binary only: store log10 probabilities and backoffs as 8-bit codes and no probing tables (a compact file queried through the trie; scores change slightly).</param>
    /// <param name="probing">Binary only: add KenLM-style probing tables for the fastest queries (ignored when quantizing).</param>
    public static void Save(ILanguageModel model, string path, IProgressSink? progress = null, bool quantize = false, bool probing = true)
    {
        if (IsArpaPath(path))
        {
            if (model is not BackoffModel backoff)
                throw new PerplexException("add-k models cannot be written as ARPA (unseen words depend on the context total, which ARPA cannot express); save to a .bin file instead", path);
            if (quantize) throw new PerplexException("quantization applies to the binary format only", path);
            ArpaWriter.Write(backoff, path, progress);
            return;
        }
        progress?.BeginStage("writing", null, "B");
        BinaryModelFormat.Write(model, path, quantize, probing);
    }
}
