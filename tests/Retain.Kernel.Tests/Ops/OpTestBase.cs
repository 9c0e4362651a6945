using Retain.Kernel.Backends;
using Retain.Kernel.Backends.Cpu;
using Retain.Kernel.Backends.Cpu.Gemm;

namespace Retain.Kernel.Tests.Ops;

/// <summary>Runs op tests on backends with both GEMMs and with one and two threads.</summary>
public abstract class OpTestBase
{
    public static TheoryData<string> Backends => ["managed-1", "managed-2", "openblas-2"];

    protected static CpuBackend CreateBackend(string name) => name switch
    {
        "managed-1" => new CpuBackend(new CpuBackendOptions { Threads = 1, Gemm = GemmProvider.Managed }),
        "managed-2" => new CpuBackend(new CpuBackendOptions { Threads = 2, Gemm = GemmProvider.Managed }),
        "openblas-2" => new CpuBackend(new CpuBackendOptions { Threads = 2, Gemm = CpuBackend.OpenBlasPath is null ? GemmProvider.Managed : GemmProvider.OpenBlas }),
        _ => throw new ArgumentException(name),
    };

    protected static DeviceBuffer<float> Up(IBackend b, double[] x)
    {
        var buffer = b.Allocate(x.Length);
        b.Upload(Reference.Numerics.ToFloat(x), buffer.View);
        return buffer;
    }

    protected static DeviceBuffer<int> Up(IBackend b, int[] x)
    {
        var buffer = b.AllocateInt(x.Length);
        b.Upload(x, buffer.View);
        return buffer;
    }

    protected static float[] Down(IBackend b, DeviceBuffer<float> buffer)
    {
        var x = new float[buffer.Length];
        b.Download(buffer.View, x);
        return x;
    }
}
