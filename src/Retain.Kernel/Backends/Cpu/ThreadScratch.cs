using System.Runtime.InteropServices;

namespace Retain.Kernel.Backends.Cpu;

/// <summary>Per-thread native scratch memory for op bodies (a softmax row, a dP row); grows, never shrinks.</summary>
internal static unsafe class ThreadScratch
{
    [ThreadStatic] private static nint t_pointer;
    [ThreadStatic] private static long t_capacity;

    /// <summary>At least <paramref name="floats"/> floats, valid until the same thread asks again.</summary>
    public static float* Get(long floats)
    {
        if (floats > t_capacity)
        {
            if (t_pointer != 0) NativeMemory.AlignedFree((void*)t_pointer);
            long capacity = Math.Max(floats, 1024);
            t_pointer = (nint)NativeMemory.AlignedAlloc((nuint)(capacity * sizeof(float)), 64);
            t_capacity = capacity;
        }
        return (float*)t_pointer;
    }
}
