#include "models/iommu/dart/dart_format.h"

namespace socsim::iommu {

namespace {

// Per-format descriptor layout (Linux io-pgtable-dart.c): a table, so that decode() has no format branches.
struct pte_layout {
    uint64_t addr_mask;   // address bits in the descriptor
    unsigned addr_shift;  // PA = (desc & addr_mask) << addr_shift
    uint64_t no_read, no_write;
    uint64_t sp_disable;  // 0: the format has no such bit
};

const pte_layout& layout(dart_pte_format f) {
    static const pte_layout layouts[2] = {
        {0x0000000fffffc000ull, 0, 1ull << 8, 1ull << 7, 1ull << 1},  // DART1: PA[35:14] in place
        {0x0000003ffffffc00ull, 4, 1ull << 3, 1ull << 2, 0},          // DART2: PA[41:14] >> 4
    };
    return layouts[static_cast<unsigned>(f)];
}

// Fields every descriptor has, in both formats.
constexpr uint64_t VALID = 1;                              // [0], tables and leaves
constexpr unsigned SP_START_SHIFT = 52, SP_END_SHIFT = 40;  // leaf [63:52], [51:40]

// The IOVA bits each level's table is indexed by: [shift+10 : shift], 2048 entries.
constexpr unsigned level_shift[3] = {36, 25, 14};
constexpr uint64_t TABLE_INDEX = 0x7ff;

} // namespace

uint64_t dart_format::entry_address(uint64_t table, int level, uint64_t iova) const {
    const unsigned shift = level_shift[level < 0 ? 0 : level > 2 ? 2 : level];
    return table + ((iova >> shift) & TABLE_INDEX) * 8;
}

uint64_t dart_format::address(uint64_t d) const {
    const pte_layout& l = layout(pte_);
    return (d & l.addr_mask) << l.addr_shift;
}

uint64_t dart_format::table_descriptor(uint64_t pa) const {
    const pte_layout& l = layout(pte_);
    return ((pa >> l.addr_shift) & l.addr_mask) | VALID;
}

uint64_t dart_format::leaf_descriptor(uint64_t pa, bool read, bool write, unsigned sp_start, unsigned sp_end,
                                      bool sp_disable) const {
    const pte_layout& l = layout(pte_);
    uint64_t d = ((pa >> l.addr_shift) & l.addr_mask) | VALID;
    if (!read) d |= l.no_read;
    if (!write) d |= l.no_write;
    if (sp_disable) d |= l.sp_disable;
    d |= (sp_start & dart_subpage::field) << SP_START_SHIFT;
    d |= (sp_end & dart_subpage::field) << SP_END_SHIFT;
    return d;
}

walk_step dart_format::decode(int level, uint64_t d, uint64_t, uint64_t&) const {
    walk_step s;
    if (!(d & VALID)) {
        s.kind = walk_step::fault;
        s.fault_code = level == 0 ? dart_no_pgd : level == 1 ? dart_no_pmd : dart_no_pte;
        return s;
    }
    if (level < static_cast<int>(leaf_level)) {
        s.kind = walk_step::table;
        s.next = address(d);
        return s;
    }
    const pte_layout& l = layout(pte_);
    s.kind = walk_step::leaf;
    s.output = address(d);
    s.size_shift = page_shift;
    s.perms = 0;
    if (!(d & l.no_read)) s.perms |= perm_read | perm_user_read;
    if (!(d & l.no_write)) s.perms |= perm_write | perm_user_write;
    const bool sp_on = !(l.sp_disable && (d & l.sp_disable));
    s.attrs = dart_subpage::to_attrs(d >> SP_START_SHIFT, d >> SP_END_SHIFT, sp_on);
    return s;
}

} // namespace socsim::iommu
