#include "models/memory/rom.h"

#include "models/core/address_range.h"
#include "models/core/dma_extension.h"

namespace socsim::memory {

rom::rom(sc_core::sc_module_name name, uint64_t size)
    : sc_module(name), socket("socket"), store_(this->name(), "ROM", size), log_(this->name()) {
    socket.register_b_transport(this, &rom::b_transport);
    socket.register_transport_dbg(this, &rom::transport_dbg);
    socket.register_get_direct_mem_ptr(this, &rom::get_direct_mem_ptr);
}

void rom::b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time&) {
    const uint64_t addr = p.get_address();
    const unsigned len = p.get_data_length();
    if (p.get_byte_enable_ptr() || p.get_streaming_width() < len) {
        p.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
        return;
    }
    if (!store_.contains(addr, len)) {
        log_.warning("access of " + std::to_string(len) + " bytes at offset " + core::hex(addr) + " by " +
                     core::initiator_of(p) + " leaves the ROM (" + core::human_size(store_.size()) + ")");
        p.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    if (p.is_write()) {
        log_.warning("write of " + std::to_string(len) + " bytes at offset " + core::hex(addr) + " by " +
                     core::initiator_of(p) + " refused: read-only memory (flash commands are not modelled)");
        p.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
        return;
    }
    store_.copy(p);
    p.set_dmi_allowed(true);
    p.set_response_status(tlm::TLM_OK_RESPONSE);
}

// Debug writes are how the loader fills the ROM.
unsigned rom::transport_dbg(tlm::tlm_generic_payload& p) { return store_.debug_copy(p); }

bool rom::get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi& dmi) {
    dmi.set_dmi_ptr(store_.data());
    dmi.set_start_address(0);
    dmi.set_end_address(store_.size() - 1);
    dmi.allow_read();
    return true;
}

} // namespace socsim::memory
