// The IOVA space iommu-dma would leave a PCI function: see iova_ranges.h.

#include "platforms/builder/iova_ranges.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "models/core/address_range.h"
#include "models/core/config_error.h"
#include "platforms/builder/device_tree.h"

namespace socsim::platform {

uint64_t dma_mask_covering(uint64_t limit) {
    for (unsigned shift = 1; shift < 64; shift <<= 1) limit |= limit >> shift;
    return limit;
}

unsigned mask_bits(uint64_t mask) {
    unsigned bits = 0;
    while (bits < 64 && (mask >> bits) != 0) ++bits;
    return bits;
}

void add_resv_region(std::vector<resv_region>& regions, const resv_region& region) {
    auto at = regions.begin();
    while (at != regions.end() && (at->first < region.first || (at->first == region.first && at->last < region.last)))
        ++at;
    for (auto i = at; i != regions.end() && i->first == region.first; ++i)
        if (*i == region) return;
    regions.insert(at, region);
}

namespace {

[[noreturn]] void malformed(const device_tree& dt, int node, const std::string& what) {
    throw core::config_error(dt.path(node) + ": " + what);
}

uint64_t value(const std::vector<uint32_t>& c, size_t at, unsigned n) {
    uint64_t v = 0;
    for (unsigned i = 0; i < n; ++i) v = (v << 32) | c[at + i];
    return v;
}

// #address-cells / #size-cells of the nearest of `node` and its ancestors that has it, else the
// spec's default (lib/pci_resv.c's bus_cells, Linux of_bus_n_addr_cells).
unsigned inherited_cells(const device_tree& dt, int node, const char* prop, unsigned fallback) {
    for (int n = node; n >= 0; n = dt.parent(n)) {
        auto c = dt.cells(n, prop);
        if (!c.empty()) return c[0];
    }
    return fallback;
}

iova_span span(const device_tree& dt, int node, uint64_t first, uint64_t size) {
    if (size - 1 > ~uint64_t{0} - first) malformed(dt, node, "a window or region ends past the 64-bit address space");
    return {first, first + (size - 1)};
}

// Memory entries with a size of `ranges` / `dma-ranges`, at their bus addresses.
std::vector<iova_span> memory_windows(const device_tree& dt, int host, const char* prop) {
    const unsigned pac = inherited_cells(dt, dt.parent(host), "#address-cells", 2);
    const unsigned sc = inherited_cells(dt, host, "#size-cells", 1);
    auto c = dt.cells(host, prop);
    const unsigned entry = 3 + pac + sc;
    if (pac > 2 || sc > 2 || c.size() % entry != 0) malformed(dt, host, std::string("malformed '") + prop + "'");
    std::vector<iova_span> out;
    for (size_t i = 0; i < c.size(); i += entry) {
        const unsigned space = (c[i] >> 24) & 3;
        const uint64_t size = value(c, i + 3 + pac, sc);
        if ((space != 2 && space != 3) || size == 0) continue;  // I/O, configuration, empty
        out.push_back(span(dt, host, value(c, i + 1, 2), size));
    }
    return out;
}

bool compatible_with(const device_tree& dt, int node, const char* compatible) {
    for (const auto& s : dt.strings(node, "compatible"))
        if (s == compatible) return true;
    return false;
}

// The doorbell of MSI controller `node` when it is one whose doorbell we know.
void add_doorbell(const device_tree& dt, int node, std::vector<iova_span>& out) {
    constexpr uint64_t its_translater_frame = 0x10000, its_frame_size = 0x10000;  // GITS_TRANSLATER's frame
    const bool v2m = compatible_with(dt, node, "arm,gic-v2m-frame");
    const bool its = !v2m && compatible_with(dt, node, "arm,gic-v3-its");
    if (!v2m && !its) return;
    auto reg = dt.reg(node);
    if (reg.empty() || reg[0].size == 0) malformed(dt, node, "MSI controller without 'reg'");
    if (v2m) {
        out.push_back(span(dt, node, reg[0].base, reg[0].size));
        return;
    }
    if (reg[0].size < its_translater_frame + its_frame_size) malformed(dt, node, "ITS 'reg' smaller than 128 KiB");
    out.push_back(span(dt, node, reg[0].base + its_translater_frame, its_frame_size));
}

// One /reserved-memory node listed by the function's memory-region: its iommu-addresses
// entries that name the function.
void add_reservation(const device_tree& dt, int mem, int function, std::vector<resv_region>& out) {
    auto reg = dt.reg(mem);
    const bool has_reg = !reg.empty() && reg[0].size != 0;
    auto c = dt.cells(mem, "iommu-addresses");
    for (size_t at = 0; at < c.size();) {
        const int target = dt.by_phandle(c[at]);
        const int bus = target < 0 ? -1 : dt.parent(target);
        if (bus < 0) malformed(dt, mem, "'iommu-addresses' names no node");
        const unsigned na = inherited_cells(dt, bus, "#address-cells", 2);
        const unsigned ns = inherited_cells(dt, bus, "#size-cells", 1);
        const unsigned skip = na == 3 ? 1 : 0;  // a PCI address: skip the flags cell
        if (na < 1 || na > 3 || ns < 1 || ns > 2 || c.size() - at < 1 + na + ns)
            malformed(dt, mem, "malformed 'iommu-addresses'");
        const uint64_t iova = value(c, at + 1 + skip, na - skip), size = value(c, at + 1 + na, ns);
        at += 1 + na + ns;
        if (target != function || size == 0) continue;
        const iova_span s = span(dt, mem, iova, size);
        const bool direct = has_reg && iova == reg[0].base && size == reg[0].size;
        out.push_back({s.first, s.last, direct ? resv_type::direct : resv_type::reserved, resv_source::reserved_memory});
    }
}

} // namespace

pci_dma_facts read_pci_dma_facts(const device_tree& dt, int host, int function) {
    pci_dma_facts facts;
    facts.outbound = memory_windows(dt, host, "ranges");
    facts.inbound = memory_windows(dt, host, "dma-ranges");
    auto parent = dt.cells(host, "msi-parent");
    for (size_t at = 0; at < parent.size();) {
        const int node = dt.by_phandle(parent[at]);
        if (node < 0) malformed(dt, host, "'msi-parent' names no node");
        auto cells = dt.cells(node, "#msi-cells");  // the controller's own, 0 without
        const unsigned msi_cells = cells.empty() ? 0 : cells[0];
        if (msi_cells > parent.size() - at - 1) malformed(dt, host, "malformed 'msi-parent'");
        add_doorbell(dt, node, facts.msi_doorbells);
        at += 1 + msi_cells;
    }
    auto map = dt.cells(host, "msi-map");
    if (map.size() % 4 != 0) malformed(dt, host, "'msi-map' must be (rid-base, msi-controller, msi-base, length) entries");
    for (size_t at = 0; at < map.size(); at += 4) {
        const int node = dt.by_phandle(map[at + 1]);
        if (node < 0) malformed(dt, host, "'msi-map' names no node");
        add_doorbell(dt, node, facts.msi_doorbells);
    }
    if (function >= 0)
        for (uint32_t phandle : dt.cells(function, "memory-region")) {
            const int mem = dt.by_phandle(phandle);
            if (mem < 0) malformed(dt, function, "'memory-region' names no node");
            add_reservation(dt, mem, function, facts.reserved_memory);
        }
    return facts;
}

pci_iova_space derive_pci_iova_space(const pci_dma_facts& facts) {
    auto check = [](const iova_span& s) {
        if (s.first > s.last)
            throw core::config_error("empty window " + core::hex(s.first) + "-" + core::hex(s.last));
    };
    pci_iova_space space;
    for (const iova_span& w : facts.outbound) {
        check(w);
        add_resv_region(space.regions, {w.first, w.last, resv_type::reserved, resv_source::outbound_window});
    }
    space.inbound = facts.inbound;
    for (const iova_span& w : space.inbound) check(w);
    std::stable_sort(space.inbound.begin(), space.inbound.end(),
                     [](const iova_span& a, const iova_span& b) { return a.first < b.first; });
    for (size_t i = 1; i < space.inbound.size(); ++i)
        if (space.inbound[i].first <= space.inbound[i - 1].last)
            throw core::config_error("inbound windows " + core::hex(space.inbound[i - 1].first) + "-" +
                                        core::hex(space.inbound[i - 1].last) + " and " +
                                        core::hex(space.inbound[i].first) + "-" + core::hex(space.inbound[i].last) +
                                        " overlap");
    if (!space.inbound.empty()) {
        space.bus_dma_limit = space.inbound.back().last;
        space.dt_mask = dma_mask_covering(space.bus_dma_limit);
        uint64_t cursor = 0;  // the lowest bus address no window walked so far covers
        bool at_top = false;
        for (const iova_span& w : space.inbound) {
            if (w.first > cursor)
                add_resv_region(space.regions, {cursor, w.first - 1, resv_type::reserved, resv_source::inbound_hole});
            at_top = w.last == ~uint64_t{0};
            cursor = w.last + 1;
        }
        if (!at_top)
            add_resv_region(space.regions, {cursor, ~uint64_t{0}, resv_type::reserved, resv_source::inbound_hole});
    }
    for (const iova_span& d : facts.msi_doorbells) {
        check(d);
        add_resv_region(space.regions, {d.first, d.last, resv_type::msi, resv_source::msi_doorbell});
    }
    for (const resv_region& r : facts.reserved_memory) {
        check({r.first, r.last});
        add_resv_region(space.regions, r);
    }
    return space;
}

uint64_t iova_limit(const pci_iova_space& space, uint64_t device_mask, uint64_t aperture_last) {
    uint64_t limit = device_mask & space.dt_mask;
    if (space.bus_dma_limit != 0) limit = std::min(limit, space.bus_dma_limit);
    return std::min(limit, aperture_last);
}

std::vector<iova_span> valid_iova_ranges(const pci_iova_space& space, uint64_t limit, uint64_t granule) {
    if (granule == 0 || (granule & (granule - 1)) != 0)
        throw std::invalid_argument("granule " + core::hex(granule) + " is not a power of two");
    // The usable top: the end of the last whole granule at or below the limit.
    const uint64_t top = limit == ~uint64_t{0} ? limit : ((limit + 1) & ~(granule - 1)) - 1;
    std::vector<iova_span> out;
    if (limit < granule || top < granule) return out;
    uint64_t cursor = granule;  // the lowest address not yet known to be reserved or handed out
    bool done = false;
    for (const resv_region& r : space.regions) {  // sorted by first
        const uint64_t first = r.first & ~(granule - 1);
        const uint64_t last = (r.last | (granule - 1));
        if (last < cursor) continue;
        if (first > top) break;
        if (first > cursor) out.push_back({cursor, first - 1});
        if (last >= top) {
            done = true;
            break;
        }
        cursor = last + 1;
    }
    if (!done) out.push_back({cursor, top});
    return out;
}

const char* resv_type_name(resv_type type) {
    switch (type) {
    case resv_type::reserved: return "reserved";
    case resv_type::msi: return "msi";
    case resv_type::direct: return "direct";
    }
    return "?";
}

const char* resv_source_name(resv_source source) {
    switch (source) {
    case resv_source::outbound_window: return "outbound window";
    case resv_source::inbound_hole: return "inbound hole";
    case resv_source::msi_doorbell: return "msi doorbell";
    case resv_source::reserved_memory: return "reserved-memory";
    }
    return "?";
}

std::string resv_region_text(const resv_region& region) {
    char text[64];
    std::snprintf(text, sizeof text, "0x%016llx 0x%016llx %s", static_cast<unsigned long long>(region.first),
                  static_cast<unsigned long long>(region.last), resv_type_name(region.type));
    return text;
}

} // namespace socsim::platform
