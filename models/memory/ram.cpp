#include "models/memory/ram.h"

#include "models/core/address_range.h"
#include "models/core/dma_extension.h"
#include "models/core/memory_epoch.h"

namespace socsim::memory {

ram::ram(sc_core::sc_module_name name, uint64_t size, sc_core::sc_time latency)
    : sc_module(name), socket("socket"), store_(this->name(), "RAM", size), latency_(latency), log_(this->name()) {
    socket.register_b_transport(this, &ram::b_transport);
    socket.register_transport_dbg(this, &ram::transport_dbg);
    socket.register_get_direct_mem_ptr(this, &ram::get_direct_mem_ptr);
}

void ram::b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
    if (p.get_byte_enable_ptr() || p.get_streaming_width() < p.get_data_length()) {
        p.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
        return;
    }
    if (!store_.copy(p)) {
        log_.warning("access of " + std::to_string(p.get_data_length()) + " bytes at offset " +
                     core::hex(p.get_address()) + " by " + core::initiator_of(p) +
                     " leaves the bank (" + core::human_size(store_.size()) + ")");
        p.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    if (p.is_write()) core::memory_epoch::bump();
    delay += latency_;
    p.set_dmi_allowed(true);
    p.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned ram::transport_dbg(tlm::tlm_generic_payload& p) {
    if (p.is_write()) core::memory_epoch::bump();
    return store_.debug_copy(p);
}

bool ram::get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi& dmi) {
    dmi.set_dmi_ptr(store_.data());
    dmi.set_start_address(0);
    dmi.set_end_address(store_.size() - 1);
    dmi.allow_read_write();
    dmi.set_read_latency(latency_);
    dmi.set_write_latency(latency_);
    return true;
}

} // namespace socsim::memory
