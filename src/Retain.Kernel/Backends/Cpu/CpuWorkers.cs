namespace Retain.Kernel.Backends.Cpu;

/// <summary>
/// A fixed set of worker threads that run one parallel loop at a time without allocating: the loop body is a
/// function pointer and its arguments a struct on the caller's stack (the caller blocks until every chunk is done,
/// so the struct outlives the loop). Chunk boundaries are chosen by the op, never by the thread count, and every
/// reduction combines per-chunk partials in chunk order, so results are bitwise identical for any number of threads.
/// <para>
/// Why not Parallel.For: it allocates per call (closures, loop state), which breaks the zero-allocation training step,
/// and its hand-off cost dominates the tiny tensors of small models. Workers spin briefly between loops (consecutive
/// ops follow within microseconds) and then sleep.
/// </para>
/// </summary>
internal sealed unsafe class CpuWorkers : IDisposable
{
    // _work packs generation (24 bits) | chunk count (20 bits) | next chunk (20 bits); claiming a chunk is one CAS that
    // also proves the loop is still the one whose body and state the claimer will read.
    private const int CountBits = 20;
    private const long IndexMask = (1L << CountBits) - 1;
    private const int MaxChunks = (1 << CountBits) - 1;

    private readonly Thread[] _threads;
    private readonly object _gate = new();
    private long _work;
    private int _completed;
    private int _sleeping;
    private volatile bool _disposed;
    private delegate*<void*, int, void> _body;
    private void* _state;
    private readonly int _spinIterations;
    private readonly long[] _workerAllocated;

    public CpuWorkers(int threadCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threadCount, 1);
        ThreadCount = threadCount;
        _spinIterations = threadCount > 1 ? 20_000 : 0;
        _threads = new Thread[threadCount - 1];
        _workerAllocated = new long[_threads.Length];
        for (int i = 0; i < _threads.Length; i++)
        {
            int index = i;
            _threads[i] = new Thread(() => WorkerLoop(index)) { IsBackground = true, Name = $"retain-cpu-{i + 1}" };
            _threads[i].Start();
        }
    }

    /// <summary>Threads taking part in a loop, the caller included.</summary>
    public int ThreadCount { get; }

    /// <summary>Runs body(state, i) for i in [0, chunks); returns when all are done.</summary>
    public void Run(int chunks, delegate*<void*, int, void> body, void* state)
    {
        if (chunks <= 0) return;
        if (chunks == 1 || _threads.Length == 0)
        {
            for (int i = 0; i < chunks; i++) body(state, i);
            return;
        }
        if (chunks > MaxChunks) throw new ArgumentOutOfRangeException(nameof(chunks), $"At most {MaxChunks} chunks per loop.");

        _body = body;
        _state = state;
        Volatile.Write(ref _completed, 0);
        long generation = ((_work >> (2 * CountBits)) + 1) & 0xFFFFFF;
        Interlocked.Exchange(ref _work, (generation << (2 * CountBits)) | ((long)chunks << CountBits));
        if (Volatile.Read(ref _sleeping) > 0)
        {
            lock (_gate) Monitor.PulseAll(_gate);
        }

        RunChunks();
        var spinner = new SpinWait();
        while (Volatile.Read(ref _completed) < chunks) spinner.SpinOnce(-1);
    }

    /// <summary>Claims and runs chunks of the current loop until none is left.</summary>
    private void RunChunks()
    {
        while (true)
        {
            long work = Volatile.Read(ref _work);
            long count = (work >> CountBits) & IndexMask;
            long next = work & IndexMask;
            if (next >= count) return;
            if (Interlocked.CompareExchange(ref _work, work + 1, work) != work) continue;
            _body(_state, (int)next);
            Interlocked.Increment(ref _completed);
        }
    }

    private bool HasWork()
    {
        long work = Volatile.Read(ref _work);
        return (work & IndexMask) < ((work >> CountBits) & IndexMask);
    }

    /// <summary>Bytes the worker threads have allocated on the managed heap (diagnostics: op bodies must allocate nothing).</summary>
    public long WorkerAllocatedBytes
    {
        get
        {
            long total = 0;
            for (int i = 0; i < _workerAllocated.Length; i++) total += Volatile.Read(ref _workerAllocated[i]);
            return total;
        }
    }

    private void WorkerLoop(int index)
    {
        while (!_disposed)
        {
            int spins = 0;
            while (!HasWork() && spins < _spinIterations && !_disposed)
            {
                Thread.SpinWait(20);
                spins++;
            }
            if (!HasWork())
            {
                lock (_gate)
                {
                    Interlocked.Increment(ref _sleeping);
                    while (!HasWork() && !_disposed) Monitor.Wait(_gate);
                    Interlocked.Decrement(ref _sleeping);
                }
            }
            RunChunks();
            Volatile.Write(ref _workerAllocated[index], GC.GetAllocatedBytesForCurrentThread());
        }
    }

    public void Dispose()
    {
        _disposed = true;
        lock (_gate) Monitor.PulseAll(_gate);
    }
}
