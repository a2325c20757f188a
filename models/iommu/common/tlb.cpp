#include "models/iommu/common/tlb.h"

#include <string>

#include "models/core/config_error.h"

namespace socsim::iommu {

tlb::tlb(unsigned entries, unsigned ways) : ways_(ways), sets_(0), sets_pow2_(false) {
    if (entries == 0 || ways == 0 || entries % ways != 0)
        throw core::config_error("TLB of " + std::to_string(entries) + " entries and " + std::to_string(ways) +
                                 " ways: need at least one entry and a number of ways that divides the entries");
    sets_ = entries / ways;
    sets_pow2_ = (sets_ & (sets_ - 1)) == 0;
    entries_.resize(entries);
    tags_.resize(entries);
    lru_.assign(entries, 0);
}

const tlb_entry* tlb::peek(uint32_t context, uint64_t iova) const {
    uint64_t shifts = present_shifts_;
    while (shifts) {
        unsigned shift = static_cast<unsigned>(__builtin_ctzll(shifts));
        shifts &= shifts - 1;
        const uint64_t page = iova >> shift;
        const size_t base = set_of(page, shift) * ways_;
        for (size_t i = base; i < base + ways_; ++i) {
            const tlb_entry& e = entries_[i];
            if (e.valid && e.size_shift == shift && (e.iova >> shift) == page && (e.global || e.context == context))
                return &e;
        }
    }
    return nullptr;
}

void tlb::remove(size_t i) {
    tlb_entry& e = entries_[i];
    if (!e.valid) return;
    e.valid = false;
    tags_[i].valid = false;
    if (--shift_count_[e.size_shift] == 0) present_shifts_ &= ~(uint64_t{1} << e.size_shift);
}

tlb_entry& tlb::insert(const tlb_entry& e) {
    const unsigned shift = e.size_shift & 63;
    const uint64_t page = e.iova >> shift;
    const size_t base = set_of(page, shift) * ways_;
    size_t victim = base;
    bool found_same = false;
    for (size_t i = base; i < base + ways_; ++i) {
        const tlb_entry& x = entries_[i];
        if (x.valid && x.size_shift == shift && (x.iova >> shift) == page && x.global == e.global &&
            x.context == e.context) {
            victim = i;
            found_same = true;
            break;
        }
    }
    if (!found_same) {
        // An empty way if there is one, else the least recently used.
        for (size_t i = base; i < base + ways_; ++i) {
            if (!entries_[i].valid) {
                victim = i;
                break;
            }
            if (lru_[i] < lru_[victim]) victim = i;
        }
        if (entries_[victim].valid) ++stats_.evictions;
    }
    remove(victim);
    tlb_entry& slot = entries_[victim];
    slot = e;
    slot.size_shift = static_cast<uint8_t>(shift);
    slot.valid = true;
    slot.stale_reported = false;
    tags_[victim] = tag{page, e.context, static_cast<uint8_t>(shift), true, e.global};
    lru_[victim] = ++clock_;
    ++shift_count_[shift];
    present_shifts_ |= uint64_t{1} << shift;
    ++stats_.fills;
    return slot;
}

unsigned tlb::invalidate(const tlb_match& m) {
    unsigned n = 0;
    for (size_t i = 0; i < entries_.size(); ++i) {
        const tlb_entry& e = entries_[i];
        if (!e.valid) continue;
        if (e.last() < m.first || e.iova > m.last) continue;
        bool ctx = e.global ? m.include_global : (e.context & m.context_mask) == (m.context & m.context_mask);
        if (!ctx) continue;
        remove(i);
        ++n;
    }
    stats_.invalidated += n;
    return n;
}

unsigned tlb::occupancy() const {
    unsigned n = 0;
    for (const tlb_entry& e : entries_) n += e.valid ? 1 : 0;
    return n;
}

} // namespace socsim::iommu
