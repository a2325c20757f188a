#pragma once
// What one invalidation covered, as the IOMMU tells the DMA checker (dma_checker::note_invalidation).
// When a cached translation turns out stale, the checker names the last invalidation and asks
// `why_not_covered` why it left that entry in place: the answer is the diagnosis (a global entry
// after an ASID-scoped TLBI, another ASID or stream, an address range that missed, another cache,
// a command that never touches translations, or an entry cached after it).
//
// An invalidation is a list of scopes, one per cache it acted on, each the tlb_match it applied
// there (or, for the H6's TLB_IVLD, an address/mask compare). A note without scopes removed no
// cached translations at all: either it invalidates something else (SMMUv3 CFGI_*: configuration
// only; it may still name the streams it was about, so that the report can say which), or it
// selected nothing (a DART STREAM_COMMAND with STREAM_SELECT = 0).

#include <cstdint>
#include <string>
#include <systemc>
#include <vector>

#include "models/iommu/common/tlb.h"

namespace socsim::iommu {

// How a report names a cache and the context its entries are tagged with.
struct cache_description {
    const tlb* cache = nullptr;
    std::string name;          // "TLB", "micro TLB 0 (DE)", "PTW cache"
    std::string context_name;  // what tlb_entry::context is: "ASID", "stream"; empty: untagged
};

struct invalidation_scope {
    tlb* cache = nullptr;  // the model's own cache, which apply_invalidation empties
    tlb_match match;
    // Non-zero: entries match on (entry.iova & iova_mask) == (match.first & iova_mask) instead
    // of the address range (the H6's TLB_IVLD_ADDR/TLB_IVLD_ADDR_MASK).
    uint64_t iova_mask = 0;
};

struct invalidation_note {
    std::string command;  // as firmware issued it: "TLBI_NH_ASID ASID 2", "TLB_FLUSH_ENABLE 0x8"
    std::vector<invalidation_scope> scopes;
    // For a note without scopes: what it invalidates instead ("cached STEs and CDs"), and the
    // streams it named (first..last), if any; or that it selected nothing to invalidate.
    std::string covers_instead;
    bool selects_nothing = false;
    bool names_streams = false;
    uint32_t first_stream = 0, last_stream = 0;
    sc_core::sc_time at;
};

// Why an invalidation did not remove a cached translation. `kind` is a short token for the
// trace ("global_entry", "asid_mismatch", "stream_mismatch", "address_range", "other_cache",
// "configuration_only", "nothing_selected", "cached_after"); `text` completes "which did not cover it: ...".
struct not_covered {
    std::string kind;
    std::string text;
};

// Whether `note` removes `e` (held in `holder`'s cache; null: in any cache the note acts on).
bool covers(const invalidation_note& note, const tlb_entry& e, const cache_description* holder);

// `holder`: the description of the cache that holds `e` (null when the IOMMU did not describe
// it); `stream`: the stream whose access hit the entry.
not_covered why_not_covered(const invalidation_note& note, const tlb_entry& e, const cache_description* holder,
                            const std::vector<cache_description>& caches, uint32_t stream);

} // namespace socsim::iommu
