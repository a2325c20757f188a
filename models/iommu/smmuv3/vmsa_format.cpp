#include "models/iommu/smmuv3/vmsa_format.h"

namespace socsim::iommu::smmuv3_detail {

namespace {
constexpr uint64_t address_bits = 0x000ffffffffff000ull;  // descriptor bits [51:12]
constexpr uint64_t bit_af = 1ull << 10;
constexpr uint64_t bit_ng = 1ull << 11;
constexpr uint64_t bit_ap1 = 1ull << 6;  // unprivileged access
constexpr uint64_t bit_ap2 = 1ull << 7;  // read-only
constexpr unsigned aptable_shift = 61;   // APTable[1:0] = bits [62:61]
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
    if ((desc & 1) == 0) return s;
    const bool table_or_page = (desc & 2) != 0;
    const uint64_t granule_mask = (uint64_t{1} << g_.granule_shift) - 1;
    const uint64_t ips_limit = ips_bits_ >= 64 ? ~uint64_t{0} : (uint64_t{1} << ips_bits_);
    if (level < 3 && table_or_page) {
        const uint64_t next = desc & address_bits & ~granule_mask;
        if (next >= ips_limit) {
            s.fault_code = vmsa_address_size;
            return s;
        }
        state |= (desc >> aptable_shift) & 3;
        s.kind = walk_step::table;
        s.next = next;
        return s;
    }
    if (level == 3 && !table_or_page) return s;  // 0b01 at level 3 is reserved
    if (level < 3 && !block_allowed(level)) return s;
    const unsigned size_shift = g_.level_shift(level);
    const uint64_t out = desc & address_bits & ~((uint64_t{1} << size_shift) - 1);
    if ((desc & address_bits) >= ips_limit) {
        s.fault_code = vmsa_address_size;
        return s;
    }
    if ((desc & bit_af) == 0 && !affd_) {
        s.fault_code = vmsa_access;
        return s;
    }
    const bool ro = (desc & bit_ap2) || (state & 2);
    const bool user = (desc & bit_ap1) && !(state & 1);
    uint8_t perms = perm_read;
    if (!ro) perms |= perm_write;
    if (user) perms |= perm_user_read | (ro ? 0 : perm_user_write);
    s.kind = walk_step::leaf;
    s.output = out;
    s.size_shift = static_cast<uint8_t>(size_shift);
    s.perms = perms;
    s.global = (desc & bit_ng) == 0;
    s.attrs = static_cast<uint64_t>(level);
    return s;
}

} // namespace socsim::iommu::smmuv3_detail
