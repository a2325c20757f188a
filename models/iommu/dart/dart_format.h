#pragma once
// The DART page-table formats as walk_formats for the common page walker (Linux io-pgtable-dart.c). 16 KiB
// tables of 2048 8-byte entries; levels are numbered as the IOVA bits they index:
//   level 0: IOVA[46:36] (t8110 with TCR.FOUR_LEVEL only), level 1: IOVA[35:25],
//   level 2: IOVA[24:14] (leaf PTEs); the page offset is IOVA[13:0].
// (On t8020/t6000 IOVA[37:36] picks one of four TTBRs instead of a level-0 table.)
//
// Descriptors, DART1 (t8020) and DART2 (t6000, t8110):
//   bit 0 VALID (tables and leaves; bit 1 of a table descriptor is ignored: U-Boot sets it,
//   Linux does not). Address: DART1 PA[35:14] in place (bits [35:14]; bits [13:12] of Linux's
//   mask are below the 16 KiB granule and ignored); DART2 PA[41:14] as bits [37:10] (PA >> 4).
//   Leaf: SP_START [63:52], SP_END [51:40] (4-byte units, END inclusive); DART1: NO_READ [8],
//   NO_WRITE [7], SP_DIS [1] (sub-page check off); DART2: NO_READ [3], NO_WRITE [2] (bit 1,
//   NO_CACHE, has no effect here).
// Other descriptor bits are ignored (hardware behaviour unknown). A leaf's sub-page window goes
// to walk_step::attrs (see dart_subpage); the DART checks it per access, after permissions.

#include <cstdint>

#include "models/iommu/common/page_walker.h"
#include "models/iommu/dart/dart_variant.h"

namespace socsim::iommu {

// Fault codes of dart_format (walk_result::fault_code): the invalid entry's level.
enum dart_walk_fault : int { dart_no_pgd = 1, dart_no_pmd = 2, dart_no_pte = 3 };

// The sub-page window of a leaf, as kept in walk_step::attrs / tlb_entry::attrs: SP_START in
// [11:0], SP_END in [23:12] (4-byte units, END inclusive), the check enabled in [24].
struct dart_subpage {
    static constexpr unsigned unit = 4;           // bytes per SP_START / SP_END step
    static constexpr uint64_t field = 0xfff;      // SP_START, SP_END: 12 bits
    static constexpr unsigned end_shift = 12, enabled_shift = 24;

    bool enabled = true;
    unsigned first = 0;      // first byte allowed within the 16 KiB page
    unsigned last = 0x3fff;  // last byte allowed
    static uint64_t to_attrs(uint64_t sp_start, uint64_t sp_end, bool enabled) {
        return (sp_start & field) | ((sp_end & field) << end_shift) | (uint64_t{enabled} << enabled_shift);
    }
    static dart_subpage from_attrs(uint64_t a) {
        dart_subpage s;
        s.enabled = (a >> enabled_shift) & 1;
        s.first = static_cast<unsigned>(a & field) * unit;
        s.last = static_cast<unsigned>((a >> end_shift) & field) * unit + unit - 1;
        return s;
    }
    // True when [offset, offset + len) lies inside the window (or the check is off).
    bool allows(unsigned offset, unsigned len) const {
        return !enabled || (offset >= first && offset + (len ? len - 1 : 0) <= last);
    }
};

class dart_format : public walk_format {
public:
    static constexpr unsigned page_shift = 14;
    static constexpr unsigned leaf_level = 2;

    explicit dart_format(dart_pte_format pte) : pte_(pte) {}

    unsigned entry_size() const override { return 8; }
    uint64_t entry_address(uint64_t table, int level, uint64_t iova) const override;
    walk_step decode(int level, uint64_t descriptor, uint64_t iova, uint64_t& state) const override;

    // The physical address a descriptor holds (table or page, 16 KiB aligned).
    uint64_t address(uint64_t descriptor) const;
    // Descriptors as software writes them (tests, benchmarks, scenario helpers).
    uint64_t table_descriptor(uint64_t pa) const;
    uint64_t leaf_descriptor(uint64_t pa, bool read, bool write, unsigned sp_start = 0, unsigned sp_end = 0xfff,
                             bool sp_disable = false) const;

private:
    dart_pte_format pte_;
};

} // namespace socsim::iommu
