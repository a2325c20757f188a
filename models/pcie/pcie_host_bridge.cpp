#include "models/pcie/pcie_host_bridge.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "models/core/address_range.h"
#include "models/core/config_error.h"
#include "models/core/dma_extension.h"
#include "models/core/trace_writer.h"

namespace socsim::pcie {

std::string bdf_text(unsigned bus, unsigned devfn) {
    char text[16];
    std::snprintf(text, sizeof text, "%02x:%02x.%x", bus & 0xff, (devfn >> 3) & 0x1f, devfn & 7);
    return text;
}

std::string range_text(uint64_t base, uint64_t size) {
    return core::hex(base) + "-" + core::hex(core::address_range{base, size}.last());
}

pcie_endpoint::identity qemu_gpex_root_identity() {
    pcie_endpoint::identity id;
    id.vendor = 0x1b36;
    id.device = 0x0008;
    id.revision = 0;
    id.class_code = 0x060000;
    id.subsystem_vendor = 0x1af4;
    id.subsystem = 0x1100;
    return id;
}

namespace {

std::string window_text(const pcie_host_bridge::inbound_window& w) {
    return "bus " + range_text(w.bus_base, w.size) + " -> cpu " + range_text(w.cpu_base, w.size);
}

const char* space_name(pcie_host_bridge::space s) {
    switch (s) {
    case pcie_host_bridge::space::io: return "I/O";
    case pcie_host_bridge::space::memory32: return "32-bit memory";
    case pcie_host_bridge::space::memory64: return "64-bit memory";
    }
    return "?";
}

} // namespace

pcie_host_bridge::pcie_host_bridge(sc_core::sc_module_name name, config cfg)
    : sc_module(name), ecam("ecam"), upstream("upstream"), dma("dma"), cfg_(std::move(cfg)), bar_port_("bar_port"),
      log_(this->name()) {
    const std::string me = this->name();
    if (cfg_.ecam_size < (1u << 20) || (cfg_.ecam_size & ((1u << 20) - 1)))
        throw core::config_error(me + ": the ECAM region must be a multiple of 1 MiB (one bus)");
    const uint64_t buses = cfg_.ecam_size >> 20;
    if (cfg_.last_bus < cfg_.first_bus || cfg_.last_bus > 255 || cfg_.last_bus - cfg_.first_bus + 1 > buses)
        throw core::config_error(me + ": bus-range " + std::to_string(cfg_.first_bus) + ".." +
                                 std::to_string(cfg_.last_bus) + " does not fit the " +
                                 core::human_size(cfg_.ecam_size) + " ECAM region (" + std::to_string(buses) +
                                 " buses)");
    for (const auto& w : cfg_.outbound)
        if (w.size == 0) throw core::config_error(me + ": an outbound window (ranges) has size 0");
    for (const auto& w : cfg_.inbound) {
        if (w.size == 0) throw core::config_error(me + ": an inbound window (dma-ranges) has size 0");
        if (w.size - 1 > ~uint64_t{0} - w.bus_base || w.size - 1 > ~uint64_t{0} - w.cpu_base)
            throw core::config_error(me + ": inbound window (dma-ranges) at bus " + core::hex(w.bus_base) +
                                     " runs past the end of the 64-bit address space");
    }
    if (auto o = overlapping(cfg_.inbound))
        throw core::config_error(me + ": inbound windows (dma-ranges) " + std::to_string(o->first) + " (" +
                                 window_text(cfg_.inbound[o->first]) + ") and " + std::to_string(o->second) + " (" +
                                 window_text(cfg_.inbound[o->second]) +
                                 ") overlap on the bus: a bus address would have two translations");
    std::stable_sort(cfg_.inbound.begin(), cfg_.inbound.end(),
                     [](const inbound_window& a, const inbound_window& b) { return a.bus_base < b.bus_base; });
    unsigned outputs = 1;
    for (const auto& e : cfg_.iommu_map) {
        if (e.rid_base & ~cfg_.iommu_map_mask)
            throw core::config_error(me + ": iommu-map-mask " + core::hex(cfg_.iommu_map_mask) +
                                     " ignores bits of the iommu-map id base " + core::hex(e.rid_base));
        // Outputs are numbered in order of first use, so none is left unbound.
        if (e.output > outputs)
            throw core::config_error(me + ": iommu-map entry for requester id " + core::hex(e.rid_base) +
                                     " uses DMA output " + std::to_string(e.output) + " before output " +
                                     std::to_string(outputs));
        outputs = std::max(outputs, e.output + 1);
    }
    for (unsigned i = 1; i < outputs; ++i) {
        std::string socket_name = "dma" + std::to_string(i);
        extra_dma_.push_back(std::make_unique<dma_socket>(socket_name.c_str()));
    }

    ecam.register_b_transport(this, &pcie_host_bridge::ecam_transport);
    ecam.register_transport_dbg(this, &pcie_host_bridge::ecam_debug);
    upstream.register_b_transport(this, &pcie_host_bridge::upstream_transport);
    upstream.register_transport_dbg(this, &pcie_host_bridge::upstream_debug);
    for (size_t i = 0; i < cfg_.outbound.size(); ++i) {
        std::string socket_name = "window" + std::to_string(i);
        windows_.push_back(std::make_unique<window_socket>(socket_name.c_str()));
        windows_.back()->register_b_transport(this, &pcie_host_bridge::window_transport, static_cast<int>(i));
        windows_.back()->register_transport_dbg(this, &pcie_host_bridge::window_debug, static_cast<int>(i));
    }
    attach(0, std::make_unique<pcie_endpoint>("root", cfg_.root_identity));
}

pcie_host_bridge::~pcie_host_bridge() = default;

void pcie_host_bridge::set_inbound(std::vector<inbound_window> windows) {
    std::stable_sort(windows.begin(), windows.end(),
                     [](const inbound_window& a, const inbound_window& b) { return a.bus_base < b.bus_base; });
    cfg_.inbound = std::move(windows);
}

pcie_endpoint& pcie_host_bridge::attach(uint8_t devfn, std::unique_ptr<pcie_endpoint> function) {
    const std::string where = std::string(name()) + " " + bdf_text(cfg_.first_bus, devfn);
    if (slots_.count(devfn)) throw core::config_error(where + " is taken by " + slots_[devfn].function->name());
    const uint16_t rid = requester_id(devfn);
    if (!cfg_.iommu_map.empty() && !stream_id(rid))
        throw core::config_error(where + " (requester id " + core::hex(rid) +
                                 ") is covered by no iommu-map entry: its DMA would have no stream id");
    slot s;
    s.function = function.get();
    function->set_requester_id(rid);
    function->dma.bind(upstream);
    upstream_devfn_.push_back(devfn);
    for (unsigned b = 0; b < pcie_endpoint::bar_slots; ++b) {
        const auto& bar = function->bar(b);
        if (bar.kind == pcie_endpoint::bar_kind::none) continue;
        bar_port_.bind(*bar.target);
        s.bar_port[b] = static_cast<int>(bar_ports_++);
    }
    slots_[devfn] = s;
    owned_.push_back(std::move(function));
    return *owned_.back();
}

std::map<uint8_t, pcie_endpoint*> pcie_host_bridge::functions() const {
    std::map<uint8_t, pcie_endpoint*> out;
    for (const auto& [devfn, s] : slots_) out[devfn] = s.function;
    return out;
}

std::vector<std::string> pcie_host_bridge::describe_outbound() const {
    std::vector<std::string> lines;
    for (const auto& w : cfg_.outbound)
        lines.push_back(std::string("outbound ") +
                        (w.type == space::io ? "I/O" : w.type == space::memory32 ? "mem32" : "mem64") +
                        (w.prefetchable ? " prefetchable" : "") + ": cpu " + range_text(w.cpu_base, w.size) +
                        " -> bus " + range_text(w.bus_base, w.size) + " (" + core::human_size(w.size) + ")");
    return lines;
}

std::vector<std::string> pcie_host_bridge::describe_inbound() const {
    std::vector<std::string> lines;
    if (cfg_.inbound.empty()) lines.push_back("inbound: no dma-ranges, every bus address passes unchanged");
    for (const auto& w : cfg_.inbound)
        lines.push_back("inbound: bus " + range_text(w.bus_base, w.size) + " -> cpu " + range_text(w.cpu_base, w.size) +
                        " (" + core::human_size(w.size) + ")");
    return lines;
}

std::vector<std::string> pcie_host_bridge::describe_functions() const {
    std::vector<std::string> lines;
    for (const auto& [devfn, s] : slots_) {
        const pcie_endpoint& f = *s.function;
        char ids[64];
        std::snprintf(ids, sizeof ids, "%04x:%04x class %06x", f.vendor(), f.device(), f.class_code());
        std::string line = bdf_text(cfg_.first_bus, devfn) + "  " + ids + "  " + f.name();
        for (unsigned b = 0; b < pcie_endpoint::bar_slots; ++b) {
            const auto& bar = f.bar(b);
            if (bar.kind == pcie_endpoint::bar_kind::none) continue;
            line += "  BAR" + std::to_string(b) + " " +
                    (bar.kind == pcie_endpoint::bar_kind::io         ? "I/O"
                     : bar.kind == pcie_endpoint::bar_kind::memory32 ? "mem32"
                                                                     : "mem64") +
                    " " + core::human_size(bar.size);
        }
        if (devfn != 0) {
            const uint16_t rid = requester_id(devfn);
            const auto sid = stream_id(rid);
            line += "  requester id " + core::hex(rid) + " -> " + (sid ? "stream id " + core::hex(*sid) : "no stream id");
        }
        lines.push_back(line);
    }
    return lines;
}

std::optional<uint32_t> pcie_host_bridge::stream_id(uint16_t rid) const {
    const uint32_t id = rid & cfg_.iommu_map_mask;
    for (const auto& e : cfg_.iommu_map)
        if (id >= e.rid_base && id - e.rid_base < e.length) return e.out_base + (id - e.rid_base);
    return std::nullopt;
}

unsigned pcie_host_bridge::dma_output_of(uint16_t rid) const {
    const uint32_t id = rid & cfg_.iommu_map_mask;
    for (const auto& e : cfg_.iommu_map)
        if (id >= e.rid_base && id - e.rid_base < e.length) return e.output;
    return 0;
}

std::optional<std::pair<size_t, size_t>> pcie_host_bridge::overlapping(const std::vector<inbound_window>& windows) {
    for (size_t i = 0; i < windows.size(); ++i)
        for (size_t j = i + 1; j < windows.size(); ++j)
            if (core::address_range{windows[i].bus_base, windows[i].size}.overlaps({windows[j].bus_base, windows[j].size}))
                return std::make_pair(i, j);
    return std::nullopt;
}

// ---- ECAM -----------------------------------------------------------------------------------

const pcie_host_bridge::slot* pcie_host_bridge::function_at(unsigned bus, uint8_t devfn) const {
    if (bus != cfg_.first_bus) return nullptr;  // no PCI-PCI bridges: only the root bus is populated
    auto it = slots_.find(devfn);
    if (it == slots_.end()) return nullptr;
    // A multi-function device's functions other than 0 exist only when function 0 does.
    if ((devfn & 7) != 0 && !slots_.count(devfn & 0xf8)) return nullptr;
    return &it->second;
}

bool pcie_host_bridge::ecam_access(tlm::tlm_generic_payload& p, bool debug) {
    const uint64_t offset = p.get_address();
    const unsigned len = p.get_data_length();
    const bool is_read = p.is_read();
    if (!debug && ((len != 1 && len != 2 && len != 4) || offset % len != 0 || p.get_byte_enable_ptr() ||
                   p.get_streaming_width() < len)) {
        log_.warning(std::string("ECAM ") + (is_read ? "read" : "write") + " of " + std::to_string(len) +
                     " bytes at offset " + core::hex(offset) + " by " + core::initiator_of(p) +
                     " refused: configuration accesses are 1, 2 or 4 bytes, naturally aligned");
        p.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
        return false;
    }
    if (len == 0 || len > 4 || (offset & 0xfff) + len > 0x1000) {
        p.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
        return false;
    }
    const unsigned bus = cfg_.first_bus + static_cast<unsigned>(offset >> 20);
    const uint8_t devfn = static_cast<uint8_t>(offset >> 12);
    const unsigned reg = static_cast<unsigned>(offset & 0xfff);
    const slot* s = bus <= cfg_.last_bus ? function_at(bus, devfn) : nullptr;
    const bool present = s && reg + len <= s->function->config_size();
    if (is_read) {
        uint32_t v = present ? s->function->config_read(reg, len) : 0xffffffffu;
        std::memcpy(p.get_data_ptr(), &v, len);
    } else if (p.is_write() && present) {
        uint32_t v = 0;
        std::memcpy(&v, p.get_data_ptr(), len);
        s->function->config_write(reg, len, v);
    }
    if (!present)
        SOCSIM_LOG(log_, trace, "ECAM " << (is_read ? "read" : "write") << " at " << bdf_text(bus, devfn) << " +"
                                        << core::hex(reg) << ": no function (all-ones)");
    p.set_response_status(tlm::TLM_OK_RESPONSE);
    return true;
}

void pcie_host_bridge::ecam_transport(tlm::tlm_generic_payload& p, sc_core::sc_time&) { ecam_access(p, false); }

unsigned pcie_host_bridge::ecam_debug(tlm::tlm_generic_payload& p) {
    return ecam_access(p, true) ? p.get_data_length() : 0;
}

// ---- outbound -------------------------------------------------------------------------------

std::optional<pcie_host_bridge::claim> pcie_host_bridge::decode_bar(uint64_t bus_address, bool io_space) const {
    for (const auto& [devfn, s] : slots_)
        for (unsigned b = 0; b < pcie_endpoint::bar_slots; ++b)
            if (s.bar_port[b] >= 0 && s.function->bar_claims(b, bus_address, io_space))
                return claim{&s, b, bus_address - s.function->bar_address(b)};
    return std::nullopt;
}

void pcie_host_bridge::forward_to_bar(const claim& c, tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
    const uint64_t addr = p.get_address();
    p.set_address(c.offset);
    bar_port_[c.owner->bar_port[c.bar]]->b_transport(p, delay);
    p.set_address(addr);
}

void pcie_host_bridge::unsupported_request(tlm::tlm_generic_payload& p, const std::string& who,
                                           const std::string& why, tlm::tlm_response_status status) {
    const char* what = p.is_read() ? "read" : "write";
    log_.warning(who + " " + what + " of " + std::to_string(p.get_data_length()) + " bytes at bus address " +
                 core::hex(p.get_address()) + " refused: " + why);
    core::trace_event("pcie_refused", name())
        .field("initiator", who)
        .field("cmd", what)
        .hex_field("bus_addr", p.get_address())
        .field("len", static_cast<uint64_t>(p.get_data_length()))
        .field("reason", why)
        .emit();
    p.set_response_status(status);
}

void pcie_host_bridge::window_transport(int id, tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
    const outbound_window& w = cfg_.outbound[static_cast<size_t>(id)];
    const uint64_t addr = p.get_address();
    const uint64_t bus_address = w.bus_base + addr;
    const bool io = w.type == space::io;
    auto c = decode_bar(bus_address, io);
    if (!c || !core::address_range{c->owner->function->bar_address(c->bar), c->owner->function->bar(c->bar).size}
                   .contains(bus_address, std::max(1u, p.get_data_length()))) {
        p.set_address(bus_address);
        unsupported_request(p, "CPU (" + core::initiator_of(p) + ")",
                            std::string("Unsupported Request: no BAR claims it in the ") + space_name(w.type) +
                                " window at " + core::hex(w.cpu_base + addr) +
                                " (BAR unassigned, or memory/I-O decode disabled in its command register)");
        p.set_address(addr);
        return;
    }
    forward_to_bar(*c, p, delay);
}

unsigned pcie_host_bridge::window_debug(int id, tlm::tlm_generic_payload& p) {
    const outbound_window& w = cfg_.outbound[static_cast<size_t>(id)];
    const uint64_t addr = p.get_address();
    auto c = decode_bar(w.bus_base + addr, w.type == space::io);
    if (!c) return 0;
    p.set_address(c->offset);
    unsigned done = bar_port_[c->owner->bar_port[c->bar]]->transport_dbg(p);
    p.set_address(addr);
    return done;
}

// ---- inbound --------------------------------------------------------------------------------

std::optional<pcie_host_bridge::claim> pcie_host_bridge::peer_claim(uint64_t bus_address,
                                                                     const outbound_window*& window) const {
    window = nullptr;
    for (const outbound_window& w : cfg_.outbound) {
        if (w.type == space::io || !core::address_range{w.bus_base, w.size}.contains(bus_address)) continue;
        window = &w;
        return decode_bar(bus_address, false);
    }
    return std::nullopt;
}

pcie_host_bridge::inbound_route pcie_host_bridge::route_inbound(uint64_t bus_address, uint64_t length) const {
    inbound_route r;
    uint64_t a = bus_address, left = length;
    while (left != 0) {
        // The last window starting at or below `a` (windows are sorted and disjoint).
        auto it = std::upper_bound(cfg_.inbound.begin(), cfg_.inbound.end(), a,
                                   [](uint64_t v, const inbound_window& w) { return v < w.bus_base; });
        if (it == cfg_.inbound.begin() || !core::address_range{std::prev(it)->bus_base, std::prev(it)->size}.contains(a)) {
            r.hole = a;
            return r;
        }
        const inbound_window& w = *std::prev(it);
        const uint64_t room = core::address_range{w.bus_base, w.size}.last() - a;  // bytes after `a` in w
        const uint64_t piece = left - 1 <= room ? left : room + 1;
        r.parts.push_back({a, w.cpu_base + (a - w.bus_base), piece});
        left -= piece;
        a += piece;
    }
    return r;
}

std::string pcie_host_bridge::hole_text(uint64_t hole) const {
    std::string windows;
    const inbound_window* nearest = nullptr;
    uint64_t distance = 0;
    for (const inbound_window& w : cfg_.inbound) {
        windows += (windows.empty() ? "" : ", ") + window_text(w);
        const core::address_range r{w.bus_base, w.size};
        const uint64_t d = hole < r.base ? r.base - hole : hole - r.last();
        if (!nearest || d < distance) {
            nearest = &w;
            distance = d;
        }
    }
    if (windows.empty()) return "there is no inbound window at all (" + cfg_.inbound_source + ")";
    std::string text = "inbound windows (" + cfg_.inbound_source + ", by bus address): " + windows;
    if (nearest)
        text += "; the nearest is " + window_text(*nearest) +
                (hole < nearest->bus_base ? ", starting " + core::hex(distance) + " above it"
                                          : ", ending " + core::hex(distance) + " below it");
    return text;
}

void pcie_host_bridge::report_p2p(const slot& s, const claim& c, const tlm::tlm_generic_payload& p) {
    const pcie_endpoint& target = *c.owner->function;
    const uint64_t bar_base = target.bar_address(c.bar);
    const uint64_t bar_size = target.bar(c.bar).size;
    const uint16_t rid = s.function->requester_id();
    const auto sid = stream_id(rid);
    const uint64_t bus_address = p.get_address();
    const unsigned len = std::max(1u, p.get_data_length());
    const std::string seen = sid ? "the IOMMU never saw it (stream " + core::hex(*sid) + " was not translated or checked)"
                                 : "the IOMMU never saw it";
    log_.warning("pcie_p2p: DMA from " + s.function->bdf() + " (" + s.function->name() + ") " +
                 (p.is_read() ? "read" : "write") + " of " + std::to_string(len) + " bytes at bus address " +
                 core::hex(bus_address) + " went peer-to-peer to " + target.bdf() + " BAR" + std::to_string(c.bar) +
                 " (" + target.name() + ") at bus " + range_text(bar_base, bar_size) + ", offset " + core::hex(c.offset) +
                 ": no ACS, so the root complex never sent it upstream and " + seen);
    core::trace_event ev("pcie_p2p", name());
    ev.field("initiator", s.function->name())
        .field("requester", s.function->bdf())
        .hex_field("requester_id", rid)
        .field("cmd", p.is_read() ? "read" : "write")
        .hex_field("bus_addr", bus_address)
        .field("len", static_cast<uint64_t>(len))
        .field("target", target.name())
        .field("target_bdf", target.bdf())
        .field("bar", static_cast<uint64_t>(c.bar))
        .hex_field("bar_base", bar_base)
        .hex_field("bar_size", bar_size)
        .hex_field("bar_offset", c.offset)
        .field("iommu_saw_it", false);
    if (sid) ev.hex_field("stream", *sid);
    ev.emit();
}

core::dma_extension* pcie_host_bridge::stamp(tlm::tlm_generic_payload& p, const slot& s, uint16_t rid,
                                              core::dma_extension& local) const {
    core::dma_extension* ext = nullptr;
    p.get_extension(ext);
    core::dma_extension* added = nullptr;
    if (!ext) {
        local.initiator = s.function->name();
        ext = added = &local;
        p.set_extension(ext);
    }
    ext->requester_id = rid;
    ext->stream_id = stream_id(rid).value_or(core::dma_extension::no_id);
    return added;
}

void pcie_host_bridge::upstream_transport(int port, tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
    const uint8_t devfn = upstream_devfn_.at(static_cast<size_t>(port));
    const slot& s = slots_.at(devfn);
    const uint16_t rid = requester_id(devfn);
    const std::string who = "DMA from " + bdf_text(cfg_.first_bus, devfn) + " (" + s.function->name() + ")";
    const uint64_t bus_address = p.get_address();
    const unsigned len = std::max(1u, p.get_data_length());

    if (!s.function->bus_master_enabled())
        return unsupported_request(p, who, "bus master enable is clear in its command register",
                                   tlm::TLM_GENERIC_ERROR_RESPONSE);

    const outbound_window* window = nullptr;
    if (auto c = peer_claim(bus_address, window)) {
        const pcie_endpoint& target = *c->owner->function;
        if (!core::address_range{target.bar_address(c->bar), target.bar(c->bar).size}.contains(bus_address, len))
            return unsupported_request(p, who,
                                       "Unsupported Request: peer-to-peer into " + target.bdf() + " BAR" +
                                           std::to_string(c->bar) + " (" + target.name() +
                                           ") runs off the end of the BAR (never sent upstream)");
        report_p2p(s, *c, p);
        return forward_to_bar(*c, p, delay);
    } else if (window) {
        return unsupported_request(p, who,
                                   std::string("Unsupported Request: the address is in the ") +
                                       space_name(window->type) +
                                       " outbound window but no BAR claims it (peer-to-peer, never sent upstream)");
    }

    inbound_route route;
    if (cfg_.inbound.empty() && !cfg_.inbound_programmable) {
        route.parts.push_back({bus_address, bus_address, len});
    } else {
        route = route_inbound(bus_address, len);
        if (route.hole) {
            const std::string where =
                *route.hole == bus_address
                    ? "the address is in no inbound window (" + cfg_.inbound_source + ")"
                    : "it runs into a hole at bus address " + core::hex(*route.hole) + " after " +
                          std::to_string(*route.hole - bus_address) + " bytes inside inbound windows (" +
                          cfg_.inbound_source + ")";
            log_.warning(who + " " + (p.is_read() ? "read" : "write") + " of " + std::to_string(len) +
                         " bytes at bus address " + core::hex(bus_address) + " refused: Unsupported Request: " +
                         where + "; " + hole_text(*route.hole));
            core::trace_event("pcie_refused", name())
                .field("initiator", who)
                .field("cmd", p.is_read() ? "read" : "write")
                .hex_field("bus_addr", bus_address)
                .field("len", static_cast<uint64_t>(len))
                .hex_field("hole_addr", *route.hole)
                .field("reason", "Unsupported Request: " + where)
                .field("windows", hole_text(*route.hole))
                .emit();
            p.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
            return;
        }
    }

    core::dma_extension local;
    core::dma_extension* added = stamp(p, s, rid, local);
    const core::dma_extension& ext = *p.get_extension<core::dma_extension>();
    tlm::tlm_initiator_socket<>& out = dma_output(dma_output_of(rid));
    unsigned char* const data = p.get_data_ptr();
    const unsigned total = p.get_data_length();
    const unsigned width = p.get_streaming_width();
    tlm::tlm_response_status status = tlm::TLM_OK_RESPONSE;
    uint64_t done = 0;
    for (const auto& part : route.parts) {
        SOCSIM_LOG(log_, debug, who << " " << (p.is_read() ? "read" : "write") << " of " << part.length
                                    << " bytes at bus address " << core::hex(part.bus) << " -> "
                                    << core::hex(part.cpu) << ", stream id "
                                    << (ext.has_stream_id() ? core::hex(ext.stream_id) : std::string("none")));
        p.set_address(part.cpu);
        if (route.parts.size() > 1) {
            p.set_data_ptr(data + done);
            p.set_data_length(static_cast<unsigned>(part.length));
            p.set_streaming_width(static_cast<unsigned>(part.length));
            p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        }
        out->b_transport(p, delay);
        done += part.length;
        if (!p.is_response_ok()) {
            status = p.get_response_status();
            break;
        }
    }
    if (route.parts.size() > 1) {
        p.set_data_ptr(data);
        p.set_data_length(total);
        p.set_streaming_width(width);
        p.set_dmi_allowed(false);
        p.set_response_status(status);
    }
    p.set_address(bus_address);
    if (added) p.clear_extension(added);
}

unsigned pcie_host_bridge::upstream_debug(int port, tlm::tlm_generic_payload& p) {
    // A debugger looking through the device's eyes: the route a real DMA would take, without the
    // bus-master check and without reports.
    const uint8_t devfn = upstream_devfn_.at(static_cast<size_t>(port));
    const slot& s = slots_.at(devfn);
    const uint16_t rid = requester_id(devfn);
    const uint64_t bus_address = p.get_address();
    const unsigned len = p.get_data_length();

    const outbound_window* window = nullptr;
    if (auto c = peer_claim(bus_address, window)) {
        p.set_address(c->offset);
        const unsigned n = bar_port_[c->owner->bar_port[c->bar]]->transport_dbg(p);
        p.set_address(bus_address);
        return n;
    } else if (window) {
        return 0;
    }

    inbound_route route;
    if (cfg_.inbound.empty() && !cfg_.inbound_programmable)
        route.parts.push_back({bus_address, bus_address, len});
    else
        route = route_inbound(bus_address, len);

    core::dma_extension local;
    core::dma_extension* added = stamp(p, s, rid, local);
    tlm::tlm_initiator_socket<>& out = dma_output(dma_output_of(rid));
    unsigned char* const data = p.get_data_ptr();
    unsigned done = 0;
    for (const auto& part : route.parts) {
        p.set_address(part.cpu);
        p.set_data_ptr(data + done);
        p.set_data_length(static_cast<unsigned>(part.length));
        const unsigned n = out->transport_dbg(p);
        done += n;
        if (n < part.length) break;
    }
    p.set_address(bus_address);
    p.set_data_ptr(data);
    p.set_data_length(len);
    if (added) p.clear_extension(added);
    return done;
}

} // namespace socsim::pcie
