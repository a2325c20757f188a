#include "models/cpu/cluster.h"

#include "models/cpu/arm64_cpu.h"

namespace socsim::cpu {

void cluster::add(arm64_cpu& core) { cores_.push_back(&core); }

unsigned cluster::running() const {
    unsigned n = 0;
    for (const arm64_cpu* c : cores_) n += c->powered_on() ? 1 : 0;
    return n;
}

int cluster::find(uint64_t mpidr) const {
    for (size_t i = 0; i < cores_.size(); ++i)
        if ((cores_[i]->mpidr() & psci::affinity_mask) == (mpidr & psci::affinity_mask)) return static_cast<int>(i);
    return -1;
}

bool cluster::is_on(int index) const { return cores_.at(static_cast<size_t>(index))->powered_on(); }

void cluster::power_on(int index, uint64_t entry, uint64_t context) {
    cores_.at(static_cast<size_t>(index))->power_on(entry, context);
}

bool cluster::valid_entry(uint64_t entry) const {
    // A core starts with its MMU off: the entry point is a physical address in RAM or ROM.
    return !cores_.empty() && entry % 4 == 0 && cores_.front()->is_memory(entry, 4);
}

void cluster::invalidate_code(const arm64_cpu& from) {
    for (arm64_cpu* c : cores_)
        if (c != &from) c->drop_translated_code();
}

} // namespace socsim::cpu
