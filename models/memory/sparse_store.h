#pragma once
// The host memory behind RAM and ROM models: one anonymous, no-reserve mapping of the whole
// size, so only the pages that are touched cost host memory (48 GiB of RAM banks start in
// milliseconds). Untouched bytes read as zero. Not a model itself: RAM and ROM own one each and
// decide what bus accesses may do; the debug path (loaders, debuggers) is the same for both.

#include <cstdint>
#include <string>
#include <tlm>

namespace socsim::memory {

class sparse_store {
public:
    // Throws core::config_error naming `owner` when `size` is zero or cannot be reserved.
    sparse_store(const std::string& owner, const char* kind, uint64_t size);
    ~sparse_store();
    sparse_store(const sparse_store&) = delete;
    sparse_store& operator=(const sparse_store&) = delete;

    uint8_t* data() { return data_; }
    uint64_t size() const { return size_; }
    bool contains(uint64_t addr, uint64_t len) const { return len != 0 && addr < size_ && len <= size_ - addr; }

    // Copies a bus access in or out; false (and nothing copied) when it leaves the store.
    bool copy(tlm::tlm_generic_payload& payload);
    // A debug access: like copy, but truncated at the end of the store, as TLM allows; returns
    // the bytes moved.
    unsigned debug_copy(tlm::tlm_generic_payload& payload);

private:
    uint64_t size_;
    uint8_t* data_;
};

} // namespace socsim::memory
