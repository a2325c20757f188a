#include "models/iommu/common/page_walker.h"

namespace socsim::iommu {

walk_result page_walker::walk(const walk_format& format, uint64_t root_table, int first_level, uint64_t iova,
                              sc_core::sc_time& delay, bool debug) {
    if (!debug) ++walks_;
    walk_result r;
    r.trail.dmi_generation = port_.dmi_generation();
    const unsigned size = format.entry_size();
    uint64_t table = root_table;
    uint64_t tables_seen[walk_trail::max_levels];
    unsigned seen = 0;
    uint64_t state = 0;
    int level = first_level;
    for (unsigned depth = 0; depth < max_depth_; ++depth, ++level) {
        for (unsigned i = 0; i < seen; ++i)
            if (tables_seen[i] == table && !r.loop) {
                r.loop = true;
                r.loop_table = table;
            }
        if (seen < walk_trail::max_levels) tables_seen[seen++] = table;

        const uint64_t addr = format.entry_address(table, level, iova);
        uint64_t desc = 0;
        const bool read_ok = debug ? port_.peek(addr, &desc, size) : port_.read(addr, &desc, size, delay);
        r.level = level;
        r.fetch_addr = addr;
        if (!read_ok) {
            r.status = walk_status::bus_error;
            return r;
        }
        r.descriptor = desc;
        r.trail.add(addr, desc, size, port_.host_pointer(addr, size));
        walk_step s = format.decode(level, desc, iova, state);
        switch (s.kind) {
        case walk_step::table:
            table = s.next;
            continue;
        case walk_step::leaf: {
            r.status = walk_status::ok;
            const uint64_t mask = s.size_shift >= 64 ? ~uint64_t{0} : (uint64_t{1} << s.size_shift) - 1;
            r.iova_base = iova & ~mask;
            r.output = s.output & ~mask;
            r.size_shift = s.size_shift;
            r.perms = s.perms;
            r.global = s.global;
            r.attrs = s.attrs;
            return r;
        }
        case walk_step::fault:
            r.status = walk_status::fault;
            r.fault_code = s.fault_code;
            return r;
        }
    }
    r.status = walk_status::too_deep;
    return r;
}


} // namespace socsim::iommu
