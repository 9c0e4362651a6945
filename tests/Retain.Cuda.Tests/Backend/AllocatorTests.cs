using Retain.Cuda.Tests.Fakes;
using Retain.Kernel.Backends.Cuda;
using Retain.Kernel.Backends.Cuda.Interop;
using Retain.Kernel.Backends.Cuda.Memory;

namespace Retain.Cuda.Tests.Backend;

public class AllocatorTests
{
    [Theory]
    [InlineData(1, 512)]
    [InlineData(512, 512)]
    [InlineData(513, 1024)]
    [InlineData(1L << 20, 1L << 20)]
    [InlineData((1L << 20) + 1, 2L << 20)]
    [InlineData((5L << 20) + 7, 6L << 20)]
    public void Sizes_round_to_512_bytes_and_above_one_mebibyte_to_two(long bytes, long block) => CachingAllocator.RoundUp(bytes).ShouldBe(block);

    [Fact]
    public void Returned_blocks_are_reused_for_the_same_size_class()
    {
        using var device = new RecordingDevice();
        using var allocator = new CachingAllocator(device);
        ulong a = allocator.Allocate(3000);
        allocator.Return(a, 3000);
        allocator.CachedBytes.ShouldBe(3072);
        allocator.Allocate(2900).ShouldBe(a);
        allocator.Allocate(3000).ShouldNotBe(a);
        device.DeviceAllocations.ShouldBe(2);
        allocator.HeldBytes.ShouldBe(2 * 3072);
    }

    [Fact]
    public void When_the_device_is_full_the_cache_is_freed_and_the_allocation_retried()
    {
        using var device = new RecordingDevice(capacityBytes: 64L << 20);
        using var allocator = new CachingAllocator(device);
        ulong big = allocator.Allocate(40L << 20);
        allocator.Return(big, 40L << 20);

        ulong other = allocator.Allocate(48L << 20);

        other.ShouldNotBe(0UL);
        device.Frees.ShouldBe(1);
        allocator.CachedBytes.ShouldBe(0);
        allocator.HeldBytes.ShouldBe(48L << 20);
        allocator.PeakHeldBytes.ShouldBe(48L << 20); // the freed 40 MiB block and the 48 MiB one were never held together
    }

    [Fact]
    public void Out_of_memory_names_the_size_asked_for_and_the_free_memory()
    {
        using var device = new RecordingDevice(capacityBytes: 64L << 20);
        using var cuda = new CudaBackend(device, new CudaBackendOptions());

        var error = Should.Throw<CudaOutOfMemoryException>(() => cuda.Allocate(32L << 20));

        error.Message.ShouldStartWith("CUDA out of memory on Recording test device: could not allocate 128.00 MiB (134217728 bytes); ");
        error.Message.ShouldContain(" free of 64.00 MiB");
        error.RequestedBytes.ShouldBe(134217728);
        error.TotalBytes.ShouldBe(64L << 20);
        error.FreeBytes.ShouldBeLessThan(64L << 20);
    }

    [Fact]
    public void Blocks_returned_from_another_thread_enter_the_cache()
    {
        using var device = new RecordingDevice();
        using var allocator = new CachingAllocator(device);
        ulong a = allocator.Allocate(4096);
        var thread = new Thread(() => allocator.Return(a, 4096));
        thread.Start();
        thread.Join();
        allocator.Allocate(4096).ShouldBe(a);
        device.DeviceAllocations.ShouldBe(1);
    }
}
