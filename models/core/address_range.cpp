#include "models/core/address_range.h"

#include <cstdio>

namespace socsim::core {

std::string hex(uint64_t value) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(value));
    return buf;
}

std::string human_size(uint64_t bytes) {
    static const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    unsigned u = 0;
    uint64_t exact = bytes;
    while (u < 4 && exact != 0 && exact % 1024 == 0) {
        exact /= 1024;
        ++u;
    }
    if (exact < 1024 || bytes < (1u << 20)) return std::to_string(exact) + " " + units[u];
    // Not a whole number of a large unit (a 0x2eff0000 window): two decimals of the largest.
    double v = static_cast<double>(bytes);
    u = 0;
    while (u < 4 && v >= 1024) {
        v /= 1024;
        ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f %s", v, units[u]);
    return buf;
}

} // namespace socsim::core
