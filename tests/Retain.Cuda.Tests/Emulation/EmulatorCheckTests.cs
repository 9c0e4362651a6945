using System.Runtime.InteropServices;
using Retain.Kernel.Backends.Cuda;
using Retain.Kernel.Backends.Cuda.Compilation;

namespace Retain.Cuda.Tests.Emulation;

/// <summary>
/// The emulator's checks against kernels with planted faults (planted_faults.cu): each check fails the fault it is
/// for, so a kernel of Retain's with that fault cannot pass the emulated tests.
/// </summary>
public sealed unsafe class EmulatorCheckTests
{
    private static readonly EmulatorRun ForwardInGridOrder = new(EmulatorSchedule.Forward, EmulatorBlockOrder.Grid);

    /// <summary>Host memory standing in for a device buffer.</summary>
    private sealed class Buffer<T> : IDisposable where T : unmanaged
    {
        public Buffer(int length, T fill)
        {
            Length = length;
            Address = (ulong)NativeMemory.AlignedAlloc((nuint)(length * sizeof(T)), 256);
            Span.Fill(fill);
        }

        public int Length { get; }

        public ulong Address { get; }

        public Span<T> Span => new((void*)Address, Length);

        public static implicit operator KernelArg(Buffer<T> buffer) => new DevicePointer(buffer.Address, buffer.Length * sizeof(T));

        public void Dispose() => NativeMemory.AlignedFree((void*)Address);
    }

    private static void Launch(EmulatorOptions options, KernelSpec kernel, uint blocks, int threads, params KernelArg[] arguments) =>
        new EmulatedLaunches(options).Execute(kernel, new Dim3(blocks), threads, arguments);

    private static EmulatorOptions Unchecked(EmulatorRun run, params EmulatorRun[] compareWith) =>
        new() { Run = run, CompareWith = compareWith, CheckSharedMemory = false };

    [EmulatorFact]
    public void A_reduction_without_its_trailing_barrier_is_a_race_and_depends_on_the_schedule()
    {
        using var input = new Buffer<float>(2 * CudaKernels.Block, 1f);
        using var output = new Buffer<float>(2 * CudaKernels.Block, 0f);

        Should.Throw<InvalidOperationException>(() => Launch(new EmulatorOptions { Run = ForwardInGridOrder }, PlantedFaults.ReduceWithoutTrailingBarrier, 2, CudaKernels.Block, output, input))
            .Message.ShouldContain("shared-memory race in fault_reduce_without_trailing_barrier, block (0, 0, 0), barrier interval 1");

        // In thread order the fault is invisible; reversed, the other threads read scratch[0] before thread 0 sums.
        Launch(Unchecked(ForwardInGridOrder), PlantedFaults.ReduceWithoutTrailingBarrier, 2, CudaKernels.Block, output, input);
        output.Span.ToArray().ShouldAllBe(v => v == CudaKernels.Block);
        Should.Throw<InvalidOperationException>(() => Launch(Unchecked(ForwardInGridOrder, new EmulatorRun(EmulatorSchedule.Reverse, EmulatorBlockOrder.Grid)),
                PlantedFaults.ReduceWithoutTrailingBarrier, 2, CudaKernels.Block, output, input))
            .Message.ShouldContain("gives different results under Forward threads, Grid blocks and under Reverse threads, Grid blocks: argument 0");
    }

    [EmulatorFact]
    public void A_read_of_shared_memory_no_thread_wrote_is_reported_and_reads_nan()
    {
        using var output = new Buffer<float>(CudaKernels.Block, 0f);
        var message = Should.Throw<InvalidOperationException>(() => Launch(new EmulatorOptions(), PlantedFaults.UninitialisedShared, 1, CudaKernels.Block, output)).Message;
        message.ShouldContain("uninitialised shared memory in fault_uninitialised_shared, block (0, 0, 0), barrier interval 1: thread ");
        message.ShouldContain("which no thread of the block has written");
        if (KernelEmulator.FindOnPath("nm") is not null) message.ShouldContain("fault_uninitialised_shared::staged byte ");

        Launch(Unchecked(ForwardInGridOrder), PlantedFaults.UninitialisedShared, 1, CudaKernels.Block, output);
        output.Span[..(CudaKernels.Block / 2)].ToArray().ShouldBe(Enumerable.Range(0, CudaKernels.Block / 2).Select(i => (float)i).ToArray());
        output.Span[(CudaKernels.Block / 2)..].ToArray().ShouldAllBe(v => float.IsNaN(v));
    }

    [EmulatorFact]
    public void Two_threads_storing_to_one_shared_word_between_barriers_is_a_race()
    {
        using var output = new Buffer<float>(1, 0f);
        Should.Throw<InvalidOperationException>(() => Launch(new EmulatorOptions(), PlantedFaults.SharedWriteWrite, 1, 64, output))
            .Message.ShouldMatch(@"shared-memory race in fault_shared_write_write, block \(0, 0, 0\), barrier interval 0: thread \d+ writes .*, which thread \d+ accessed in the same interval");
    }

    [EmulatorFact]
    public void Kernels_assuming_block_order_fail_under_shuffled_blocks()
    {
        const int Blocks = 16;
        using var running = new Buffer<float>(Blocks + 1, 0f);
        Launch(Unchecked(ForwardInGridOrder), PlantedFaults.BlockOrder, Blocks, 32, running);
        running.Span[Blocks].ShouldBe(Blocks);
        running.Span.Fill(0f);
        Should.Throw<InvalidOperationException>(() => Launch(Unchecked(ForwardInGridOrder, new EmulatorRun(EmulatorSchedule.Forward, EmulatorBlockOrder.Shuffled)),
            PlantedFaults.BlockOrder, Blocks, 32, running)).Message.ShouldContain("gives different results under Forward threads, Grid blocks and under Forward threads, Shuffled blocks");
    }

    [EmulatorFact]
    public void Kernels_assuming_a_block_runs_alone_fail_under_interleaved_blocks()
    {
        const int Blocks = 16, Threads = 64;
        using var output = new Buffer<float>(Blocks * Threads, 0f);
        using var announced = new Buffer<float>(1, 0f);
        var shuffled = new EmulatorRun(EmulatorSchedule.Forward, EmulatorBlockOrder.Shuffled);
        Launch(Unchecked(shuffled), PlantedFaults.BlockAlone, Blocks, Threads, output, announced);
        output.Span.ToArray().ShouldBe(Enumerable.Range(0, Blocks * Threads).Select(i => (float)(i / Threads)).ToArray());
        Should.Throw<InvalidOperationException>(() => Launch(Unchecked(shuffled, new EmulatorRun(EmulatorSchedule.Forward, EmulatorBlockOrder.Interleaved)),
            PlantedFaults.BlockAlone, Blocks, Threads, output, announced)).Message.ShouldContain("under Forward threads, Interleaved blocks: argument 0");
    }

    [EmulatorFact]
    public void The_schedules_run_the_threads_of_every_barrier_interval_in_their_orders()
    {
        const int Threads = 64;
        int[] Order(EmulatorSchedule schedule, ulong seed)
        {
            using var order = new Buffer<int>(2 * Threads, -1);
            using var counters = new Buffer<int>(2, 0);
            Launch(new EmulatorOptions { Run = new(schedule, EmulatorBlockOrder.Grid), Seed = seed }, PlantedFaults.RecordOrder, 1, Threads, order, counters);
            return order.Span.ToArray();
        }

        var forward = Enumerable.Range(0, Threads).ToArray();
        Order(EmulatorSchedule.Forward, 1).ShouldBe([.. forward, .. forward]);
        Order(EmulatorSchedule.Reverse, 1).ShouldBe([.. forward.Reverse(), .. forward.Reverse()]);
        int[] warps = [.. Enumerable.Range(32, 32), .. Enumerable.Range(0, 32)];
        Order(EmulatorSchedule.WarpsReversed, 1).ShouldBe([.. warps, .. warps]);

        var random = Order(EmulatorSchedule.Random, 7);
        random[..Threads].Order().ShouldBe(forward);
        random[..Threads].ShouldNotBe(forward);
        random[Threads..].ShouldNotBe(random[..Threads], "a new permutation for every interval");
        Order(EmulatorSchedule.Random, 7).ShouldBe(random, "the same seed replays the same orders");
        Order(EmulatorSchedule.Random, 8).ShouldNotBe(random);
    }

    [Fact]
    public void With_poisoning_every_block_and_every_scratch_use_reads_as_nan_until_written()
    {
        using var device = new Fakes.RecordingDevice();
        using var allocator = new Retain.Kernel.Backends.Cuda.Memory.CachingAllocator(device, poison: true);
        ulong first = allocator.Allocate(1000);
        var block = new Span<float>((void*)first, 250);
        block.ToArray().ShouldAllBe(v => float.IsNaN(v));
        block.Fill(1f);
        allocator.Return(first, 1000);
        // The same block comes back from the cache, poisoned again.
        allocator.Allocate(1000).ShouldBe(first);
        block.ToArray().ShouldAllBe(v => float.IsNaN(v));

        using var scratch = new Retain.Kernel.Backends.Cuda.Memory.DeviceScratch(allocator);
        var pointer = scratch.Get(64);
        new Span<float>((void*)pointer.Address, 16).Fill(2f);
        scratch.Get(64).Address.ShouldBe(pointer.Address);
        new Span<float>((void*)pointer.Address, 16).ToArray().ShouldAllBe(v => float.IsNaN(v), "scratch is poisoned for every op");

        uint word = CudaBackendOptions.PoisonPattern;
        float.IsNaN(BitConverter.UInt32BitsToSingle(word)).ShouldBeTrue();
        double.IsNaN(BitConverter.UInt64BitsToDouble(((ulong)word << 32) | word)).ShouldBeTrue();
        float.IsNaN(BitConverter.UInt32BitsToSingle(word << 16)).ShouldBeTrue("low bf16 half");
        float.IsNaN(BitConverter.UInt32BitsToSingle(word & 0xFFFF0000u)).ShouldBeTrue("high bf16 half");
    }
}
