using Perplex.NGram;

namespace Perplex.Tests.NGram;

/// <summary>
/// Forces compacting garbage collections with fresh garbage around, so any unpinned array the n-gram code addresses by
/// pointer would move (and the next read through the stale pointer would see other data or crash).
/// </summary>
internal static class Compaction
{
    public static void Force()
    {
        for (int round = 0; round < 3; round++)
        {
            var garbage = Enumerable.Range(0, 20_000).Select(i => new byte[64 + i % 256]).Where((_, i) => i % 3 == 0).ToList();
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.KeepAlive(garbage);
        }
    }

    /// <summary>KenLM-style query output of <paramref name="model"/> on the fixtures' tiny-test.txt.</summary>
    public static string QueryTinyTest(ILanguageModel model)
    {
        var output = new StringWriter();
        NGramQuery.Run(model, KenLmFixtures.File("tiny-test.txt"), output);
        return output.ToString();
    }
}
