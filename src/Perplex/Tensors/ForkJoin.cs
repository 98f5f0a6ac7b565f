namespace Perplex.Tensors;

/// <summary>One share of a parallel job: <see cref="Run"/> is called once for each part 0..parts−1.</summary>
internal abstract class ParallelWork
{
    public abstract void Run(int part);
}

/// <summary>
/// A minimal fork-join over persistent worker threads: part 0 runs on the caller, parts 1.. on workers that spin
/// briefly before sleeping, so back-to-back small GEMMs (one per time step) do not pay a thread wake-up each.
/// Nothing is allocated per call. When another thread's job already holds the workers, the caller simply runs
/// every part itself: the same result, no oversubscription.
/// </summary>
internal static class ForkJoin
{
    private static readonly Lock Gate = new();
    private static Worker[] workers = [];
    private static int pending;
    private static Exception? failure;

    public static void Run(ParallelWork work, int parts)
    {
        if (parts <= 1 || !Gate.TryEnter())
        {
            for (int part = 0; part < parts; part++) work.Run(part);
            return;
        }
        try
        {
            EnsureWorkers(parts - 1);
            failure = null;
            Volatile.Write(ref pending, parts - 1);
            for (int w = 0; w < parts - 1; w++) workers[w].Start(work, w + 1);
            work.Run(0);
            var spin = new SpinWait();
            while (Volatile.Read(ref pending) != 0) spin.SpinOnce(sleep1Threshold: -1);
            if (failure is { } e) throw new AggregateException("a parallel GEMM worker failed", e);
        }
        finally
        {
            Gate.Exit();
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
        private readonly ManualResetEventSlim start = new(false, spinCount: 2047);
        private ParallelWork? work;
        private int part;

        public Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"perplex-gemm-{index}" };
            thread.Start();
        }

        public void Start(ParallelWork job, int share)
        {
            work = job;
            part = share;
            start.Set();
        }

        private void Loop()
        {
            while (true)
            {
                start.Wait();
                start.Reset();
                try
                {
                    work!.Run(part);
                }
                catch (Exception e)
                {
                    failure = e;
                }
                Interlocked.Decrement(ref pending);
            }
        }
    }
}
