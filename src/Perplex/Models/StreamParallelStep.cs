using System.Numerics;
using Perplex.Encoders;
using Perplex.Layers;
using Perplex.Tensors;
using Perplex.Training;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Perplex.Models;

/// <summary>
/// Data parallelism inside one training step: the B streams of a chunk are cut into S contiguous shares, one per
/// thread; each share runs forward and backward on its own replica of the model (its own activations and carried
/// state, the master's weights), then the shares' gradients are added into the master's in share order.
/// Forking once per step instead of once per GEMM is what lets two cores scale for small models, whose per-time-step
/// recurrent products are too small to split well; large recurrent weights run the step whole instead (see
/// <see cref="WholeStepRecurrentBytes"/>). Replica 0 accumulates straight into the master's gradients, so only
/// S − 1 gradient sets are added. Dropout masks come from generators reseeded from the master's
/// <see cref="NeuralLanguageModel{T}.Random"/> every step, so a checkpoint of the master resumes exactly.
/// The decoder's weight gradient dU = Σ_s dZ_sᵀ·H_s is not computed per share and summed: after the shares, each
/// thread computes its own rows of dU (its part of the vocabulary) from every share's dZ and H, straight into the
/// master's gradient, which saves adding and clearing a V×H matrix per replica.
/// An untied embedding's gradient is summed over the rows the replicas' tokens touched only: a step of 700 tokens
/// touches a few hundred of the V rows, and adding and clearing all V·E numbers was a pass over tens of megabytes.
/// </summary>
internal sealed class StreamParallelStep<T> : ParallelWork where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Below this many FLOPs per step the fork costs more than it saves.</summary>
    internal const double MinFlops = 20e6;

    /// <summary>For tests, on the calling thread only: 0 decides automatically, n ≥ 1 cuts every step into min(n, B) shares.</summary>
    [ThreadStatic] internal static int ForcedShards;

    /// <summary>
    /// On the calling thread only: how a step on several threads is split. <see cref="StepSplit.Auto"/> (the default)
    /// chooses by the size of W_hh (<see cref="WholeStepRecurrentBytes"/>); <c>perplex bench lm --split</c> sets the others
    /// to compare the two ways on one machine.
    /// </summary>
    [ThreadStatic] internal static StepSplit Split;

    /// <summary>For tests, on the calling thread only: true sums an untied embedding's gradient densely, as any other.</summary>
    [ThreadStatic] internal static bool DenseEmbeddingSum;

    /// <summary>Elements of a gradient added per part of the reduction.</summary>
    private const int ReduceBlock = 1 << 15;

    private readonly NeuralLanguageModel<T> _master;
    private readonly List<Shard> _shards = [];
    private readonly List<(int Parameter, int Start, int Length)> _reduceBlocks = [];
    private int _steps, _batch, _shardCount, _normalizer;
    private Phase _phase;
    private PackedLinearWeights<T>? _decoderPacking;
    private int _callerThread;

    /// <summary>Index of the embedding among the master's parameters when its gradient is summed by rows, else −1.</summary>
    private int _embeddingIndex = -1;

    public StreamParallelStep(NeuralLanguageModel<T> master) => _master = master;

    /// <summary>
    /// A recurrent weight W_hh of at least this many bytes runs the step whole, every product split between the threads,
    /// instead of by streams: a share of the streams multiplies its few rows by all of W_hh at every time step, and once
    /// W_hh no longer fits in a core's L2 (1 MiB on the machines measured) both threads stream it from L3 for half the
    /// rows each. At H = 650 (LSTM: 6.8 MB) the whole step on two threads was as fast as the split by streams (median
    /// 1.79× one thread over 15 rounds, against 1.785× over 7) and gives the one-thread result bit for bit; at H = 200
    /// (0.64 MB) the streams were faster (1.81–1.88× against 1.73–1.78×; docs/benchmarks-lm.md, session 9).
    /// </summary>
    internal const long WholeStepRecurrentBytes = 1 << 20;

    /// <summary>How many shares a step of <paramref name="steps"/>×<paramref name="batch"/> tokens is cut into (1: run it whole).</summary>
    public static int ShardCount(LanguageModelConfig config, int steps, int batch)
    {
        if (ForcedShards > 0) return Math.Min(ForcedShards, batch);
        int threads = Math.Min(Parallelism.CurrentThreads, batch);
        if (threads < 2 || (double)steps * batch * ModelFlops.TrainingPerToken(config) < MinFlops) return 1;
        return Split switch
        {
            StepSplit.Whole => 1,
            StepSplit.Streams => threads,
            _ => config.IsRecurrent && RecurrentWeightBytes(config) >= WholeStepRecurrentBytes ? 1 : threads,
        };
    }

    /// <summary>The size of one layer's W_hh [G·H][H] in T.</summary>
    private static long RecurrentWeightBytes(LanguageModelConfig config)
        => (long)config.Cell.GateCount() * config.HiddenSize * config.HiddenSize * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();

    /// <summary>Forward and backward of the chunk in <paramref name="shards"/> shares; returns the summed cross-entropy.</summary>
    public double ForwardBackward(ReadOnlySpan<int> tokens, ReadOnlySpan<int> targets, int steps, int batch, int shards)
    {
        EnsureShards(shards);
        (_steps, _batch, _shardCount, _normalizer) = (steps, batch, shards, Math.Max(1, steps * batch));
        for (int s = 0; s < shards; s++)
        {
            var shard = _shards[s];
            shard.First = (int)((long)batch * s / shards);
            shard.Count = (int)((long)batch * (s + 1) / shards) - shard.First;
            Gather(tokens, shard.First, shard.Count, Workspace.Ensure(ref shard.Tokens, steps * shard.Count));
            Gather(targets, shard.First, shard.Count, Workspace.Ensure(ref shard.Targets, steps * shard.Count));
            var replica = shard.Model;
            if (replica.Batch != shard.Count) replica.ResetState(shard.Count);
            _master.CopyStreams(replica, shard.First, toReplica: true);
            replica.Training = _master.Training;
            replica.Random.State = _master.Random.NextUInt64();
        }

        _callerThread = Environment.CurrentManagedThreadId;
        var decoder = _master.DecoderLayer;
        _decoderPacking ??= new PackedLinearWeights<T>(decoder.InputSize, decoder.OutputSize);
        _phase = Phase.PackDecoder;
        ForkJoin.Run(this, 2, shards);
        foreach (var shard in _shards) shard.Model.DecoderLayer.Packed = _decoderPacking;
        foreach (var shard in _shards) shard.Model.DecoderLayer.DeferWeightGradient = true;
        try
        {
            _phase = Phase.Shares;
            ForkJoin.Run(this, shards, shards);
        }
        finally
        {
            foreach (var shard in _shards)
            {
                shard.Model.DecoderLayer.Packed = null; // the weights change after the step
                shard.Model.DecoderLayer.DeferWeightGradient = false;
            }
        }
        _phase = Phase.DecoderWeightGradient;
        ForkJoin.Run(this, shards, shards);
        _phase = Phase.Reduce;
        ForkJoin.Run(this, shards, shards);
        var masterRows = _master.EmbeddingLayer.GradientRows;
        for (int s = 1; s < shards; s++)
        {
            _shards[s].GradientsAreZero = true;
            var rows = _shards[s].Model.EmbeddingLayer.GradientRows;
            if (rows is null) continue;
            // the master's table now holds these rows' sums too (row by row, or in the dense blocks of DenseEmbeddingSum)
            if (masterRows is not null)
                for (int r = 0; r < rows.Rows.Count; r++) masterRows.Mark(rows.Rows[r]); // no enumerator: no allocation
            rows.Clear();
        }

        double loss = 0;
        for (int s = 0; s < shards; s++)
        {
            _master.CopyStreams(_shards[s].Model, _shards[s].First, toReplica: false);
            loss += _shards[s].Loss;
        }
        return loss;
    }

    /// <summary>Part s: one of the decoder's two packings, share s's forward and backward, or every S-th block of the gradient sum.</summary>
    public override void Run(int part)
    {
        int saved = Parallelism.LimitThisThreadToOne();
        try
        {
            long started = StepProfile.Start();
            switch (_phase)
            {
                case Phase.PackDecoder: _decoderPacking!.Pack(part, _master.DecoderLayer.Weight.Value.Data); break;
                case Phase.Shares: RunShard(_shards[part], part); break;
                case Phase.DecoderWeightGradient: DecoderWeightGradient(part); break;
                case Phase.Reduce: Reduce(part); break;
            }
            if (started != 0)
                StepProfile.Stop(started, (_phase switch
                    {
                        // sections whose GEMMs and packing are timed on their own as well say so, and are not added twice
                        Phase.PackDecoder => "data parallel: pack decoder W (incl. the above)",
                        Phase.Shares => "data parallel: one share (incl. the above)",
                        Phase.DecoderWeightGradient => "data parallel: decoder dW by rows (incl. the above)",
                        _ => "data parallel: add gradients",
                    })
                    + (Environment.CurrentManagedThreadId == _callerThread ? ", calling thread" : ", worker thread"));
        }
        finally
        {
            Parallelism.RestoreThreadLimit(saved);
        }
    }

    private void RunShard(Shard shard, int index)
    {
        // replica 0 adds to the master's own gradients; the others start from zero, which the last reduction left
        // unless that step was cut short
        if (index > 0 && !shard.GradientsAreZero)
        {
            shard.Model.ZeroGrad();
            shard.Model.EmbeddingLayer.GradientRows?.Clear();
        }
        shard.GradientsAreZero = false;
        int n = _steps * shard.Count;
        shard.Loss = shard.Model.ForwardBackwardSum(shard.Tokens.AsSpan(0, n), shard.Targets.AsSpan(0, n), _steps, shard.Count, _normalizer);
    }

    /// <summary>dU[rows of part] += Σ_s dZ_s[:, rows of part]ᵀ · H_s, shares in order.</summary>
    private void DecoderWeightGradient(int part)
    {
        var decoder = _master.DecoderLayer;
        int vocab = decoder.OutputSize;
        int first = (int)((long)vocab * part / _shardCount), end = (int)((long)vocab * (part + 1) / _shardCount);
        for (int s = 0; s < _shardCount; s++)
        {
            var replica = _shards[s].Model;
            int rows = _steps * _shards[s].Count;
            decoder.WeightGradient(replica.LastDecoderInput, replica.LastLogitGradient, rows, first, end - first);
        }
    }

    /// <summary>
    /// master.grad += replica_s.grad for s = 1..S−1 in that order, on this part's blocks; each replica block is then
    /// cleared for the next step while it is still in cache (zeroing it at the start of a share would put a pass over
    /// all of its gradients on that share's thread alone).
    /// </summary>
    private void Reduce(int part)
    {
        var parameters = _master.Parameters;
        for (int i = part; i < _reduceBlocks.Count; i += _shardCount)
        {
            var (p, start, length) = _reduceBlocks[i];
            var sum = parameters[p].Grad.Data.AsSpan(start, length);
            for (int s = 1; s < _shardCount; s++)
            {
                var replica = _shards[s].Model.Parameters[p].Grad.Data.AsSpan(start, length);
                TP.Add(sum, replica, sum);
                replica.Clear();
            }
        }
        if (_embeddingIndex < 0) return;
        // Rows are split between the parts by id, so no two parts write one row; each row still adds the
        // replicas in share order, as the dense blocks do.
        var table = parameters[_embeddingIndex].Grad.Data;
        int width = _master.EmbeddingLayer.EmbeddingSize;
        for (int s = 1; s < _shardCount; s++)
        {
            var replicaEmbedding = _shards[s].Model.EmbeddingLayer;
            var replicaTable = replicaEmbedding.Weight.Grad.Data;
            foreach (int row in replicaEmbedding.GradientRows!.Rows)
            {
                if (row % _shardCount != part) continue;
                var sum = table.AsSpan(row * width, width);
                var replica = replicaTable.AsSpan(row * width, width);
                TP.Add(sum, replica, sum);
                replica.Clear();
            }
        }
    }

    /// <summary>Copies columns [first, first+count) of a [steps][batch] id matrix into a [steps][count] one, checking the ids.</summary>
    private void Gather(ReadOnlySpan<int> ids, int first, int count, Span<int> destination)
    {
        int vocab = _master.VocabSize;
        for (int t = 0; t < _steps; t++)
        {
            var row = ids.Slice(t * _batch + first, count);
            foreach (int id in row)
                if ((uint)id >= (uint)vocab)
                    throw new ArgumentOutOfRangeException(nameof(ids), id, $"token id outside the vocabulary of {vocab}");
            row.CopyTo(destination.Slice(t * count, count));
        }
    }

    private void EnsureShards(int count)
    {
        bool rowsOfEmbedding = !_master.Config.Tied && !DenseEmbeddingSum; // tied, the table's gradient is the decoder's too: dense
        while (_shards.Count < count)
        {
            var replica = _master.CreateReplica(shareGradients: _shards.Count == 0);
            _shards.Add(new Shard(replica));
        }
        if (_reduceBlocks.Count > 0) return;
        var parameters = _master.Parameters;
        if (rowsOfEmbedding) _embeddingIndex = parameters.ToList().IndexOf(_master.EmbeddingLayer.Weight);
        // untied, the decoder weight's gradient is written to the master's directly; tied, it is the embedding's too
        int decoderIndex = _master.Config.Tied ? -1 : parameters.ToList().IndexOf(_master.DecoderLayer.Weight);
        for (int p = 0; p < parameters.Count; p++)
            if (p != _embeddingIndex && p != decoderIndex)
                for (int start = 0; start < parameters[p].Grad.Length; start += ReduceBlock)
                    _reduceBlocks.Add((p, start, Math.Min(ReduceBlock, parameters[p].Grad.Length - start)));
    }

    private enum Phase { PackDecoder, Shares, DecoderWeightGradient, Reduce }

    /// <summary>One share: its replica, its streams, its token ids and its loss.</summary>
    private sealed class Shard(NeuralLanguageModel<T> model)
    {
        public readonly NeuralLanguageModel<T> Model = model;
        public int[] Tokens = [], Targets = [];
        public int First, Count;
        public double Loss;

        /// <summary>True when the replica's gradients are known to be zero (new, or cleared by the last reduction).</summary>
        public bool GradientsAreZero = true;
    }
}

/// <summary>How a training step on several threads is split between them.</summary>
internal enum StepSplit
{
    /// <summary>By the size of the recurrent weight (see <see cref="StreamParallelStep{T}.WholeStepRecurrentBytes"/>).</summary>
    Auto,

    /// <summary>By streams: each thread runs forward and backward for its share of the batch (data parallelism).</summary>
    Streams,

    /// <summary>The step whole, with every matrix product and cell split between the threads.</summary>
    Whole,
}
