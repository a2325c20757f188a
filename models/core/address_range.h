#pragma once
// A half-open range of addresses [base, base + size), the unit of every address map.

#include <cstdint>
#include <string>

namespace socsim::core {

struct address_range {
    uint64_t base = 0;
    uint64_t size = 0;

    // Last address inside the range (size 0 has none; callers never build such ranges).
    uint64_t last() const { return base + (size - 1); }
    bool contains(uint64_t addr) const { return addr >= base && addr - base < size; }
    bool contains(uint64_t addr, uint64_t len) const {
        return len != 0 && contains(addr) && len - 1 <= last() - addr;
    }
    bool overlaps(const address_range& o) const {
        return size != 0 && o.size != 0 && base <= o.last() && o.base <= last();
    }
};

// "0x9000000" style, for messages.
std::string hex(uint64_t value);
// "4 KiB", "128 MiB", "16 GiB": exact binary units when they fit; "751.94 MiB" for large
// sizes that are not a whole number of MiB.
std::string human_size(uint64_t bytes);

} // namespace socsim::core
