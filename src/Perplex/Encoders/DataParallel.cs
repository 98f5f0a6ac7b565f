using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Perplex.Encoders;

/// <summary>
/// Data-parallel training on one machine: each batch is cut into consecutive parts, part 0 runs on the main model and
/// part k on replica k, all at once on their own threads. The gradients are then combined in a FIXED order into the
/// main model, weighted by part size (each part's gradient is of its mean loss, so the result is the gradient of
/// the whole batch's mean loss), and after the optimizer step the new weights are copied back to the replicas.
/// Only the embedding rows a step used are combined and copied, so the cost stays proportional to the batch.
/// <para>The result is deterministic for a given thread count. It differs slightly from one-thread training in
/// float rounding and in the dropout masks, which come from a separate stream per replica.</para>
/// </summary>
internal sealed class DataParallel
{
    private readonly ISupervisedModel _main;
    private readonly ISupervisedModel[] _replicas;

    public DataParallel(ISupervisedModel main, int threads, ulong seed)
    {
        _main = main;
        _replicas = new ISupervisedModel[Math.Max(0, threads - 1)];
        for (int k = 0; k < _replicas.Length; k++)
        {
            _replicas[k] = main.CreateReplica(seed + (ulong)k + 1);
            for (int i = 0; i < main.Parameters.Count; i++)
                main.Parameters[i].Value.Data.CopyTo(_replicas[k].Parameters[i].Value.Data, 0);
        }
    }

    public bool Training
    {
        set
        {
            _main.Training = value;
            foreach (var r in _replicas) r.Training = value;
        }
    }

    /// <summary>Forward and backward of <paramref name="batch"/>; the main model ends up with the whole batch's gradient.</summary>
    public double TrainBatch(int[] batch)
    {
        int parts = Math.Min(_replicas.Length + 1, batch.Length);
        if (parts == 1) return _main.TrainBatch(batch);
        var slices = new int[parts][];
        for (int k = 0; k < parts; k++)
        {
            int start = batch.Length * k / parts, end = batch.Length * (k + 1) / parts;
            slices[k] = batch[start..end];
        }
        var losses = new double[parts];
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts },
            k =>
            {
                int saved = Tensors.Parallelism.LimitThisThreadToOne(); // pool threads: each share's kernels on its own thread
                try
                {
                    losses[k] = (k == 0 ? _main : _replicas[k - 1]).TrainBatch(slices[k]);
                }
                finally
                {
                    Tensors.Parallelism.RestoreThreadLimit(saved);
                }
            });
        double loss = losses[0] * slices[0].Length / batch.Length;
        Scale(_main, (float)slices[0].Length / batch.Length);
        for (int k = 1; k < parts; k++)
        {
            loss += losses[k] * slices[k].Length / batch.Length;
            AddInto(_replicas[k - 1], (float)slices[k].Length / batch.Length);
        }
        return loss;
    }

    /// <summary>Copies the main model's weights that the last step changed to every replica.</summary>
    public void SyncWeights()
    {
        foreach (var replica in _replicas)
            for (int i = 0; i < _main.Parameters.Count; i++)
            {
                var source = _main.Parameters[i];
                var target = replica.Parameters[i];
                int table = IndexOfTable(_main, source);
                if (table < 0)
                {
                    source.Value.Data.CopyTo(target.Value.Data, 0);
                    continue;
                }
                int e = source.Value.Shape[1];
                foreach (int r in _main.SparseTables[table].Rows.Rows)
                    source.Value.Data.AsSpan(r * e, e).CopyTo(target.Value.Data.AsSpan(r * e, e));
            }
    }

    /// <summary>Multiplies the main model's gradient (dense parameters and used rows) by <paramref name="factor"/>.</summary>
    private static void Scale(ISupervisedModel model, float factor)
    {
        foreach (var p in model.Parameters)
        {
            int table = IndexOfTable(model, p);
            if (table < 0)
            {
                TP.Multiply(p.Grad.Data, factor, p.Grad.Data);
                continue;
            }
            int e = p.Value.Shape[1];
            foreach (int r in model.SparseTables[table].Rows.Rows)
            {
                var row = p.Grad.Data.AsSpan(r * e, e);
                TP.Multiply(row, factor, row);
            }
        }
    }

    /// <summary>main.grad += factor · replica.grad; then clears the replica's gradient and used rows.</summary>
    private void AddInto(ISupervisedModel replica, float factor)
    {
        for (int i = 0; i < _main.Parameters.Count; i++)
        {
            var target = _main.Parameters[i].Grad.Data;
            var source = replica.Parameters[i].Grad.Data;
            int table = IndexOfTable(replica, replica.Parameters[i]);
            if (table < 0)
            {
                TP.MultiplyAdd(source, factor, target, target);
                Array.Clear(source);
                continue;
            }
            int e = replica.Parameters[i].Value.Shape[1];
            var rows = replica.SparseTables[table].Rows;
            var mainRows = _main.SparseTables[table].Rows;
            foreach (int r in rows.Rows)
            {
                mainRows.Mark(r);
                var t = target.AsSpan(r * e, e);
                TP.MultiplyAdd(source.AsSpan(r * e, e), factor, t, t);
                source.AsSpan(r * e, e).Clear();
            }
            rows.Clear();
        }
    }

    private static int IndexOfTable(ISupervisedModel model, Tensors.Parameter<float> p)
    {
        for (int t = 0; t < model.SparseTables.Count; t++)
            if (ReferenceEquals(model.SparseTables[t].Table, p)) return t;
        return -1;
    }
}
