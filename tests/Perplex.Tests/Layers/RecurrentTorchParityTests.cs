using System.Numerics;
using Perplex.Layers;
using Xunit;

namespace Perplex.Tests.Layers;

/// <summary>
/// Every layer fixture: output, h_n, c_n and all gradients of L = Σ output·R + Σ h_n·S (+ Σ c_n·S2) against
/// PyTorch float64, on the double path (1e-9) and the float path (1e-4).
/// </summary>
public class RecurrentTorchParityTests
{
    public static IEnumerable<object[]> LayerCases() => TorchFixture.Files(languageModels: false);

    [Theory]
    [MemberData(nameof(LayerCases))]
    public void TorchParity_Double(string file) => Check<double>(TorchFixture.Load(file), 1e-9);

    [Theory]
    [MemberData(nameof(LayerCases))]
    public void TorchParity_Float(string file) => Check<float>(TorchFixture.Load(file), 1e-4);

    internal static RecurrentCell ParseCell(string cell) => cell switch
    {
        "rnn_tanh" => RecurrentCell.RnnTanh,
        "rnn_relu" => RecurrentCell.RnnRelu,
        "rnn_sigmoid" => RecurrentCell.RnnSigmoid,
        "lstm" => RecurrentCell.Lstm,
        "gru" => RecurrentCell.Gru,
        _ => throw new InvalidOperationException($"unknown cell {cell}"),
    };

    private static void Check<T>(TorchFixture fx, double tol) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var cell = ParseCell(fx.String("cell"));
        int inputSize = fx.Int("input_size"), hidden = fx.Int("hidden_size"), layers = fx.Int("num_layers");
        int steps = fx.Int("seq_len"), batch = fx.Int("batch");
        bool bi = fx.Bool("bidirectional"), lstm = cell == RecurrentCell.Lstm;
        var net = new RecurrentStack<T>(cell, inputSize, hidden, layers, bi);
        var weights = fx.Section("weights");
        Assert.Equal(weights.Keys.Order(), net.Parameters.Select(p => p.Name).Order());
        foreach (var p in net.Parameters) Tolerance.Convert<T>(weights[p.Name]).CopyTo(p.Value.Data, 0);

        WarmUpWithOtherShapes(net, steps + 3, batch + 2); // the checked run must not depend on buffers left by earlier calls

        var x = Tolerance.Convert<T>(fx.Array("x"));
        var h0 = Tolerance.Convert<T>(fx.Array("h0"));
        var c0 = lstm ? Tolerance.Convert<T>(fx.Array("c0")) : [];
        var output = new T[steps * batch * net.OutputSize];
        var hN = new T[h0.Length];
        var cN = new T[c0.Length];
        net.Forward(x, steps, batch, h0, c0, output, hN, cN);
        Tolerance.AssertClose(fx.Array("output"), output, tol, $"{fx.Name} output");
        Tolerance.AssertClose(fx.Array("h_n"), hN, tol, $"{fx.Name} h_n");
        if (lstm) Tolerance.AssertClose(fx.Array("c_n"), cN, tol, $"{fx.Name} c_n");

        var dx = new T[x.Length];
        var dh0 = new T[h0.Length];
        var dc0 = new T[c0.Length];
        net.Backward(x, Tolerance.Convert<T>(fx.Array("R")), Tolerance.Convert<T>(fx.Array("S")),
            lstm ? Tolerance.Convert<T>(fx.Array("S2")) : [], dx, dh0, dc0);
        var grads = fx.Section("grads");
        foreach (var p in net.Parameters) Tolerance.AssertClose(grads[p.Name], p.Grad.Data, tol, $"{fx.Name} d{p.Name}");
        Tolerance.AssertClose(grads["x"], dx, tol, $"{fx.Name} dx");
        Tolerance.AssertClose(grads["h0"], dh0, tol, $"{fx.Name} dh0");
        if (lstm) Tolerance.AssertClose(grads["c0"], dc0, tol, $"{fx.Name} dc0");
    }

    /// <summary>A forward and backward with larger shapes and random data, then cleared gradients.</summary>
    private static void WarmUpWithOtherShapes<T>(RecurrentStack<T> net, int steps, int batch) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new SeededRandom(3);
        var x = new T[steps * batch * net.InputSize];
        var state = new T[net.StateCount * batch * net.HiddenSize];
        var dOut = new T[steps * batch * net.OutputSize];
        rng.FillUniform<T>(x, 1);
        rng.FillUniform<T>(state, 1);
        rng.FillUniform<T>(dOut, 1);
        var output = new T[dOut.Length];
        net.Forward(x, steps, batch, state, state, output, state, state);
        net.Backward(x, dOut, state, state, new T[x.Length], new T[state.Length], new T[state.Length]);
        foreach (var p in net.Parameters) p.ZeroGrad();
    }
}
