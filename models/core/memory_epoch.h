#pragma once
// A count of the moments simulated memory may have been written: the DMA checker's way to know,
// without re-reading anything, that the page tables behind a cached translation cannot have
// changed since it last looked (see models/iommu/common/dma_checker.h).
//
// The rule, for every model that writes memory: bump the epoch at or after each write, before
// any other SystemC process can observe the memory. Who does it:
// - the RAM model, for every write it receives (b_transport and debug);
// - the IOMMUs' memory_port, for its writes through DMI pointers;
// - the CPU, which writes RAM through a DMI pointer inside Unicorn and cannot report single
//   stores: it bumps before and after each run of the emulator and around each MMIO access (an
//   MMIO write may start a DMA synchronously, in the CPU's own thread).
// A new model that writes through a DMI pointer must do the same; forgetting it only makes the
// stale-translation check miss a change, never report a false one.
//
// One counter for the whole process: a process elaborates one simulation (SystemC cannot
// re-elaborate), and a bump is a single increment.

#include <cstdint>

namespace socsim::core {

class memory_epoch {
public:
    // Starts at 1, so that a zero-initialised record ("never checked") never matches.
    static uint64_t current() { return value_; }
    static void bump() { ++value_; }

private:
    static inline uint64_t value_ = 1;
};

} // namespace socsim::core
