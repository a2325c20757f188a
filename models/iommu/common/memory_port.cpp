#include "models/iommu/common/memory_port.h"

#include <algorithm>
#include <cstring>

#include "models/core/dma_extension.h"

namespace socsim::iommu {

memory_port::memory_port(tlm::tlm_initiator_socket<>& socket, const std::string& initiator) : socket_(socket) {
    auto* ext = new core::dma_extension;  // owned by the payload from here on
    ext->initiator = initiator;
    payload_.set_extension(ext);
}

void memory_port::learn_dmi(uint64_t addr) {
    if (find_dmi(addr, 1, false)) return;
    tlm::tlm_generic_payload p;
    p.set_read();
    p.set_address(addr);
    tlm::tlm_dmi dmi;
    if (socket_->get_direct_mem_ptr(p, dmi) && dmi.get_dmi_ptr() && dmi.get_start_address() <= addr &&
        dmi.get_end_address() >= addr)
        dmi_.push_back(dmi);
}

bool memory_port::transport(tlm::tlm_command cmd, uint64_t addr, void* data, unsigned len, sc_core::sc_time& delay) {
    ++accesses_;
    const bool is_write = cmd == tlm::TLM_WRITE_COMMAND;
    if (const tlm::tlm_dmi* d = find_dmi(addr, len, is_write)) {
        unsigned char* p = d->get_dmi_ptr() + (addr - d->get_start_address());
        if (is_write) {
            std::memcpy(p, data, len);
            core::memory_epoch::bump();
        } else
            std::memcpy(data, p, len);
        delay += is_write ? d->get_write_latency() : d->get_read_latency();
        return true;
    }
    tlm::tlm_generic_payload& p = payload_;
    p.set_command(cmd);
    p.set_address(addr);
    p.set_data_ptr(static_cast<unsigned char*>(data));
    p.set_data_length(len);
    p.set_streaming_width(len);
    p.set_byte_enable_ptr(nullptr);
    p.set_dmi_allowed(false);
    p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    socket_->b_transport(p, delay);
    if (!p.is_response_ok()) return false;
    if (p.is_dmi_allowed()) learn_dmi(addr);
    return true;
}

bool memory_port::read(uint64_t addr, void* data, unsigned len, sc_core::sc_time& delay) {
    return transport(tlm::TLM_READ_COMMAND, addr, data, len, delay);
}

bool memory_port::write(uint64_t addr, const void* data, unsigned len, sc_core::sc_time& delay) {
    return transport(tlm::TLM_WRITE_COMMAND, addr, const_cast<void*>(data), len, delay);
}

bool memory_port::peek(uint64_t addr, void* data, unsigned len) {
    if (const tlm::tlm_dmi* d = find_dmi(addr, len, false)) {
        std::memcpy(data, d->get_dmi_ptr() + (addr - d->get_start_address()), len);
        return true;
    }
    tlm::tlm_generic_payload p;
    p.set_read();
    p.set_address(addr);
    p.set_data_ptr(static_cast<unsigned char*>(data));
    p.set_data_length(len);
    p.set_streaming_width(len);
    return socket_->transport_dbg(p) == len;
}

void memory_port::invalidate_dmi(uint64_t start, uint64_t end) {
    ++generation_;
    dmi_.erase(std::remove_if(dmi_.begin(), dmi_.end(),
                              [&](const tlm::tlm_dmi& d) {
                                  return d.get_start_address() <= end && start <= d.get_end_address();
                              }),
               dmi_.end());
}

} // namespace socsim::iommu
