namespace Perplex.Text;

/// <summary>What to do with a token that is not in the vocabulary.</summary>
public enum UnknownWordPolicy
{
    /// <summary>Replace it with <c>&lt;unk&gt;</c> (the default; counted and reported).</summary>
    MapToUnk,
    /// <summary>Drop it (counted and reported).</summary>
    Skip,
    /// <summary>Stop with an error naming the token, file and line.</summary>
    Fail,
}

/// <summary>Parses policy names given on the command line.</summary>
public static class UnknownWordPolicies
{
    /// <summary>"unk", "skip" or "fail".</summary>
    public static UnknownWordPolicy Parse(string name) => name.ToLowerInvariant() switch
    {
        "unk" or "map" or "maptounk" => UnknownWordPolicy.MapToUnk,
        "skip" => UnknownWordPolicy.Skip,
        "fail" or "error" => UnknownWordPolicy.Fail,
        _ => throw new PerplexException($"unknown policy '{name}' for unknown words (expected unk, skip or fail)"),
    };
}
