using System.Numerics;
using Perplex.Layers;
using Perplex.Tensors;
using Perplex.Training;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Perplex.Models;

/// <summary>
/// Data parallelism inside one training step: the B streams of a chunk are cut into S contiguous shares, one per
/// thread; each share runs forward and backward on its own replica of the model (its own activations and carried
/// state, the master's weights), then the shares' gradients are added into the master's in share order.
/// Forking once per step instead of once per GEMM is what lets two cores scale: the per-time-step recurrent
/// products are far too small to split. Replica 0 accumulates straight into the master's gradients, so only
/// S − 1 gradient sets are added. Dropout masks come from generators reseeded from the master's
/// <see cref="NeuralLanguageModel{T}.Random"/> every step, so a checkpoint of the master resumes exactly.
/// </summary>
internal sealed class StreamParallelStep<T> : ParallelWork where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Below this many FLOPs per step the fork costs more than it saves.</summary>
    internal const double MinFlops = 20e6;

    /// <summary>For tests, on the calling thread only: 0 decides automatically, n ≥ 1 cuts every step into min(n, B) shares.</summary>
    [ThreadStatic] internal static int ForcedShards;

    /// <summary>Elements of a gradient added per part of the reduction.</summary>
    private const int ReduceBlock = 1 << 15;

    private readonly NeuralLanguageModel<T> _master;
    private readonly List<Shard> _shards = [];
    private readonly List<(int Parameter, int Start, int Length)> _reduceBlocks = [];
    private int _steps, _batch, _shardCount, _normalizer;
    private Phase _phase;
    private PackedLinearWeights<T>? _decoderPacking;
    private int _callerThread;

    public StreamParallelStep(NeuralLanguageModel<T> master) => _master = master;

    /// <summary>How many shares a step of <paramref name="steps"/>×<paramref name="batch"/> tokens is cut into (1: run it whole).</summary>
    public static int ShardCount(LanguageModelConfig config, int steps, int batch)
    {
        if (ForcedShards > 0) return Math.Min(ForcedShards, batch);
        int threads = Math.Min(Parallelism.CurrentThreads, batch);
        if (threads < 2 || (double)steps * batch * ModelFlops.TrainingPerToken(config) < MinFlops) return 1;
        return threads;
    }

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
        try
        {
            _phase = Phase.Shares;
            ForkJoin.Run(this, shards, shards);
        }
        finally
        {
            foreach (var shard in _shards) shard.Model.DecoderLayer.Packed = null; // the weights change after the step
        }
        _phase = Phase.Reduce;
        ForkJoin.Run(this, shards, shards);
        for (int s = 1; s < shards; s++) _shards[s].GradientsAreZero = true;

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
                case Phase.Reduce: Reduce(part); break;
            }
            if (started != 0)
                StepProfile.Stop(started, (_phase switch
                    {
                        Phase.PackDecoder => "data parallel: pack the decoder weight",
                        Phase.Shares => "data parallel: one share (incl. the above)",
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
        if (index > 0 && !shard.GradientsAreZero) shard.Model.ZeroGrad();
        shard.GradientsAreZero = false;
        int n = _steps * shard.Count;
        shard.Loss = shard.Model.ForwardBackwardSum(shard.Tokens.AsSpan(0, n), shard.Targets.AsSpan(0, n), _steps, shard.Count, _normalizer);
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
        while (_shards.Count < count)
            _shards.Add(new Shard(_master.CreateReplica(shareGradients: _shards.Count == 0)));
        if (_reduceBlocks.Count > 0) return;
        var parameters = _master.Parameters;
        for (int p = 0; p < parameters.Count; p++)
            for (int start = 0; start < parameters[p].Grad.Length; start += ReduceBlock)
                _reduceBlocks.Add((p, start, Math.Min(ReduceBlock, parameters[p].Grad.Length - start)));
    }

    private enum Phase { PackDecoder, Shares, Reduce }

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
