using System.Text;

namespace Perplex.Tests.NGram;

/// <summary>Temporary files for a test, deleted with the instance.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("perplex-ngram-test-").FullName;

    public string File(string name, string content)
    {
        var p = Combine(name);
        System.IO.File.WriteAllText(p, content, new UTF8Encoding(false));
        return p;
    }

    public string Combine(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
