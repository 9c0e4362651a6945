// The emulator's scheduler and launch entry point (see cuda_emulator.h for what the emulation covers).
//
// Kernels without barriers run their threads as plain calls. Kernels with barriers run each thread as a coroutine:
// a persistent stack per thread, created once with makecontext, and switches with _setjmp/_longjmp (no signal-mask
// system call per switch, unlike swapcontext). A launch's options choose the order of threads within every barrier
// interval and the order of blocks; the random orders come from the launch's seed, so a failure can be replayed.
#include "cuda_emulator.h"
#include "emulator_internal.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <vector>

namespace
{
    constexpr size_t StackBytes = 256 * 1024;

    constexpr unsigned int MaxThreads = 1024;

    constexpr unsigned int WarpSize = 32;

    // Barrier-free kernels under BlocksInterleaved run the threads of this many blocks in one shuffled sequence.
    constexpr unsigned int InterleavedBlocks = 8;

    enum Schedule : int
    {
        Forward = 0,
        Reverse = 1,
        WarpsReversed = 2,
        Random = 3,
    };

    enum BlockOrder : int
    {
        GridOrder = 0,
        BlocksShuffled = 1,
        BlocksInterleaved = 2,
    };

    struct Coroutines
    {
        jmp_buf scheduler;
        jmp_buf boot;
        ucontext_t bootContext;
        ucontext_t contexts[MaxThreads];
        jmp_buf threads[MaxThreads];
        unsigned char finished[MaxThreads];
        long barriers[MaxThreads];
        char* stacks = nullptr;
        unsigned int current = 0;
        unsigned int created = 0;
        void (*body)(void**) = nullptr;
        void** arguments = nullptr;
    };

    Coroutines co;

    bool directMode = false;
    bool barrierInDirectMode = false;

    // SplitMix64: small, seedable, and the same sequence on every platform.
    struct Random64
    {
        unsigned long long state;

        unsigned long long Next()
        {
            unsigned long long z = (state += 0x9E3779B97F4A7C15ULL);
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
            return z ^ (z >> 31);
        }

        template <typename T>
        void Shuffle(std::vector<T>& items)
        {
            for (size_t i = items.size(); i > 1; i--) std::swap(items[i - 1], items[Next() % i]);
        }
    };

    // The jumps live in functions of their own, so no caller's locals sit in a frame that _longjmp returns to.
    __attribute__((noinline)) void Yield()
    {
        if (_setjmp(co.threads[co.current]) == 0) _longjmp(co.scheduler, 1);
    }

    __attribute__((noinline)) void Resume(unsigned int thread)
    {
        if (_setjmp(co.scheduler) == 0) _longjmp(co.threads[thread], 1);
    }

    // Every coroutine parks in Yield between blocks and runs the current kernel body each time it is resumed.
    void CoroutineMain()
    {
        if (_setjmp(co.threads[co.created]) == 0) _longjmp(co.boot, 1);
        for (;;)
        {
            co.body(co.arguments);
            co.finished[co.current] = 1;
            Yield();
        }
    }

    __attribute__((noinline)) void Boot(ucontext_t* context)
    {
        if (_setjmp(co.boot) == 0) swapcontext(&co.bootContext, context);
    }

    void EnsureCoroutines(unsigned int count)
    {
        if (co.created >= count) return;
        // Reserved once for the largest block; malloc maps it lazily, so untouched stack pages cost nothing.
        if (co.stacks == nullptr) co.stacks = static_cast<char*>(malloc((size_t)MaxThreads * StackBytes));
        for (; co.created < count; co.created++)
        {
            ucontext_t& context = co.contexts[co.created];
            getcontext(&context);
            context.uc_stack.ss_sp = co.stacks + (size_t)co.created * StackBytes;
            context.uc_stack.ss_size = StackBytes;
            context.uc_link = nullptr;
            makecontext(&context, CoroutineMain, 0);
            Boot(&context);
        }
    }

    // The order the threads of a block run in within one barrier interval.
    void Order(std::vector<unsigned int>& order, unsigned int threads, Schedule schedule, Random64& random)
    {
        order.clear();
        if (schedule == WarpsReversed)
        {
            // Warps last to first, the lanes of each warp in order (a warp's lanes run together on a GPU).
            for (unsigned int warp = (threads + WarpSize - 1) / WarpSize; warp-- > 0;)
            {
                for (unsigned int t = warp * WarpSize; t < threads && t < (warp + 1) * WarpSize; t++) order.push_back(t);
            }
            return;
        }
        for (unsigned int i = 0; i < threads; i++) order.push_back(schedule == Reverse ? threads - 1 - i : i);
        if (schedule == Random) random.Shuffle(order);
    }

    // Runs one block of a barrier kernel: each pass resumes every unfinished thread, in the schedule's order, until
    // its next barrier or its end. Returns false when the threads still running reached different numbers of barriers.
    bool RunBlockAsCoroutines(unsigned int threads, Schedule schedule, Random64& random, std::vector<unsigned int>& order)
    {
        for (unsigned int t = 0; t < threads; t++)
        {
            co.finished[t] = 0;
            co.barriers[t] = 0;
        }
        for (bool running = true; running;)
        {
            running = false;
            long barrier = -1;
            if (schedule == Random || order.size() != threads) Order(order, threads, schedule, random);
            for (unsigned int t : order)
            {
                if (co.finished[t]) continue;
                co.current = t;
                threadIdx = dim3{t, 0, 0};
                Resume(t);
                if (co.finished[t]) continue;
                running = true;
                if (barrier >= 0 && co.barriers[t] != barrier) return false;
                barrier = co.barriers[t];
            }
        }
        return true;
    }

    // Runs barrier-free threads as plain calls: (block, thread) pairs in the given order.
    void RunDirect(const dim3* blocks, const std::vector<unsigned long long>& calls, unsigned int block)
    {
        for (unsigned long long call : calls)
        {
            blockIdx = blocks[call / block];
            unsigned int t = (unsigned int)(call % block);
            co.current = t;
            threadIdx = dim3{t, 0, 0};
            co.body(co.arguments);
        }
    }
}

struct RetainLaunchOptions
{
    int schedule;
    int blockOrder;
    int checkShared;
    int reserved;
    unsigned long long seed;
};

unsigned int retain_emulator::CurrentThread() { return co.current; }

long retain_emulator::CurrentInterval() { return directMode ? 0 : co.barriers[co.current]; }

long retain_emulator::FinishedAt(unsigned int thread) { return !directMode && co.finished[thread] ? co.barriers[thread] : -1; }

extern "C" void retain_emulator_barrier()
{
    if (directMode)
    {
        barrierInDirectMode = true;
        return;
    }
    co.barriers[co.current]++;
    Yield();
}

// Runs a kernel over its grid; returns 0, or −1 with a message in error.
extern "C" int retain_emulator_launch(const char* name, unsigned int gridX, unsigned int gridY, unsigned int gridZ, unsigned int block,
    void** arguments, const RetainLaunchOptions* options, char* error, int errorLength)
{
    const retain_emulator::KernelEntry* kernel = retain_emulator::FindKernel(name);
    if (kernel == nullptr)
    {
        snprintf(error, errorLength, "no emulated kernel named %s", name);
        return -1;
    }
    if (block == 0 || block > MaxThreads)
    {
        snprintf(error, errorLength, "%s: invalid block of %u threads", name, block);
        return -1;
    }
    if (options->schedule < Forward || options->schedule > Random || options->blockOrder < GridOrder || options->blockOrder > BlocksInterleaved)
    {
        snprintf(error, errorLength, "%s: invalid emulator options (schedule %d, block order %d)", name, options->schedule, options->blockOrder);
        return -1;
    }
    Schedule schedule = (Schedule)options->schedule;
    Random64 random{options->seed};
    if (kernel->barriers) EnsureCoroutines(block);
    co.body = kernel->run;
    co.arguments = arguments;
    gridDim = dim3{gridX, gridY, gridZ};
    blockDim = dim3{block, 1, 1};
    directMode = !kernel->barriers;
    barrierInDirectMode = false;
    retain_emulator::BeginSharedChecks(options->checkShared != 0, name);

    std::vector<dim3> blocks;
    blocks.reserve((size_t)gridX * gridY * gridZ);
    for (unsigned int z = 0; z < gridZ; z++)
    {
        for (unsigned int y = 0; y < gridY; y++)
        {
            for (unsigned int x = 0; x < gridX; x++) blocks.push_back(dim3{x, y, z});
        }
    }
    if (options->blockOrder != GridOrder) random.Shuffle(blocks);

    std::vector<unsigned int> order;
    if (directMode)
    {
        // Several blocks' threads in one shuffled sequence under BlocksInterleaved, else one block at a time with its
        // threads in the schedule's order.
        unsigned int group = options->blockOrder == BlocksInterleaved ? InterleavedBlocks : 1;
        std::vector<unsigned long long> calls;
        for (size_t first = 0; first < blocks.size(); first += group)
        {
            size_t count = blocks.size() - first < group ? blocks.size() - first : group;
            calls.clear();
            if (count == 1)
            {
                Order(order, block, schedule, random);
                for (unsigned int t : order) calls.push_back(t);
            }
            else
            {
                for (unsigned long long c = 0; c < count * block; c++) calls.push_back(c);
                random.Shuffle(calls);
            }
            retain_emulator::StartBlock(blocks[first].x, blocks[first].y, blocks[first].z);
            RunDirect(blocks.data() + first, calls, block);
            if (barrierInDirectMode)
            {
                snprintf(error, errorLength, "%s calls __syncthreads but was classified as barrier-free", name);
                return -1;
            }
        }
    }
    else
    {
        for (const dim3& b : blocks)
        {
            blockIdx = b;
            retain_emulator::StartBlock(b.x, b.y, b.z);
            if (!RunBlockAsCoroutines(block, schedule, random, order))
            {
                snprintf(error, errorLength, "%s: threads of block (%u, %u, %u) reached different numbers of __syncthreads", name, b.x, b.y, b.z);
                return -1;
            }
        }
    }
    if (const char* fault = retain_emulator::SharedFault())
    {
        snprintf(error, errorLength, "%s", fault);
        return -1;
    }
    return 0;
}
