#pragma once
// Read-only memory: a boot flash or mask ROM as the CPU sees it in read-array mode. The contents
// are placed by the loader through debug writes (`socsim run --bios FILE` loads a raw image at
// the start of the ROM mapped at address 0, as QEMU's `-bios` fills its first flash bank).
//
// Reads return the contents; bytes never loaded read 0, as QEMU's virt flash banks do when no
// image backs them (real erased NOR flash would read 0xff; firmware that checks a checksum, as
// U-Boot's environment does, treats both as empty). The backing is sparse: pages never loaded
// cost no host memory.
// A bus write gets TLM_COMMAND_ERROR_RESPONSE and a log line: a ROM cannot be written, and the
// flash command set (CFI query, program, erase) is not modelled, so a write is the firmware
// asking for something this model does not do. The CPU turns the error into a firmware fault
// (a synchronous external abort on hardware that rejects the write). Grants read-only DMI over
// the whole bank, so the CPU executes from it directly.
//
// DT: compatible "socsim,rom"; `reg` (one bank per node). No other properties.
// Accesses are relative to the bank's base (the router subtracts it).

#include <cstdint>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "models/core/log.h"
#include "models/memory/sparse_store.h"

namespace socsim::memory {

class rom : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<rom> socket;

    // Throws core::config_error when the host cannot reserve `size` bytes of address space.
    rom(sc_core::sc_module_name name, uint64_t size);
    uint64_t size() const { return store_.size(); }

private:
    void b_transport(tlm::tlm_generic_payload& payload, sc_core::sc_time& delay);
    unsigned transport_dbg(tlm::tlm_generic_payload& payload);
    bool get_direct_mem_ptr(tlm::tlm_generic_payload& payload, tlm::tlm_dmi& dmi);

    sparse_store store_;
    core::logger log_;
};

} // namespace socsim::memory
