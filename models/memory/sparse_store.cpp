#include "models/memory/sparse_store.h"

#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "models/core/address_range.h"
#include "models/core/config_error.h"

namespace socsim::memory {

sparse_store::sparse_store(const std::string& owner, const char* kind, uint64_t size) : size_(size), data_(nullptr) {
    if (size == 0) throw core::config_error(owner + ": " + kind + " size is zero");
    void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        throw core::config_error(owner + ": cannot reserve " + core::human_size(size) +
                                 " of host address space: " + std::strerror(errno));
    data_ = static_cast<uint8_t*>(p);
}

sparse_store::~sparse_store() {
    if (data_) munmap(data_, size_);
}

bool sparse_store::copy(tlm::tlm_generic_payload& p) {
    const uint64_t addr = p.get_address();
    const unsigned len = p.get_data_length();
    if (!contains(addr, len)) return false;
    if (p.is_read())
        std::memcpy(p.get_data_ptr(), data_ + addr, len);
    else if (p.is_write())
        std::memcpy(data_ + addr, p.get_data_ptr(), len);
    return true;
}

unsigned sparse_store::debug_copy(tlm::tlm_generic_payload& p) {
    const uint64_t addr = p.get_address();
    if (addr >= size_) return 0;
    const unsigned len = static_cast<unsigned>(std::min<uint64_t>(p.get_data_length(), size_ - addr));
    if (p.is_read())
        std::memcpy(p.get_data_ptr(), data_ + addr, len);
    else if (p.is_write())
        std::memcpy(data_ + addr, p.get_data_ptr(), len);
    p.set_response_status(tlm::TLM_OK_RESPONSE);
    return len;
}

} // namespace socsim::memory
