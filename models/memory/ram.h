#pragma once
// RAM with sparse host backing (sparse_store): only the pages that are touched cost host memory,
// so a platform with 48 GiB of RAM in several banks starts in milliseconds. Grants read/write DMI over the whole bank (the CPU maps
// it straight into Unicorn, so the CPU and every DMA see one backing store). Reads of untouched
// memory return zero, as freshly reset DRAM in a simulator conventionally does.
//
// DT: a `/memory` node (device_type = "memory"), one ram per `reg` entry.
// Properties: none. Accesses are relative to the bank's base (the router subtracts it).

#include <cstdint>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "models/core/log.h"
#include "models/memory/sparse_store.h"

namespace socsim::memory {

class ram : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<ram> socket;

    // Throws core::config_error when the host cannot reserve `size` bytes of address space.
    ram(sc_core::sc_module_name name, uint64_t size,
        sc_core::sc_time latency = sc_core::SC_ZERO_TIME);

    uint64_t size() const { return store_.size(); }
    uint8_t* host_pointer() { return store_.data(); }

private:
    void b_transport(tlm::tlm_generic_payload& payload, sc_core::sc_time& delay);
    unsigned transport_dbg(tlm::tlm_generic_payload& payload);
    bool get_direct_mem_ptr(tlm::tlm_generic_payload& payload, tlm::tlm_dmi& dmi);

    sparse_store store_;
    sc_core::sc_time latency_;
    core::logger log_;
};

} // namespace socsim::memory
