using Perplex.Encoders;
using Perplex.Layers;
using Perplex.Tensors;
using Perplex.Training;
using Xunit;

namespace Perplex.Tests.Encoders;

public class RowSparseOptimizerTests
{
    // A 4×3 table: rows 1 and 2 get a gradient every step, row 3 only at the first step, row 0 never.
    private static (Parameter<float> Lazy, Parameter<float> Dense, float[] Row3AfterFirstStep) Run(string kind, int steps)
    {
        var lazy = new Parameter<float>("embedding.weight", 4, 3);
        var dense = new Parameter<float>("embedding.weight", 4, 3);
        new SeededRandom(3).FillUniform<float>(lazy.Value.Data, 1);
        lazy.Value.Data.CopyTo(dense.Value.Data, 0);
        var rows = new TouchedRows(4);
        var sparse = new RowSparseOptimizer(kind, [lazy], [(lazy, rows)], 0.05);
        var reference = Optimizer<float>.Create(kind, [dense], 0.05);
        var random = new SeededRandom(9);
        float[] row3 = [];
        for (int step = 0; step < steps; step++)
        {
            sparse.ZeroGrad();
            reference.ZeroGrad();
            int[] used = step == 0 ? [1, 2, 3] : [2, 1];
            foreach (int r in used)
                for (int j = 0; j < 3; j++)
                    lazy.Grad.Data[r * 3 + j] = dense.Grad.Data[r * 3 + j] = (float)(random.NextDouble() * 2 - 1);
            rows.Mark(used);
            sparse.Step();
            reference.Step();
            if (step == 0) row3 = lazy.Value.Data[9..12];
        }
        return (lazy, dense, row3);
    }

    [Theory]
    [InlineData("adam")]
    [InlineData("adamw")]
    [InlineData("sgd")]
    public void UsedRowsFollowTheDenseOptimizerAndUnusedRowsStayPut(string kind)
    {
        var initial = new float[12];
        new SeededRandom(3).FillUniform<float>(initial, 1);
        var (lazy, dense, row3) = Run(kind, 6);
        for (int i = 3; i < 9; i++) Assert.Equal(dense.Value.Data[i], lazy.Value.Data[i], 1e-6f);   // rows 1, 2: the same math
        Assert.Equal(initial[..3], lazy.Value.Data[..3]);                                           // row 0: never used, never moved
        Assert.Equal(row3, lazy.Value.Data[9..12]);                                                 // row 3: moved once, then left alone
        Assert.NotEqual(initial[9..12], row3);
        if (kind != "sgd") Assert.NotEqual(dense.Value.Data[9], lazy.Value.Data[9]);                // dense Adam keeps moving it by momentum
    }

    [Fact]
    public void ClippingMeasuresTheSameNormAsDenseClipping()
    {
        var table = new Parameter<float>("embedding.weight", 5, 2);
        var bias = new Parameter<float>("output.bias", 3);
        var rows = new TouchedRows(5);
        table.Grad.Data[2] = 3;
        table.Grad.Data[3] = -4; // row 1
        bias.Grad.Data[0] = 12;
        rows.Mark(1);
        var optimizer = new RowSparseOptimizer("adam", [table, bias], [(table, rows)], 0.1);
        double expected = GradientClipping.ClipGlobalNorm<float>([table, bias], 0);
        Assert.Equal(13, expected, 5);
        Assert.Equal(expected, optimizer.ClipGlobalNorm(6.5), 5);
        Assert.Equal(6, bias.Grad.Data[0], 4);   // scaled by 6.5 / 13
        Assert.Equal(-2, table.Grad.Data[3], 4);
        optimizer.ZeroGrad();
        Assert.All(table.Grad.Data, g => Assert.Equal(0, g));
        Assert.Empty(rows.Rows);
    }
}
