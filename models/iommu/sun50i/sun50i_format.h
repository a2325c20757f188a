#pragma once
// The H6 IOMMU table format, each field named once (docs/hardware/sun50i-iommu.md, "Table
// format"; Linux drivers/iommu/sun50i-iommu.c). One 32-bit address space:
//   TTB [31:14]: the directory (DT), 4096 4-byte DTEs, one per 1 MiB slot, IOVA[31:20];
//   DTE [1:0] = 0b01: valid, [31:10] the page table (PT), 256 4-byte PTEs, IOVA[19:12];
//   PTE [1] valid, [7:4] ACI (permission domain), [31:12] the 4 KiB page; IOVA[11:0] the offset.
// Other DTE/PTE bits are ignored (DTE[9:2], PTE[11:8], PTE[3:2] where the vendor driver puts
// R/W, PTE bit0).

#include <cstdint>

#include "models/iommu/common/page_walker.h"

namespace socsim::iommu::sun50i_format {

constexpr unsigned page_shift = 12;   // 4 KiB pages
constexpr unsigned slot_shift = 20;   // a DTE maps 1 MiB
constexpr unsigned entry_bytes = 4;
constexpr uint32_t last_slot = 0xfff;             // DT index, IOVA[31:20]
constexpr uint32_t last_page_in_slot = 0xff;      // PT index, IOVA[19:12]
constexpr uint32_t page_mask = 0xfffff000u;       // the page of an IOVA or PTE [31:12]
constexpr uint32_t slot_mask = 0xfff00000u;       // the slot of an IOVA [31:20]
constexpr uint32_t ttb_mask = 0xffffc000u;        // TTB [31:14]: the DT, 16 KiB aligned

// Walk fault codes (walk_result::fault_code): the level whose entry was invalid.
constexpr int fault_l1 = 1, fault_l2 = 2;

inline uint32_t slot_of(uint64_t iova) { return static_cast<uint32_t>(iova >> slot_shift) & last_slot; }
inline uint32_t page_in_slot(uint64_t iova) { return static_cast<uint32_t>(iova >> page_shift) & last_page_in_slot; }
inline uint64_t dt_of(uint64_t ttb_register) { return ttb_register & ttb_mask; }
inline uint64_t dte_address(uint64_t dt, uint64_t iova) { return dt + uint64_t{slot_of(iova)} * entry_bytes; }
inline uint64_t pte_address(uint64_t pt, uint64_t iova) { return pt + uint64_t{page_in_slot(iova)} * entry_bytes; }

// DTE
inline unsigned dte_type(uint64_t dte) { return static_cast<unsigned>(dte & 3); }
inline bool dte_valid(uint64_t dte) { return dte_type(dte) == 1; }
inline uint64_t dte_table(uint64_t dte) { return dte & 0xfffffc00u; }
// PTE
inline bool pte_valid(uint64_t pte) { return (pte & 2) != 0; }
inline unsigned pte_aci(uint64_t pte) { return static_cast<unsigned>((pte >> 4) & 0xf); }
inline uint64_t pte_page(uint64_t pte) { return pte & page_mask; }

// The permissions the TLB and the DMA checker compare: all access kinds, plus the ACI in the high
// nibble, so that a PTE whose permission domain changed counts as a changed translation.
inline uint8_t pte_perms(uint64_t pte) {
    return static_cast<uint8_t>(perm_read | perm_write | perm_user_read | perm_user_write | (pte_aci(pte) << 4));
}

// DT (level 1) and PT (level 2) as the common walker sees them.
class walk : public walk_format {
public:
    unsigned entry_size() const override { return entry_bytes; }
    uint64_t entry_address(uint64_t table, int level, uint64_t iova) const override {
        return level == 1 ? dte_address(table, iova) : pte_address(table, iova);
    }
    walk_step decode(int level, uint64_t d, uint64_t, uint64_t&) const override {
        walk_step s;
        if (level == 1) {
            if (!dte_valid(d)) {
                s.fault_code = fault_l1;
                return s;
            }
            s.kind = walk_step::table;
            s.next = dte_table(d);
            return s;
        }
        if (!pte_valid(d)) {
            s.fault_code = fault_l2;
            return s;
        }
        s.kind = walk_step::leaf;
        s.output = pte_page(d);
        s.size_shift = page_shift;
        s.perms = pte_perms(d);
        s.global = true;
        s.attrs = d;
        return s;
    }
};

} // namespace socsim::iommu::sun50i_format
