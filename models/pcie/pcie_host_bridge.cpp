#include "models/pcie/pcie_host_bridge.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "models/core/address_range.h"
#include "models/core/config_error.h"
#include "models/core/dma_extension.h"
#include "models/core/trace_writer.h"

namespace socsim::pcie {
namespace {

std::string bdf_text(unsigned bus, uint8_t devfn) {
    char text[16];
    std::snprintf(text, sizeof text, "%02x:%02x.%x", bus & 0xff, devfn >> 3, devfn & 7);
    return text;
}

const char* space_name(pcie_host_bridge::space s) {
    switch (s) {
    case pcie_host_bridge::space::io: return "I/O";
    case pcie_host_bridge::space::memory32: return "32-bit memory";
    case pcie_host_bridge::space::memory64: return "64-bit memory";
    }
    return "?";
}

// The QEMU GPEX root function (hw/pci-host/gpex.c: Red Hat 0x1b36, PCIE_HOST 0x0008, class host
// bridge; QEMU gives non-bridge functions subsystem 0x1af4 / 0x1100).
pcie_endpoint::identity root_identity() {
    pcie_endpoint::identity id;
    id.vendor = 0x1b36;
    id.device = 0x0008;
    id.revision = 0;
    id.class_code = 0x060000;
    id.subsystem_vendor = 0x1af4;
    id.subsystem = 0x1100;
    return id;
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
    for (const auto& w : cfg_.inbound)
        if (w.size == 0) throw core::config_error(me + ": an inbound window (dma-ranges) has size 0");
    for (const auto& e : cfg_.iommu_map)
        if (e.rid_base & ~cfg_.iommu_map_mask)
            throw core::config_error(me + ": iommu-map-mask " + core::hex(cfg_.iommu_map_mask) +
                                     " ignores bits of the iommu-map id base " + core::hex(e.rid_base));

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
    attach(0, std::make_unique<pcie_endpoint>("root", root_identity()));
}

pcie_host_bridge::~pcie_host_bridge() = default;

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

std::optional<uint32_t> pcie_host_bridge::stream_id(uint16_t rid) const {
    const uint32_t id = rid & cfg_.iommu_map_mask;
    for (const auto& e : cfg_.iommu_map)
        if (id >= e.rid_base && id - e.rid_base < e.length) return e.out_base + (id - e.rid_base);
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

    for (const outbound_window& w : cfg_.outbound) {
        if (w.type == space::io || !core::address_range{w.bus_base, w.size}.contains(bus_address)) continue;
        auto c = decode_bar(bus_address, false);
        if (!c)
            return unsupported_request(p, who,
                                       std::string("Unsupported Request: the address is in the ") +
                                           space_name(w.type) +
                                           " outbound window but no BAR claims it (peer-to-peer, never sent upstream)");
        log_.warning(who + " " + (p.is_read() ? "read" : "write") + " of " + std::to_string(len) +
                     " bytes at bus address " + core::hex(bus_address) + " went peer-to-peer to " +
                     c->owner->function->bdf() + " BAR" + std::to_string(c->bar) + " (" +
                     c->owner->function->name() + "): it never reaches the IOMMU or memory");
        core::trace_event("pcie_p2p", name())
            .field("initiator", s.function->name())
            .hex_field("bus_addr", bus_address)
            .field("len", static_cast<uint64_t>(len))
            .field("target", c->owner->function->name())
            .field("bar", static_cast<uint64_t>(c->bar))
            .emit();
        return forward_to_bar(*c, p, delay);
    }

    uint64_t system_address = bus_address;
    if (!cfg_.inbound.empty()) {
        auto it = std::find_if(cfg_.inbound.begin(), cfg_.inbound.end(), [&](const inbound_window& w) {
            return core::address_range{w.bus_base, w.size}.contains(bus_address, len);
        });
        if (it == cfg_.inbound.end())
            return unsupported_request(p, who, "Unsupported Request: the address is in no inbound window (dma-ranges)");
        system_address = it->cpu_base + (bus_address - it->bus_base);
    }

    core::dma_extension* ext = nullptr;
    p.get_extension(ext);
    core::dma_extension local;
    const bool own = ext == nullptr;
    if (own) {
        local.initiator = s.function->name();
        ext = &local;
        p.set_extension(ext);
    }
    ext->requester_id = rid;
    ext->stream_id = stream_id(rid).value_or(core::dma_extension::no_id);
    SOCSIM_LOG(log_, debug, who << " " << (p.is_read() ? "read" : "write") << " of " << len << " bytes at bus address "
                                << core::hex(bus_address) << " -> " << core::hex(system_address) << ", stream id "
                                << (ext->has_stream_id() ? core::hex(ext->stream_id) : std::string("none")));
    p.set_address(system_address);
    dma->b_transport(p, delay);
    p.set_address(bus_address);
    if (own) p.clear_extension(&local);
}

unsigned pcie_host_bridge::upstream_debug(int, tlm::tlm_generic_payload& p) {
    // Debug accesses (a debugger looking through the device's eyes) skip the checks.
    return dma->transport_dbg(p);
}

} // namespace socsim::pcie
