#include "models/bus/router.h"

#include <algorithm>

#include "models/core/config_error.h"
#include "models/core/dma_extension.h"
#include "models/core/trace_writer.h"

namespace socsim::bus {

router::router(sc_core::sc_module_name name)
    : sc_module(name), target_socket("target_socket"), initiator_socket("initiator_socket"),
      log_(this->name()) {
    target_socket.register_b_transport(this, &router::b_transport);
    target_socket.register_transport_dbg(this, &router::transport_dbg);
    target_socket.register_get_direct_mem_ptr(this, &router::get_direct_mem_ptr);
    initiator_socket.register_invalidate_direct_mem_ptr(this, &router::invalidate_direct_mem_ptr);
}

unsigned router::bind_target(tlm::tlm_target_socket<>& target) {
    initiator_socket.bind(target);
    return ports_++;
}

void router::map(unsigned port, core::address_range range, const std::string& name) {
    if (range.size == 0) throw core::config_error(name + ": region at " + core::hex(range.base) + " has size 0");
    if (range.base + (range.size - 1) < range.base)
        throw core::config_error(name + ": region at " + core::hex(range.base) + " wraps past the end of the address space");
    for (const mapping& m : map_)
        if (m.range.overlaps(range))
            throw core::config_error(name + " [" + core::hex(range.base) + ".." + core::hex(range.last()) +
                                     "] overlaps " + m.name + " [" + core::hex(m.range.base) + ".." +
                                     core::hex(m.range.last()) + "]");
    mapping m{range, port, name};
    map_.insert(std::upper_bound(map_.begin(), map_.end(), m,
                                 [](const mapping& a, const mapping& b) { return a.range.base < b.range.base; }),
                m);
}

const router::mapping* router::decode(uint64_t addr) const {
    auto it = std::upper_bound(map_.begin(), map_.end(), addr,
                               [](uint64_t a, const mapping& m) { return a < m.range.base; });
    if (it == map_.begin()) return nullptr;
    --it;
    return it->range.contains(addr) ? &*it : nullptr;
}

void router::report_unmapped(const tlm::tlm_generic_payload& p) const {
    const char* what = p.is_read() ? "read" : "write";
    log_.warning(std::string("access to nothing: ") + what + " of " + std::to_string(p.get_data_length()) +
                 " bytes at " + core::hex(p.get_address()) + " by " + core::initiator_of(p));
    core::trace_event("unmapped", name())
        .field("initiator", core::initiator_of(p))
        .field("cmd", what)
        .hex_field("addr", p.get_address())
        .field("len", static_cast<uint64_t>(p.get_data_length()))
        .emit();
}

void router::b_transport(int, tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
    const uint64_t addr = p.get_address();
    const mapping* m = decode(addr);
    if (!m || !m->range.contains(addr, std::max(1u, p.get_data_length()))) {
        report_unmapped(p);
        p.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    p.set_address(addr - m->range.base);
    initiator_socket[m->port]->b_transport(p, delay);
    p.set_address(addr);
}

unsigned router::transport_dbg(int, tlm::tlm_generic_payload& p) {
    const uint64_t addr = p.get_address();
    const mapping* m = decode(addr);
    if (!m) return 0;
    // Clip to the mapping so a debug access never runs into the neighbour.
    const unsigned len = p.get_data_length();
    const unsigned clipped = static_cast<unsigned>(std::min<uint64_t>(len, m->range.last() - addr + 1));
    p.set_address(addr - m->range.base);
    p.set_data_length(clipped);
    unsigned done = initiator_socket[m->port]->transport_dbg(p);
    p.set_address(addr);
    p.set_data_length(len);
    return done;
}

bool router::get_direct_mem_ptr(int, tlm::tlm_generic_payload& p, tlm::tlm_dmi& dmi) {
    const uint64_t addr = p.get_address();
    const mapping* m = decode(addr);
    if (!m) {
        dmi.allow_none();
        return false;
    }
    p.set_address(addr - m->range.base);
    bool granted = initiator_socket[m->port]->get_direct_mem_ptr(p, dmi);
    p.set_address(addr);
    // Back to system addresses, clipped to this mapping.
    uint64_t start = dmi.get_start_address();
    uint64_t end = std::min<uint64_t>(dmi.get_end_address(), m->range.size - 1);
    dmi.set_start_address(start + m->range.base);
    dmi.set_end_address(end + m->range.base);
    return granted;
}

void router::invalidate_direct_mem_ptr(int port, sc_dt::uint64 start, sc_dt::uint64 end) {
    for (const mapping& m : map_) {
        if (m.port != static_cast<unsigned>(port) || start > m.range.size - 1) continue;
        uint64_t s = m.range.base + start;
        uint64_t e = m.range.base + std::min<uint64_t>(end, m.range.size - 1);
        for (unsigned i = 0; i < target_socket.size(); ++i) target_socket[i]->invalidate_direct_mem_ptr(s, e);
    }
}

} // namespace socsim::bus
