// Kernels with one planted fault each, built into the emulator beside Retain's kernels: EmulatorCheckTests shows that
// every check (the shared-memory checker, the schedules compared with each other, shuffled and interleaved blocks,
// the NaN fill) catches its class of fault. Never compiled for a GPU.
#include "common.cuh"

// retain_block_sum without its trailing __syncthreads(): threads may read scratch[0] before thread 0 stores the total.
extern "C" __global__ void fault_reduce_without_trailing_barrier(float* out, const float* in)
{
    __shared__ float scratch[RETAIN_BLOCK];
    int t = threadIdx.x;
    scratch[t] = in[blockIdx.x * RETAIN_BLOCK + t];
    __syncthreads();
    if (t == 0)
    {
        float total = 0.0f;
        for (int k = 0; k < RETAIN_BLOCK; k++) total += scratch[k];
        scratch[0] = total;
    }
    out[blockIdx.x * RETAIN_BLOCK + t] = scratch[0];
}

// Only the first half of the block stages its value; every thread reads its own slot.
extern "C" __global__ void fault_uninitialised_shared(float* out)
{
    __shared__ float staged[RETAIN_BLOCK];
    int t = threadIdx.x;
    if (t < RETAIN_BLOCK / 2) staged[t] = (float)t;
    __syncthreads();
    out[blockIdx.x * RETAIN_BLOCK + t] = staged[t];
}

// Every thread stores to one shared word; the survivor depends on the order.
extern "C" __global__ void fault_shared_write_write(float* out)
{
    __shared__ float slot[1];
    slot[0] = (float)threadIdx.x;
    __syncthreads();
    if (threadIdx.x == 0) out[blockIdx.x] = slot[0];
}

// A running count that assumes block b − 1 has finished before block b starts.
extern "C" __global__ void fault_block_order(float* running)
{
    if (threadIdx.x == 0) running[blockIdx.x + 1] = running[blockIdx.x] + 1.0f;
}

// A block announces itself in a global word and its threads read it back, assuming no other block runs meanwhile.
extern "C" __global__ void fault_block_alone(float* out, float* announced)
{
    if (threadIdx.x == 0) announced[0] = (float)blockIdx.x;
    out[blockIdx.x * blockDim.x + threadIdx.x] = announced[0];
}

// Records the order in which the threads of a block pass each barrier interval: order[interval·blockDim + k] = the
// thread that ran k-th (one block).
extern "C" __global__ void fault_record_order(int* order, int* counters)
{
    for (int interval = 0; interval < 2; interval++)
    {
        int k = counters[interval]++;
        order[interval * blockDim.x + k] = threadIdx.x;
        __syncthreads();
    }
}
