// What `socsim info` says of an iProc root complex's inbound side (iproc_pcie.h), kept apart from
// the model's registers and decode (iproc_pcie.cpp).

#include "models/pcie/iproc_pcie.h"

#include <algorithm>

#include "models/core/address_range.h"

namespace socsim::pcie {

std::vector<std::string> iproc_pcie::describe_dma_ranges(std::vector<inbound_window> declared) {
    std::vector<std::string> lines;
    if (declared.empty()) {
        lines.push_back("inbound: no dma-ranges; none decodes until firmware programs IARR/IMAP");
        return lines;
    }
    lines.push_back("inbound windows (dma-ranges; firmware programs them in IARR/IMAP, none decodes at reset):");
    std::sort(declared.begin(), declared.end(), [](const auto& a, const auto& b) { return a.bus_base < b.bus_base; });
    auto hole = [&](uint64_t from, uint64_t to) {  // inclusive
        lines.push_back("inbound hole: bus " + range_text(from, to - from + 1) + " (" +
                        (to == ~uint64_t{0} ? std::string("to the top") : core::human_size(to - from + 1)) +
                        "): Unsupported Request");
    };
    std::vector<bool> used(inbound_regions().size());
    uint64_t next = 0;  // the first bus address no window before covers
    bool at_top = false;
    for (const auto& w : declared) {
        if (w.bus_base > next) hole(next, w.bus_base - 1);
        const placement p = place(w.bus_base, w.cpu_base, w.size, used);
        std::string where;
        if (p.region >= 0) {
            used[static_cast<size_t>(p.region)] = true;
            where = std::string("in ") + inbound_regions()[static_cast<size_t>(p.region)].name;
        } else {
            where = "cannot be programmed: " + p.error;
        }
        lines.push_back("inbound: bus " + range_text(w.bus_base, w.size) + " -> cpu " + range_text(w.cpu_base, w.size) +
                        " (" + core::human_size(w.size) + "), " + where);
        const uint64_t last = w.bus_base + (w.size - 1);
        at_top = last == ~uint64_t{0};
        next = last + 1;
    }
    if (!at_top) hole(next, ~uint64_t{0});
    return lines;
}

} // namespace socsim::pcie
