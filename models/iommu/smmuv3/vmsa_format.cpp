#include "models/iommu/smmuv3/vmsa_format.h"

#include "models/iommu/smmuv3/smmuv3_fields.h"

namespace socsim::iommu::smmuv3_detail {

namespace {
// Descriptor fields (Arm ARM D8.3; docs/hardware/smmuv3.md "Translation tables").
using smmuv3_bits::field;
constexpr field<0, 0> VALID{};
constexpr field<1, 1> TABLE_OR_PAGE{};     // 1: table (levels 0-2) or page (level 3); 0: block
constexpr field<6, 6> AP1{};               // unprivileged access
constexpr field<7, 7> AP2{};               // read-only
constexpr field<10, 10> AF{};
constexpr field<11, 11> NG{};
constexpr field<51, 12> ADDRESS{};         // next table or output address
constexpr field<62, 61> APTABLE{};         // [1]: no writes below, [0]: no unprivileged access below
} // namespace

vmsa_geometry vmsa_geometry::make(unsigned granule_shift, unsigned input_bits) {
    vmsa_geometry g;
    g.granule_shift = granule_shift;
    g.input_bits = input_bits;
    const unsigned stride = granule_shift - 3;
    const unsigned levels = input_bits > granule_shift ? (input_bits - granule_shift + stride - 1) / stride : 1;
    g.start_level = 4 - static_cast<int>(levels);
    return g;
}

uint64_t vmsa_geometry::root_table_bytes() const {
    const unsigned top = level_shift(start_level);
    const unsigned bits = input_bits > top ? input_bits - top : 0;
    const uint64_t bytes = (uint64_t{1} << bits) * 8;
    return bytes < 8 ? 8 : bytes;
}

uint64_t vmsa_format::entry_address(uint64_t table, int level, uint64_t iova) const {
    const unsigned shift = g_.level_shift(level);
    // The first level indexes only the input bits above its shift; lower levels a full stride.
    const unsigned bits = level == g_.start_level ? (g_.input_bits > shift ? g_.input_bits - shift : 0) : g_.stride();
    const uint64_t index = (iova >> shift) & ((uint64_t{1} << bits) - 1);
    return table + index * 8;
}

bool vmsa_format::block_allowed(int level) const {
    if (g_.granule_shift == 12) return level == 1 || level == 2;
    return level == 2;  // 16K and 64K: level-1 blocks need 52-bit output addresses (not supported)
}

walk_step vmsa_format::decode(int level, uint64_t desc, uint64_t, uint64_t& state) const {
    walk_step s;
    s.kind = walk_step::fault;
    s.fault_code = vmsa_translation;
    if (!VALID(desc)) return s;
    const bool table_or_page = TABLE_OR_PAGE(desc);
    const uint64_t granule_mask = (uint64_t{1} << g_.granule_shift) - 1;
    const uint64_t ips_limit = ips_bits_ >= 64 ? ~uint64_t{0} : (uint64_t{1} << ips_bits_);
    if (level < 3 && table_or_page) {
        const uint64_t next = ADDRESS.in_place(desc) & ~granule_mask;
        if (next >= ips_limit) {
            s.fault_code = vmsa_address_size;
            return s;
        }
        state |= APTABLE(desc);
        s.kind = walk_step::table;
        s.next = next;
        return s;
    }
    if (level == 3 && !table_or_page) return s;  // 0b01 at level 3 is reserved
    if (level < 3 && !block_allowed(level)) return s;
    const unsigned size_shift = g_.level_shift(level);
    const uint64_t out = ADDRESS.in_place(desc) & ~((uint64_t{1} << size_shift) - 1);
    if (ADDRESS.in_place(desc) >= ips_limit) {
        s.fault_code = vmsa_address_size;
        return s;
    }
    if (!AF(desc) && !affd_) {
        s.fault_code = vmsa_access;
        return s;
    }
    const bool ro = AP2(desc) || (state & 2);
    const bool user = AP1(desc) && !(state & 1);
    uint8_t perms = perm_read;
    if (!ro) perms |= perm_write;
    if (user) perms |= perm_user_read | (ro ? 0 : perm_user_write);
    s.kind = walk_step::leaf;
    s.output = out;
    s.size_shift = static_cast<uint8_t>(size_shift);
    s.perms = perms;
    s.global = !NG(desc);
    s.attrs = static_cast<uint64_t>(level);
    return s;
}

} // namespace socsim::iommu::smmuv3_detail
