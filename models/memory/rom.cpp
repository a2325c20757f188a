#include "models/memory/rom.h"

#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "models/core/address_range.h"
#include "models/core/config_error.h"
#include "models/core/dma_extension.h"

namespace socsim::memory {

rom::rom(sc_core::sc_module_name name, uint64_t size)
    : sc_module(name), socket("socket"), size_(size), data_(nullptr), log_(this->name()) {
    if (size == 0) throw core::config_error(std::string(this->name()) + ": ROM size is zero");
    void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        throw core::config_error(std::string(this->name()) + ": cannot reserve " + core::human_size(size) +
                                 " of host address space: " + std::strerror(errno));
    data_ = static_cast<uint8_t*>(p);
    socket.register_b_transport(this, &rom::b_transport);
    socket.register_transport_dbg(this, &rom::transport_dbg);
    socket.register_get_direct_mem_ptr(this, &rom::get_direct_mem_ptr);
}

rom::~rom() {
    if (data_) munmap(data_, size_);
}

void rom::b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time&) {
    const uint64_t addr = p.get_address();
    const unsigned len = p.get_data_length();
    if (p.get_byte_enable_ptr() || p.get_streaming_width() < len) {
        p.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
        return;
    }
    if (!core::address_range{0, size_}.contains(addr, len)) {
        log_.warning("access of " + std::to_string(len) + " bytes at offset " + core::hex(addr) + " by " +
                     core::initiator_of(p) + " leaves the ROM (" + core::human_size(size_) + ")");
        p.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    if (p.is_write()) {
        log_.warning("write of " + std::to_string(len) + " bytes at offset " + core::hex(addr) + " by " +
                     core::initiator_of(p) + " refused: read-only memory (flash commands are not modelled)");
        p.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
        return;
    }
    if (p.is_read()) std::memcpy(p.get_data_ptr(), data_ + addr, len);
    p.set_dmi_allowed(true);
    p.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned rom::transport_dbg(tlm::tlm_generic_payload& p) {
    // Debug writes are how the loader fills the ROM; like debug reads they may be truncated at
    // the end of the bank.
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

bool rom::get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi& dmi) {
    dmi.set_dmi_ptr(data_);
    dmi.set_start_address(0);
    dmi.set_end_address(size_ - 1);
    dmi.allow_read();
    return true;
}

} // namespace socsim::memory
