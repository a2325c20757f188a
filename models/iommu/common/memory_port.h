#pragma once
// How an IOMMU reaches memory for its own accesses (table walks, stream tables, queues): through
// its downstream initiator socket, like every other bus master, so an address outside RAM is a bus
// error (which the IOMMU turns into its architected fault) and never a host crash.
//
// Reads and writes use DMI where the target grants it (RAM does), falling back to b_transport;
// the IOMMU must forward its socket's invalidate_direct_mem_ptr calls to `invalidate_dmi`.
// `peek` is a debug read: no side effects, no simulated time (the DMA checker and debug
// translations use it). Every access carries a dma_extension naming the IOMMU, so bus diagnostics
// say who made the access.

#include <cstdint>
#include <cstring>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

#include "models/core/memory_epoch.h"

namespace socsim::iommu {

class memory_port {
public:
    // `socket` must outlive the port; `initiator` names the IOMMU in bus diagnostics.
    memory_port(tlm::tlm_initiator_socket<>& socket, const std::string& initiator);

    // False on a bus error (nothing at the address, or the target refused).
    bool read(uint64_t addr, void* data, unsigned len, sc_core::sc_time& delay);
    bool write(uint64_t addr, const void* data, unsigned len, sc_core::sc_time& delay);
    // Debug read; false unless all `len` bytes were read.
    bool peek(uint64_t addr, void* data, unsigned len);

    bool read64(uint64_t addr, uint64_t& value, sc_core::sc_time& delay) { return read(addr, &value, 8, delay); }

    // Fast path for forwarding a translated DMA: copies through a DMI region already granted
    // for [addr, addr + len) and adds its latency; false (nothing done) when none covers it.
    bool dmi_access(bool write, uint64_t addr, unsigned char* data, unsigned len, sc_core::sc_time& delay) {
        const tlm::tlm_dmi* d = find_dmi(addr, len, write);
        if (!d) return false;
        unsigned char* p = d->get_dmi_ptr() + (addr - d->get_start_address());
        unsigned char* to = write ? p : data;
        const unsigned char* from = write ? data : p;
        // Fixed sizes are inlined copies; the library call costs more than the copy itself.
        switch (len) {
        case 8: std::memcpy(to, from, 8); break;
        case 4: std::memcpy(to, from, 4); break;
        default: std::memcpy(to, from, len); break;
        }
        if (write) core::memory_epoch::bump();
        delay += write ? d->get_write_latency() : d->get_read_latency();
        return true;
    }
    // Asks for DMI around `addr` (after a b_transport there that allowed it).
    void learn_dmi(uint64_t addr);

    // To be called from the downstream socket's backward path.
    void invalidate_dmi(uint64_t start, uint64_t end);
    // Host address of [addr, addr + len) if a granted DMI region covers it, else null. It stays
    // valid until the generation changes (any invalidation).
    const unsigned char* host_pointer(uint64_t addr, unsigned len) const {
        const tlm::tlm_dmi* d = find_dmi(addr, len, false);
        return d ? d->get_dmi_ptr() + (addr - d->get_start_address()) : nullptr;
    }
    uint64_t dmi_generation() const { return generation_; }

    uint64_t accesses() const { return accesses_; }

private:
    const tlm::tlm_dmi* find_dmi(uint64_t addr, unsigned len, bool write) const {
        for (const tlm::tlm_dmi& d : dmi_) {
            if (addr < d.get_start_address() || addr + (len - 1) > d.get_end_address() || addr + (len - 1) < addr)
                continue;
            if (write ? d.is_write_allowed() : d.is_read_allowed()) return &d;
        }
        return nullptr;
    }
    bool transport(tlm::tlm_command cmd, uint64_t addr, void* data, unsigned len, sc_core::sc_time& delay);

    tlm::tlm_initiator_socket<>& socket_;
    tlm::tlm_generic_payload payload_;  // reused; owns its dma_extension
    std::vector<tlm::tlm_dmi> dmi_;
    uint64_t accesses_ = 0;
    uint64_t generation_ = 0;
};

} // namespace socsim::iommu
