// What the emulator's three translation units share: the kernel table (kernel_table.cpp, built with the kernels and
// ThreadSanitizer's instrumentation), the scheduler (emulator.cpp) and the shared-memory checker
// (shared_memory_checker.cpp), both built without instrumentation.
#pragma once

#include <stddef.h>

namespace retain_emulator
{
    struct KernelEntry
    {
        const char* name;
        bool barriers;
        void (*run)(void**);
    };

    // The kernel of that name, or null.
    const KernelEntry* FindKernel(const char* name);

    // The thread running now (threadIdx.x) and how many barriers it has passed.
    unsigned int CurrentThread();
    long CurrentInterval();
    // How many barriers a thread of the current block had passed when it returned, or −1 while it runs.
    long FinishedAt(unsigned int thread);

    // The checker: Begin… starts a launch (it records the first fault only), StartBlock before each block gives it the
    // block's number and refills shared memory with NaN bits; Fault returns the first fault's text, or null.
    void BeginSharedChecks(bool enabled, const char* kernel);
    void StartBlock(unsigned int x, unsigned int y, unsigned int z);
    const char* SharedFault();
}
