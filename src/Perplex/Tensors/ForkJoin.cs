namespace Perplex.Tensors;

/// <summary>One share of a parallel job: <see cref="Run"/> is called exactly once for each part 0..parts−1, on any thread.</summary>
internal abstract class ParallelWork
{
    public abstract void Run(int part);
}

/// <summary>
/// A minimal fork-join over persistent worker threads, robust to a busy machine. The parts of a job are claimed
/// one by one from a shared counter by the caller and by whichever workers are awake, so the caller never waits
/// for a worker that the OS has not scheduled yet: it takes the remaining parts itself and waits only for parts
/// already being run. Workers spin briefly before sleeping, so back-to-back small GEMMs (one per time step) do not
/// pay a thread wake-up each. Nothing is allocated per call. When another thread's job already holds the workers,
/// the caller runs every part itself: the same result, no oversubscription.
/// </summary>
internal static class ForkJoin
{
    /// <summary>Claim index meaning "no job open": above any part count.</summary>
    private const int Closed = int.MaxValue;

    private static readonly Lock Gate = new();
    private static Worker[] workers = [];

    // The open job. Its fields are written before the state announces a new generation and change only after the
    // state is closed again, so a worker that claims a part with a compare-exchange on the state knows they are its job's.
    private static ParallelWork? current;
    private static int partCount;
    private static int finished;
    private static Exception? failure;

    /// <summary>High half: job generation; low half: the next part to claim (or <see cref="Closed"/>).</summary>
    private static long state = Closed;

    /// <summary>Runs parts 0..parts−1 of <paramref name="work"/> on the caller and up to threads − 1 workers (threads ≤ 0: one per part).</summary>
    public static void Run(ParallelWork work, int parts, int threads = 0)
    {
        if (parts <= 1)
        {
            if (parts == 1) work.Run(0);
            return;
        }
        int helpers = Math.Min(parts, threads > 0 ? threads : parts) - 1;
        // nested use (a part that forks again) runs serially too: the lock is re-entrant, the job state is not
        if (helpers <= 0 || Gate.IsHeldByCurrentThread || !Gate.TryEnter())
        {
            RunSerially(work, parts);
            return;
        }
        try
        {
            EnsureWorkers(helpers);
            long generation = (Volatile.Read(ref state) >> 32) + 1;
            current = work;
            partCount = parts;
            finished = 0;
            failure = null;
            Volatile.Write(ref state, generation << 32);
            for (int w = 0; w < helpers; w++) workers[w].Wake();

            RunParts();
            var spin = new SpinWait();
            while (Volatile.Read(ref finished) != parts) spin.SpinOnce(sleep1Threshold: -1);
            Volatile.Write(ref state, (generation << 32) | Closed);
            current = null;
            if (failure is { } e) throw new AggregateException("a parallel GEMM part failed", e);
        }
        finally
        {
            Gate.Exit();
        }
    }

    /// <summary>Every part on the calling thread; a failure is reported as from a parallel run, after all parts ran.</summary>
    private static void RunSerially(ParallelWork work, int parts)
    {
        Exception? first = null;
        for (int part = 0; part < parts; part++)
        {
            try
            {
                work.Run(part);
            }
            catch (Exception e)
            {
                first ??= e;
            }
        }
        if (first is not null) throw new AggregateException("a parallel GEMM part failed", first);
    }

    /// <summary>Claims and runs parts of the open job until none are left.</summary>
    private static void RunParts()
    {
        while (true)
        {
            long seen = Volatile.Read(ref state);
            int next = (int)(seen & 0xFFFF_FFFF);
            var work = current;
            if (next >= Volatile.Read(ref partCount) || work is null) return;
            if (Interlocked.CompareExchange(ref state, seen + 1, seen) != seen) continue;
            try
            {
                work.Run(next);
            }
            catch (Exception e)
            {
                failure = e;
            }
            Interlocked.Increment(ref finished);
        }
    }

    private static void EnsureWorkers(int count)
    {
        if (workers.Length >= count) return;
        var grown = new Worker[count];
        Array.Copy(workers, grown, workers.Length);
        for (int i = workers.Length; i < count; i++) grown[i] = new Worker(i + 1);
        workers = grown;
    }

    private sealed class Worker
    {
        private readonly ManualResetEventSlim wake = new(false, spinCount: 2047);

        public Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"perplex-gemm-{index}" };
            thread.Start();
        }

        public void Wake() => wake.Set();

        private void Loop()
        {
            while (true)
            {
                wake.Wait();
                wake.Reset();
                RunParts();
            }
        }
    }
}
