#pragma once
// What a debugger may ask an IOMMU (the GDB stub's `monitor translate` and `monitor tlb`),
// answered without side effects: no TLB fill or LRU change, no fault recorded, no event, no
// simulated time. Each IOMMU answers with its own walk code in debug mode (page_walker's
// `debug = true`), so the answer is the one its hardware path would give from memory now.

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "models/iommu/common/page_walker.h"
#include "models/iommu/common/tlb.h"

namespace socsim::iommu {

struct debug_translation {
    std::vector<std::string> config;  // what the IOMMU reads or decides before the tables
    struct step {
        int level = 0;
        uint64_t entry_address = 0;
        uint64_t value = 0;
    };
    std::vector<step> steps;  // each table entry read, outermost first
    enum class outcome { translated, bypass, fault } result = outcome::fault;
    uint64_t output = 0;       // translated / bypass: the physical address of the IOVA
    uint8_t size_shift = 0;    // translated: the mapping's size
    uint8_t perms = 0;         // translated: tlb_perm bits
    std::string why;           // fault: the fault it would take; bypass: why untranslated
};

class debug_view {
public:
    virtual ~debug_view() = default;
    virtual debug_translation debug_translate(uint32_t stream, uint64_t iova) = 0;
    // One line per cached entry of every cache the IOMMU has; those whose table entries no
    // longer hold what the walk read are marked stale, with the first entry that changed.
    virtual void debug_tlb(std::ostream& os) = 0;
};

// The steps and result of a debug walk, as most IOMMUs report them: `fault_name` names the
// format's fault code (by level) the way the IOMMU's own fault record does.
void fill_from_walk(debug_translation& out, const walk_result& w, uint64_t iova, const std::string& fault_name);
// "  iova 0x... -> 0x... (4 KiB, level 3, RW) [stream 2, context 1]  stale: entry 0x... now 0x..."
void print_tlb(std::ostream& os, const std::string& title, const tlb& t, page_walker& walker);
// The translate report (monitor translate).
void print_translation(std::ostream& os, const debug_translation& t, uint64_t iova);

} // namespace socsim::iommu
