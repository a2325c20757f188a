#pragma once
// A bounded, set-associative translation cache shared by every IOMMU model (SMMUv3 TLB, DART TLB,
// sun50i micro TLBs, macro TLB and PTW cache).
//
// Geometry: `entries` entries in `entries / ways` sets of `ways` ways, LRU replacement inside a
// set. Each entry caches one whole mapping (a page or a block) of size 2^size_shift; entries of
// different sizes live side by side. A lookup probes once per mapping size currently present
// (one probe when only pages are cached), indexing the set by the input page number of that size,
// so every mapping has exactly one possible set.
//
// Tags: `context` is what the owning IOMMU translates in (SMMUv3: ASID; DART: stream; sun50i:
// the shared table, i.e. 0). A `global` entry (Arm nG = 0) matches every context on lookup.
// `stream` records which stream filled the entry, for diagnostics only.
//
// Invalidation (`invalidate`) matches on an address range overlapping the entry's mapping, on the
// context under a mask, and on whether global entries are included, which covers: all, by
// context, by address for one context (plus globals), by address for all contexts.
//
// Each entry also carries the descriptors its walk read (`walk_trail`) and timestamps, which the
// DMA checker uses to prove that a cached translation no longer matches memory.

#include <cstdint>
#include <functional>
#include <systemc>
#include <vector>

#include "models/core/memory_epoch.h"

namespace socsim::iommu {

// The table entries a walk read, outermost first: enough to re-read them later and see whether
// memory still holds what the walk saw.
struct walk_trail {
    static constexpr unsigned max_levels = 8;
    uint8_t count = 0;
    uint8_t entry_size[max_levels] = {};
    uint64_t address[max_levels] = {};
    uint64_t value[max_levels] = {};
    // Where each entry lives in host memory when it was read through DMI (else null), valid while
    // the memory port's DMI generation is still `dmi_generation`: re-reading is then a load.
    const unsigned char* host[max_levels] = {};
    uint64_t dmi_generation = 0;

    void add(uint64_t addr, uint64_t val, unsigned size, const unsigned char* where = nullptr) {
        if (count == max_levels) return;
        address[count] = addr;
        value[count] = val;
        entry_size[count] = static_cast<uint8_t>(size);
        host[count] = where;
        ++count;
    }
};

// Permission bits of a cached translation.
enum tlb_perm : uint8_t {
    perm_read = 1,          // privileged (or only) read
    perm_write = 2,         // privileged (or only) write
    perm_user_read = 4,     // unprivileged read (IOMMUs without the distinction set both)
    perm_user_write = 8,
};

struct tlb_entry {
    uint64_t iova = 0;       // first input address of the mapping (aligned to its size)
    uint64_t output = 0;     // output address of that first byte
    uint32_t context = 0;
    uint32_t stream = 0;
    uint8_t size_shift = 12; // mapping size is 2^size_shift bytes
    uint8_t perms = 0;       // tlb_perm bits
    uint8_t level = 0;       // table level of the leaf (diagnostics, TTL hints)
    bool global = false;
    bool valid = false;
    bool stale_reported = false;  // the DMA checker reported this entry already
    uint64_t attrs = 0;           // owner-defined (e.g. granule, memory attributes)
    walk_trail trail;
    sc_core::sc_time filled_at;    // when the walk read the tables
    sc_core::sc_time verified_at;  // last time the DMA checker saw memory agree with it
    // core::memory_epoch when the walk read the tables or the checker last saw them agree; while
    // the epoch is unchanged nothing can have written memory, so a hit needs no re-read. Zero:
    // never verified.
    uint64_t verified_epoch = 0;

    // Every fill (after a walk, a prefetch, a debug-register load) stamps the entry as read from
    // memory now: filled and verified at this time and memory epoch.
    tlb_entry& read_now() {
        filled_at = verified_at = sc_core::sc_time_stamp();
        verified_epoch = core::memory_epoch::current();
        return *this;
    }

    uint64_t last() const { return iova + ((uint64_t{1} << size_shift) - 1); }
    bool covers(uint64_t addr) const { return addr >= iova && addr - iova < (uint64_t{1} << size_shift); }
    uint64_t translate(uint64_t addr) const { return output + (addr - iova); }
};

struct tlb_stats {
    uint64_t hits = 0;
    uint64_t misses = 0;
    uint64_t fills = 0;
    uint64_t evictions = 0;
    uint64_t invalidated = 0;  // entries removed by invalidation
};

// What an invalidation removes: entries whose mapping overlaps [first, last] and whose context
// matches (`(entry.context & context_mask) == context`, non-global entries) or that are global
// (when `include_global`).
struct tlb_match {
    uint32_t context = 0;
    uint32_t context_mask = 0;  // 0: any context
    bool include_global = true;
    uint64_t first = 0;
    uint64_t last = ~uint64_t{0};

    static tlb_match all() { return {}; }
    static tlb_match by_context(uint32_t ctx, bool include_global = false) {
        return {ctx, ~0u, include_global, 0, ~uint64_t{0}};
    }
    static tlb_match by_range(uint64_t first, uint64_t last) { return {0, 0, true, first, last}; }
    static tlb_match by_context_range(uint32_t ctx, uint64_t first, uint64_t last) {
        return {ctx, ~0u, true, first, last};
    }
};

class tlb {
public:
    // Throws core::config_error unless entries >= 1, ways >= 1 and ways divides entries.
    tlb(unsigned entries, unsigned ways);

    // The entry translating `iova` in `context`, or null. Counts a hit or a miss and refreshes LRU.
    tlb_entry* lookup(uint32_t context, uint64_t iova) {
        uint64_t shifts = present_shifts_;
        while (shifts) {
            const unsigned shift = static_cast<unsigned>(__builtin_ctzll(shifts));
            shifts &= shifts - 1;
            const uint64_t page = iova >> shift;
            const size_t base = set_of(page, shift) * ways_;
            for (size_t i = base; i < base + ways_; ++i) {
                const tag& t = tags_[i];
                if (t.page == page && t.shift == shift && t.valid && (t.global || t.context == context)) {
                    lru_[i] = ++clock_;
                    ++stats_.hits;
                    return &entries_[i];
                }
            }
        }
        ++stats_.misses;
        return nullptr;
    }
    // Like lookup, without counting or touching LRU (debug accesses, tests).
    const tlb_entry* peek(uint32_t context, uint64_t iova) const;

    // Stores a translation (e.iova must be aligned to its size), replacing an entry for the same
    // mapping or else the least recently used way of its set. Returns the stored entry.
    tlb_entry& insert(const tlb_entry& e);

    // Removes matching entries; returns how many.
    unsigned invalidate(const tlb_match& m);
    unsigned invalidate_all() { return invalidate(tlb_match::all()); }

    // Whether `e` is one of this cache's entries (diagnostics: which cache a hit came from).
    bool holds(const tlb_entry& e) const {
        std::less<const tlb_entry*> before;  // a total order even across unrelated arrays
        return !entries_.empty() && !before(&e, entries_.data()) && before(&e, entries_.data() + entries_.size());
    }

    unsigned capacity() const { return static_cast<unsigned>(entries_.size()); }
    unsigned ways() const { return ways_; }
    unsigned sets() const { return sets_; }
    unsigned occupancy() const;
    const tlb_stats& stats() const { return stats_; }
    void reset_stats() { stats_ = {}; }

    template <class F> void for_each(F&& f) const {
        for (const tlb_entry& e : entries_)
            if (e.valid) f(e);
    }

private:
    size_t set_of(uint64_t page, unsigned shift) const {
        uint64_t h = page ^ (page >> 13) ^ (static_cast<uint64_t>(shift) << 7);
        return sets_pow2_ ? static_cast<size_t>(h & (sets_ - 1)) : static_cast<size_t>(h % sets_);
    }
    void remove(size_t i);

    // What a lookup compares, packed apart from the (large) entries so that a set's ways share a
    // cache line.
    struct tag {
        uint64_t page = 0;  // iova >> shift
        uint32_t context = 0;
        uint8_t shift = 0;
        bool valid = false;
        bool global = false;
    };
    std::vector<tag> tags_;
    std::vector<tlb_entry> entries_;
    std::vector<uint64_t> lru_;
    unsigned ways_;
    unsigned sets_;
    bool sets_pow2_;
    uint64_t clock_ = 0;
    uint64_t present_shifts_ = 0;    // bit s set: some valid entry has size_shift s
    unsigned shift_count_[64] = {};  // valid entries per size_shift
    tlb_stats stats_;
};

} // namespace socsim::iommu
