// The common IOMMU TLB: geometry, LRU replacement, mixed mapping sizes, global entries, counters,
// and invalidation by all / context / address range.
#include <catch2/catch.hpp>

#include "models/core/config_error.h"
#include "models/iommu/common/tlb.h"

using namespace socsim;
using iommu::tlb;
using iommu::tlb_entry;
using iommu::tlb_match;

namespace {
tlb_entry page(uint32_t ctx, uint64_t iova, uint64_t out, unsigned shift = 12, bool global = false) {
    tlb_entry e;
    e.context = ctx;
    e.iova = iova;
    e.output = out;
    e.size_shift = static_cast<uint8_t>(shift);
    e.perms = iommu::perm_read | iommu::perm_write;
    e.global = global;
    return e;
}
} // namespace

TEST_CASE("TLB geometry is checked: entries and ways must be positive and ways must divide entries") {
    CHECK_THROWS_AS(tlb(0, 1), core::config_error);
    CHECK_THROWS_AS(tlb(8, 0), core::config_error);
    CHECK_THROWS_AS(tlb(10, 4), core::config_error);
    tlb t(12, 4);  // 3 sets: not a power of two, still fine
    CHECK(t.sets() == 3);
    CHECK(t.capacity() == 12);
    tlb fa(16, 16);
    CHECK(fa.sets() == 1);
}

TEST_CASE("TLB lookups hit only their context and count hits and misses") {
    tlb t(64, 4);
    t.insert(page(1, 0x5000, 0x80005000));
    const tlb_entry* e = t.lookup(1, 0x5abc);
    REQUIRE(e);
    CHECK(e->translate(0x5abc) == 0x80005abc);
    CHECK(t.lookup(2, 0x5abc) == nullptr);
    CHECK(t.lookup(1, 0x6000) == nullptr);
    CHECK(t.stats().hits == 1);
    CHECK(t.stats().misses == 2);
    CHECK(t.stats().fills == 1);
    CHECK(t.peek(1, 0x5000) != nullptr);
    CHECK(t.stats().hits == 1);  // peek does not count
}

TEST_CASE("TLB global entries match every context") {
    tlb t(16, 4);
    t.insert(page(1, 0x5000, 0x1000, 12, true));
    CHECK(t.lookup(7, 0x5000) != nullptr);
}

TEST_CASE("TLB holds pages and blocks side by side") {
    tlb t(64, 4);
    t.insert(page(1, 0x40000000, 0x80000000, 30));  // 1 GiB
    t.insert(page(1, 0x200000, 0x1200000, 21));     // 2 MiB
    t.insert(page(1, 0x1000, 0x9000));              // 4 KiB
    const tlb_entry* e = t.lookup(1, 0x7fffffff);
    REQUIRE(e);
    CHECK(e->size_shift == 30);
    CHECK(e->translate(0x7fffffff) == 0xbfffffff);
    REQUIRE(t.lookup(1, 0x3fffff));
    CHECK(t.lookup(1, 0x3fffff)->translate(0x3fffff) == 0x13fffff);
    CHECK(t.lookup(1, 0x1fff)->size_shift == 12);
    CHECK(t.lookup(1, 0x2000) == nullptr);
}

TEST_CASE("TLB replaces the least recently used way of a full set, and refills a mapping in place") {
    tlb t(4, 4);  // one set of four ways
    for (uint64_t i = 0; i < 4; ++i) t.insert(page(1, i << 12, 0x100000 + (i << 12)));
    t.lookup(1, 0x0000);  // page 0 is now the most recently used; page 1 the least
    t.insert(page(1, 4 << 12, 0x200000));
    CHECK(t.stats().evictions == 1);
    CHECK(t.peek(1, 0x1000) == nullptr);
    CHECK(t.peek(1, 0x0000) != nullptr);
    CHECK(t.occupancy() == 4);
    t.insert(page(1, 4 << 12, 0x300000));  // same mapping: replaced, nothing evicted
    CHECK(t.stats().evictions == 1);
    CHECK(t.peek(1, 0x4000)->output == 0x300000);
    CHECK(t.occupancy() == 4);
}

TEST_CASE("TLB invalidation by all, by context, by range, and the global-entry rules") {
    tlb t(64, 4);
    t.insert(page(1, 0x1000, 0));
    t.insert(page(1, 0x2000, 0));
    t.insert(page(2, 0x1000, 0));
    t.insert(page(3, 0x9000, 0, 12, true));
    t.insert(page(2, 0x200000, 0, 21));  // 2 MiB block 0x200000..0x3fffff
    CHECK(t.invalidate(tlb_match::by_context(1)) == 2);  // globals kept
    CHECK(t.occupancy() == 3);
    CHECK(t.invalidate(tlb_match::by_context(9, true)) == 1);  // the global one
    // A range inside the block removes the block.
    CHECK(t.invalidate(tlb_match::by_range(0x300000, 0x300fff)) == 1);
    CHECK(t.invalidate(tlb_match::by_context_range(1, 0x1000, 0x1fff)) == 0);  // context 2 stays
    CHECK(t.invalidate(tlb_match::by_context_range(2, 0x1800, 0x1800)) == 1);
    t.insert(page(5, 0x1000, 0));
    t.insert(page(6, 0x1000, 0));
    // Context under a mask: the low byte only.
    tlb_match m;
    m.context = 0x105;
    m.context_mask = 0xff;
    CHECK(t.invalidate(m) == 1);
    CHECK(t.invalidate_all() == 1);
    CHECK(t.occupancy() == 0);
    CHECK(t.stats().invalidated == 7);
    CHECK(t.lookup(6, 0x1000) == nullptr);
}
