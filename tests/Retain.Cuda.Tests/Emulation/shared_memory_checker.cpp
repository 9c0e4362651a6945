// The shared-memory checker. kernel_table.cpp is compiled with -fsanitize=thread but linked without ThreadSanitizer's
// runtime: its instrumentation calls these __tsan_* functions on every load and store (the same use the Linux
// kernel's KCSAN makes of that instrumentation ABI). Accesses outside the retain_shared section (__shared__
// variables) return at once. For each byte of shared memory the checker keeps, per block, the last writer and the
// readers of the current barrier interval, and records the launch's first fault:
//   - a read of a byte another thread wrote in the same barrier interval (a read-after-write race: the GPU may run
//     the reader first), or of a byte no thread of the block has written (uninitialised shared memory);
//   - a write of a byte another thread wrote (write-write race) or read (write-after-read race) in the same interval.
// A thread that has returned is unsynchronised with every later interval (exited threads leave the barrier count).
#include "emulator_internal.h"

#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <vector>

extern "C" char __start_retain_shared[] __attribute__((weak));
extern "C" char __stop_retain_shared[] __attribute__((weak));

namespace
{
    // The fill of shared memory before every block: as a float, a double or either bf16 half it is a NaN.
    constexpr uint32_t NanPattern = 0x7FF57FA5u;

    constexpr int ManyReaders = -2;

    struct Entry
    {
        uint32_t writeBlock;
        uint32_t readBlock;
        long writeInterval;
        long readInterval;
        int writer;
        int reader;
        const void* writePc;
        const void* readPc;
    };

    struct Checker
    {
        bool enabled = false;
        const char* kernel = "";
        uint32_t block = 0;
        unsigned int blockX = 0, blockY = 0, blockZ = 0;
        std::vector<Entry> shadow;
        char fault[1024] = {};
        bool faulted = false;
        long faults = 0;
    };

    Checker checker;

    char* SharedBegin() { return __start_retain_shared; }

    size_t SharedBytes() { return __start_retain_shared == nullptr ? 0 : (size_t)(__stop_retain_shared - __start_retain_shared); }

    // "[pc 0x…]": the access's offset in the emulator library, which the tests turn into a source line.
    void Location(char* text, size_t length, const void* pc)
    {
        Dl_info info;
        if (pc != nullptr && dladdr(pc, &info) != 0 && info.dli_fbase != nullptr)
        {
            snprintf(text, length, "[pc 0x%lx]", (unsigned long)((const char*)pc - (const char*)info.dli_fbase - 1));
        }
        else
        {
            snprintf(text, length, "[pc unknown]");
        }
    }

    void Fault(const char* what, size_t offset, int thread, int other, long interval, const void* pc, const void* otherPc)
    {
        checker.faults++;
        if (checker.faulted) return;
        checker.faulted = true;
        char here[64], there[64];
        Location(here, sizeof here, pc);
        Location(there, sizeof there, otherPc);
        if (other >= 0 || other == ManyReaders)
        {
            char who[32];
            if (other == ManyReaders) snprintf(who, sizeof who, "several threads");
            else snprintf(who, sizeof who, "thread %d", other);
            snprintf(checker.fault, sizeof checker.fault,
                "shared-memory race in %s, block (%u, %u, %u), barrier interval %ld: thread %d %s [shared +%zu] %s, which %s accessed in the same interval %s",
                checker.kernel, checker.blockX, checker.blockY, checker.blockZ, interval, thread, what, offset, here, who, there);
        }
        else
        {
            snprintf(checker.fault, sizeof checker.fault,
                "uninitialised shared memory in %s, block (%u, %u, %u), barrier interval %ld: thread %d reads [shared +%zu] %s, which no thread of the block has written",
                checker.kernel, checker.blockX, checker.blockY, checker.blockZ, interval, thread, offset, here);
        }
    }

    // Whether an access by `other` in `otherInterval` is unordered with one by the current thread in `interval`.
    bool Concurrent(int other, long otherInterval, long interval)
    {
        if (otherInterval == interval) return true;
        long finished = retain_emulator::FinishedAt((unsigned int)other);
        return finished >= 0 && finished == otherInterval && otherInterval < interval;
    }

    void Access(const void* address, size_t bytes, bool write, const void* pc)
    {
        size_t offset = (size_t)((const char*)address - SharedBegin());
        if (!checker.enabled || offset >= SharedBytes()) return;
        int thread = (int)retain_emulator::CurrentThread();
        long interval = retain_emulator::CurrentInterval();
        for (size_t i = offset; i < offset + bytes && i < checker.shadow.size(); i++)
        {
            Entry& e = checker.shadow[i];
            bool written = e.writeBlock == checker.block;
            bool read = e.readBlock == checker.block;
            if (write)
            {
                bool readByOther = read && e.reader != thread
                    && (e.reader == ManyReaders ? e.readInterval == interval : Concurrent(e.reader, e.readInterval, interval));
                if (written && e.writer != thread && Concurrent(e.writer, e.writeInterval, interval)) Fault("writes", i, thread, e.writer, interval, pc, e.writePc);
                else if (readByOther) Fault("writes", i, thread, e.reader, interval, pc, e.readPc);
                e.writeBlock = checker.block;
                e.writeInterval = interval;
                e.writer = thread;
                e.writePc = pc;
            }
            else
            {
                if (!written) Fault("reads", i, thread, -1, interval, pc, nullptr);
                else if (e.writer != thread && Concurrent(e.writer, e.writeInterval, interval)) Fault("reads", i, thread, e.writer, interval, pc, e.writePc);
                if (!read || e.readInterval != interval)
                {
                    e.readBlock = checker.block;
                    e.readInterval = interval;
                    e.reader = thread;
                    e.readPc = pc;
                }
                else if (e.reader != thread)
                {
                    e.reader = ManyReaders;
                }
            }
        }
    }
}

void retain_emulator::BeginSharedChecks(bool enabled, const char* kernel)
{
    checker.enabled = enabled;
    checker.kernel = kernel;
    checker.faulted = false;
    checker.faults = 0;
    checker.fault[0] = 0;
    if (checker.shadow.size() != SharedBytes()) checker.shadow.assign(SharedBytes(), Entry{});
}

void retain_emulator::StartBlock(unsigned int x, unsigned int y, unsigned int z)
{
    // Serial 0 marks bytes no block has touched, so it is skipped when the counter wraps.
    if (++checker.block == 0) checker.block = 1;
    checker.blockX = x;
    checker.blockY = y;
    checker.blockZ = z;
    char* begin = SharedBegin();
    size_t bytes = SharedBytes();
    for (size_t i = 0; i + 4 <= bytes; i += 4) memcpy(begin + i, &NanPattern, 4);
}

const char* retain_emulator::SharedFault()
{
    if (!checker.faulted) return nullptr;
    size_t length = strlen(checker.fault);
    if (checker.faults > 1) snprintf(checker.fault + length, sizeof checker.fault - length, " (and %ld more faulty accesses)", checker.faults - 1);
    return checker.fault;
}

// The instrumentation ABI (compiler-rt's tsan_interface.h). Only the memory accesses matter here.
#define RETAIN_ACCESS(size)                                                                                                         \
    extern "C" void __tsan_read##size(void* a) { Access(a, size, false, __builtin_return_address(0)); }                             \
    extern "C" void __tsan_write##size(void* a) { Access(a, size, true, __builtin_return_address(0)); }                             \
    extern "C" void __tsan_unaligned_read##size(void* a) { Access(a, size, false, __builtin_return_address(0)); }                   \
    extern "C" void __tsan_unaligned_write##size(void* a) { Access(a, size, true, __builtin_return_address(0)); }                   \
    extern "C" void __tsan_volatile_read##size(void* a) { Access(a, size, false, __builtin_return_address(0)); }                    \
    extern "C" void __tsan_volatile_write##size(void* a) { Access(a, size, true, __builtin_return_address(0)); }

RETAIN_ACCESS(1)
RETAIN_ACCESS(2)
RETAIN_ACCESS(4)
RETAIN_ACCESS(8)
RETAIN_ACCESS(16)

extern "C" void __tsan_read_range(void* a, unsigned long size) { Access(a, size, false, __builtin_return_address(0)); }
extern "C" void __tsan_write_range(void* a, unsigned long size) { Access(a, size, true, __builtin_return_address(0)); }

extern "C" void* __tsan_memcpy(void* to, const void* from, unsigned long size)
{
    Access(from, size, false, __builtin_return_address(0));
    Access(to, size, true, __builtin_return_address(0));
    return memcpy(to, from, size);
}

extern "C" void* __tsan_memmove(void* to, const void* from, unsigned long size)
{
    Access(from, size, false, __builtin_return_address(0));
    Access(to, size, true, __builtin_return_address(0));
    return memmove(to, from, size);
}

extern "C" void* __tsan_memset(void* to, int value, unsigned long size)
{
    Access(to, size, true, __builtin_return_address(0));
    return memset(to, value, size);
}

extern "C" void __tsan_init() {}
extern "C" void __tsan_func_entry(void*) {}
extern "C" void __tsan_func_exit() {}
extern "C" void __tsan_vptr_update(void**, void*) {}
extern "C" void __tsan_vptr_read(void**) {}
