using Retain.Kernel.Backends.Cuda.Compilation;

namespace Retain.Cuda.Tests.Emulation;

/// <summary>The kernels of planted_faults.cu (built into the emulator only), each with one fault a check must catch.</summary>
internal static class PlantedFaults
{
    public const string Module = "planted_faults";

    private const KernelArgKind Ptr = KernelArgKind.Pointer;

    public static readonly KernelSpec ReduceWithoutTrailingBarrier = new(Module, "fault_reduce_without_trailing_barrier", Ptr, Ptr);
    public static readonly KernelSpec UninitialisedShared = new(Module, "fault_uninitialised_shared", Ptr);
    public static readonly KernelSpec SharedWriteWrite = new(Module, "fault_shared_write_write", Ptr);
    public static readonly KernelSpec BlockOrder = new(Module, "fault_block_order", Ptr);
    public static readonly KernelSpec BlockAlone = new(Module, "fault_block_alone", Ptr, Ptr);
    public static readonly KernelSpec RecordOrder = new(Module, "fault_record_order", Ptr, Ptr);

    public static IReadOnlyList<KernelSpec> All { get; } =
        [ReduceWithoutTrailingBarrier, UninitialisedShared, SharedWriteWrite, BlockOrder, BlockAlone, RecordOrder];
}
