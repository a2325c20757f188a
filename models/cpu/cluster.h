#pragma once
// The cores of a platform and what they share beyond the bus:
// - power: PSCI (psci.h) finds a core by MPIDR, asks whether it runs and starts it (CPU_ON);
// - translated code: each core is its own Unicorn engine with its own cache of translated
//   blocks, and an engine notices only its own stores to code. An instruction-cache
//   invalidation on one core (IC IVAU, IC IALLU, IC IALLUIS: what software must do after
//   writing code that another core will run) drops every other core's translated code before
//   that core's next time slice.
//
// Cores take turns in time slices of at most the quantum (each is an SC_THREAD; SystemC runs
// them in time order). Each engine has its own exclusive monitor; QEMU's store-exclusive
// compares the memory value with the one its load-exclusive saw, so a lock taken by two cores
// with LDXR/STXR works across engines (an ABA change between the two is not detected).

#include <cstdint>
#include <vector>

#include "models/cpu/psci.h"

namespace socsim::cpu {

class arm64_cpu;

class cluster : public psci::cores {
public:
    // Cores in DT order; the first is the boot core.
    void add(arm64_cpu& core);
    unsigned size() const { return static_cast<unsigned>(cores_.size()); }
    arm64_cpu& core(unsigned index) const { return *cores_.at(index); }
    // Cores powered on now.
    unsigned running() const;

    int find(uint64_t mpidr) const override;
    bool is_on(int index) const override;
    void power_on(int index, uint64_t entry, uint64_t context) override;
    bool valid_entry(uint64_t entry) const override;

    // `from` invalidated its instruction cache: every other core drops its translated code.
    void invalidate_code(const arm64_cpu& from);

private:
    std::vector<arm64_cpu*> cores_;
};

} // namespace socsim::cpu
