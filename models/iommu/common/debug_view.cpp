#include "models/iommu/common/debug_view.h"

#include "models/core/address_range.h"

namespace socsim::iommu {
namespace {

std::string perms_text(uint8_t perms) {
    std::string s;
    s += (perms & perm_read) ? 'R' : '-';
    s += (perms & perm_write) ? 'W' : '-';
    if (perms & (perm_user_read | perm_user_write)) {
        s += " user ";
        s += (perms & perm_user_read) ? 'R' : '-';
        s += (perms & perm_user_write) ? 'W' : '-';
    }
    return s;
}

} // namespace

void fill_from_walk(debug_translation& out, const walk_result& w, uint64_t iova, const std::string& fault_name) {
    // The trail holds every entry read (not the one a bus error failed to read); levels count up
    // by one per entry.
    const int last_read = w.status == walk_status::bus_error ? w.level - 1 : w.level;
    const int first_level = last_read - static_cast<int>(w.trail.count) + 1;
    for (unsigned i = 0; i < w.trail.count; ++i)
        out.steps.push_back({first_level + static_cast<int>(i), w.trail.address[i], w.trail.value[i]});
    switch (w.status) {
    case walk_status::ok:
        out.result = debug_translation::outcome::translated;
        out.output = w.translate(iova);
        out.size_shift = w.size_shift;
        out.perms = w.perms;
        return;
    case walk_status::fault:
        out.why = fault_name + " at level " + std::to_string(w.level) + " (entry " + core::hex(w.fetch_addr) +
                  " = " + core::hex(w.descriptor) + ")";
        break;
    case walk_status::bus_error:
        out.why = "walk bus error: the entry at " + core::hex(w.fetch_addr) + " cannot be read";
        break;
    case walk_status::too_deep:
        out.why = "walk too deep: the tables do not end";
        break;
    }
    if (w.loop) out.why += " (the walk met table " + core::hex(w.loop_table) + " twice)";
    out.result = debug_translation::outcome::fault;
}

void print_tlb(std::ostream& os, const std::string& title, const tlb& t, page_walker& walker) {
    os << title << ": " << t.occupancy() << " of " << t.capacity() << " entries\n";
    t.for_each([&](const tlb_entry& e) {
        os << "  iova " << core::hex(e.iova) << " -> " << core::hex(e.output) << " ("
           << core::human_size(uint64_t{1} << e.size_shift) << ", level " << static_cast<unsigned>(e.level) << ", "
           << perms_text(e.perms) << ") stream " << e.stream << " context " << e.context;
        if (e.global) os << " global";
        uint64_t now = 0;
        const int changed = walker.first_change(e.trail, now);
        if (changed >= 0)
            os << "  STALE: entry " << core::hex(e.trail.address[changed]) << " was "
               << core::hex(e.trail.value[changed]) << ", now " << core::hex(now);
        os << "\n";
    });
}

void print_translation(std::ostream& os, const debug_translation& t, uint64_t iova) {
    for (const std::string& line : t.config) os << "  " << line << "\n";
    for (const auto& s : t.steps)
        os << "  level " << s.level << ": entry " << core::hex(s.entry_address) << " = " << core::hex(s.value) << "\n";
    switch (t.result) {
    case debug_translation::outcome::translated:
        os << "  iova " << core::hex(iova) << " -> " << core::hex(t.output) << " ("
           << core::human_size(uint64_t{1} << t.size_shift) << " mapping, " << perms_text(t.perms) << ")\n";
        break;
    case debug_translation::outcome::bypass:
        os << "  iova " << core::hex(iova) << " -> " << core::hex(t.output) << " untranslated: " << t.why << "\n";
        break;
    case debug_translation::outcome::fault:
        os << "  iova " << core::hex(iova) << ": fault: " << t.why << "\n";
        break;
    }
}

} // namespace socsim::iommu
