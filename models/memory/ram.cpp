#include "models/memory/ram.h"

#include <sys/mman.h>

#include <cerrno>
#include <cstring>

#include "models/core/address_range.h"
#include "models/core/config_error.h"
#include "models/core/dma_extension.h"

namespace socsim::memory {

ram::ram(sc_core::sc_module_name name, uint64_t size, sc_core::sc_time latency)
    : sc_module(name), socket("socket"), size_(size), data_(nullptr), latency_(latency),
      log_(this->name()) {
    if (size == 0) throw core::config_error(std::string(this->name()) + ": RAM size is zero");
    void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        throw core::config_error(std::string(this->name()) + ": cannot reserve " +
                                 core::human_size(size) + " of host address space: " +
                                 std::strerror(errno));
    data_ = static_cast<uint8_t*>(p);
    socket.register_b_transport(this, &ram::b_transport);
    socket.register_transport_dbg(this, &ram::transport_dbg);
    socket.register_get_direct_mem_ptr(this, &ram::get_direct_mem_ptr);
}

ram::~ram() {
    if (data_) munmap(data_, size_);
}

bool ram::copy(tlm::tlm_generic_payload& p) {
    const uint64_t addr = p.get_address();
    const unsigned len = p.get_data_length();
    if (!core::address_range{0, size_}.contains(addr, len)) return false;
    if (p.is_read())
        std::memcpy(p.get_data_ptr(), data_ + addr, len);
    else if (p.is_write())
        std::memcpy(data_ + addr, p.get_data_ptr(), len);
    return true;
}

void ram::b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
    if (p.get_byte_enable_ptr() || p.get_streaming_width() < p.get_data_length()) {
        p.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
        return;
    }
    if (!copy(p)) {
        log_.warning("access of " + std::to_string(p.get_data_length()) + " bytes at offset " +
                     core::hex(p.get_address()) + " by " + core::initiator_of(p) +
                     " leaves the bank (" + core::human_size(size_) + ")");
        p.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    delay += latency_;
    p.set_dmi_allowed(true);
    p.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned ram::transport_dbg(tlm::tlm_generic_payload& p) {
    // A debug access may be truncated at the end of the bank, as the TLM standard allows.
    const uint64_t addr = p.get_address();
    if (addr >= size_) return 0;
    unsigned len = static_cast<unsigned>(std::min<uint64_t>(p.get_data_length(), size_ - addr));
    if (p.is_read())
        std::memcpy(p.get_data_ptr(), data_ + addr, len);
    else if (p.is_write())
        std::memcpy(data_ + addr, p.get_data_ptr(), len);
    p.set_response_status(tlm::TLM_OK_RESPONSE);
    return len;
}

bool ram::get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi& dmi) {
    dmi.set_dmi_ptr(data_);
    dmi.set_start_address(0);
    dmi.set_end_address(size_ - 1);
    dmi.allow_read_write();
    dmi.set_read_latency(latency_);
    dmi.set_write_latency(latency_);
    return true;
}

} // namespace socsim::memory
