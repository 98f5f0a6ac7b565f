using System.Text.Json;

namespace Perplex.Tests.Layers;

/// <summary>
/// One PyTorch reference case (see TestData/torch/README.md): nested JSON lists flattened to row-major doubles.
/// The folder is $PERPLEX_TORCH_FIXTURES when set, else the repo's copy.
/// </summary>
public sealed class TorchFixture
{
    private readonly JsonElement _root;

    private TorchFixture(string path)
    {
        Path = path;
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        _root = doc.RootElement.Clone();
    }

    public string Path { get; }

    public string Name => System.IO.Path.GetFileNameWithoutExtension(Path);

    public static string Folder =>
        Environment.GetEnvironmentVariable("PERPLEX_TORCH_FIXTURES") is { Length: > 0 } dir
            ? dir
            : System.IO.Path.Combine(AppContext.BaseDirectory, "TestData", "torch");

    public static TorchFixture Load(string fileName) => new(System.IO.Path.Combine(Folder, fileName));

    /// <summary>File names of every fixture, split by kind: language-model cases have "kind": "lm".</summary>
    public static IEnumerable<object[]> Files(bool languageModels)
    {
        var files = Directory.GetFiles(Folder, "*.json").OrderBy(f => f, StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw new InvalidOperationException($"no *.json fixtures in {Folder}");
        foreach (var f in files)
        {
            var fx = new TorchFixture(f);
            if (fx.IsLanguageModel == languageModels) yield return [System.IO.Path.GetFileName(f)];
        }
    }

    public bool IsLanguageModel => _root.TryGetProperty("kind", out var k) && k.GetString() == "lm";

    public bool Has(string key) => _root.TryGetProperty(key, out _);

    public int Int(string key) => _root.GetProperty(key).GetInt32();

    public bool Bool(string key) => _root.GetProperty(key).GetBoolean();

    public double Double(string key) => _root.GetProperty(key).GetDouble();

    public string String(string key) => _root.GetProperty(key).GetString()!;

    public double[] Array(string key) => Flatten(_root.GetProperty(key));

    public int[] Ints(string key) => Flatten(_root.GetProperty(key)).Select(v => checked((int)v)).ToArray();

    public IReadOnlyDictionary<string, double[]> Section(string key) =>
        _root.GetProperty(key).EnumerateObject().ToDictionary(p => p.Name, p => Flatten(p.Value));

    private static double[] Flatten(JsonElement e)
    {
        var list = new List<double>();
        void Walk(JsonElement x)
        {
            if (x.ValueKind == JsonValueKind.Array) foreach (var c in x.EnumerateArray()) Walk(c);
            else list.Add(x.GetDouble());
        }
        Walk(e);
        return list.ToArray();
    }
}
