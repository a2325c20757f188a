#pragma once
// VMSAv8-64 stage-1 translation tables (64-bit descriptors, 4/16/64 KiB granules) as a
// walk_format for the common page walker. Checks, in the architecture's priority order:
// - invalid descriptor (bit 0 clear), reserved encoding (0b01 at level 3), or a block at a level
//   where the granule has none (4K: blocks at levels 1-2; 16K and 64K: level 2 only without
//   52-bit addresses) -> translation fault;
// - a table or output address with bits at or above the output size (`ips_bits`; bits [51:48]
//   included, which are RES0 in 48-bit descriptors) -> address-size fault;
// - access flag clear, unless the context disables access-flag faults -> access fault;
// permissions (AP[2:1] with APTable accumulated from table descriptors) are returned as
// tlb_perm bits; the caller checks them against the access.

#include <cstdint>

#include "models/iommu/common/page_walker.h"

namespace socsim::iommu::smmuv3_detail {

// VMSAv8-64 virtual addresses (Arm ARM D8.1; docs/hardware/smmuv3.md "CD"): bit 55 selects the
// translation-table half (TTB0 or TTB1), and with TBI the top byte is ignored. The TLB holds and
// invalidates VAs sign-extended from bit 55, a form neutral to TBI.
constexpr int va_half(uint64_t va) { return static_cast<int>((va >> 55) & 1); }
constexpr uint64_t canonical(uint64_t va) { return static_cast<uint64_t>(static_cast<int64_t>(va << 8) >> 8); }

enum vmsa_fault : int { vmsa_translation = 1, vmsa_address_size = 2, vmsa_access = 3 };

// Walk geometry for one translation-table base.
struct vmsa_geometry {
    unsigned granule_shift = 12;  // 12, 14 or 16
    unsigned input_bits = 48;     // 64 - TxSZ
    int start_level = 0;

    unsigned stride() const { return granule_shift - 3; }
    unsigned level_shift(int level) const { return granule_shift + static_cast<unsigned>(3 - level) * stride(); }
    // Bytes of the first-level table (its alignment).
    uint64_t root_table_bytes() const;
    // From a granule and an input size: start level = 4 - ceil((inputsize - g) / (g - 3)).
    static vmsa_geometry make(unsigned granule_shift, unsigned input_bits);
};

class vmsa_format : public walk_format {
public:
    vmsa_format(const vmsa_geometry& g, unsigned ips_bits, bool affd) : g_(g), ips_bits_(ips_bits), affd_(affd) {}

    unsigned entry_size() const override { return 8; }
    uint64_t entry_address(uint64_t table, int level, uint64_t iova) const override;
    walk_step decode(int level, uint64_t descriptor, uint64_t iova, uint64_t& state) const override;

    // Descriptor attribute bits kept in walk_step::attrs: the leaf level.
private:
    bool block_allowed(int level) const;

    vmsa_geometry g_;
    unsigned ips_bits_;
    bool affd_;
};

} // namespace socsim::iommu::smmuv3_detail
