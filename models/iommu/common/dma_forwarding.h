#pragma once
// Carrying a DMA through an IOMMU once the IOMMU knows where its pieces go: the part every IOMMU
// model shares, apart from how it translates.
//
// The IOMMU gives a `route(addr, remaining)` for the piece of the DMA that starts at input
// address `addr` (with `remaining` bytes left): forward to `output`, refuse, or read-as-zero /
// write-ignore (SMMUv3 terminated RAZ/WI), valid up to input address `limit`.
// - The common case, one route covering the whole access, is copied through the memory port's DMI
//   when it holds a pointer there, else sent down as the original payload (and the port learns
//   DMI from the answer).
// - An access that crosses routes (a page boundary) is split into pieces, each translated; one
//   with byte enables or a streaming width is refused instead (a TLM byte-enable error and a
//   warning), since splitting would change its meaning.
// - A refused piece ends the DMA with TLM_ADDRESS_ERROR_RESPONSE (the bytes before it have moved,
//   as on a bus that completes beats in order); an error from downstream ends it with that error.
// - `before_write(pa, data, n)` sees every forwarded write piece before it lands (the H6 model
//   records device writes for its coherence check).
// No DMI is granted upstream: every DMA is translated and checked. The payload's address, data
// pointer, length and streaming width are restored; DMI is never allowed in the response.
//
// Debug accesses (`forward_debug`) translate the same way with the route of a debug
// translation, and stop at the first piece that is refused or RAZ/WI.

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <systemc>
#include <tlm>

#include "models/core/address_range.h"
#include "models/core/debug_hooks.h"
#include "models/core/dma_extension.h"
#include "models/core/log.h"
#include "models/iommu/common/memory_port.h"

namespace socsim::iommu {

struct dma_route {
    enum class kind : uint8_t { forward, refuse, raz_wi };
    kind what = kind::refuse;
    uint64_t output = 0;  // forward: where the piece's first byte goes
    uint64_t limit = 0;   // last input address this route covers

    static dma_route refused() { return {}; }
};

struct no_write_hook {
    void operator()(uint64_t, const unsigned char*, uint64_t) const {}
};

// A debugger watching device DMA (core/debug_hooks.h) sees each forwarded piece, IOVA and
// physical address together: only here are both known.
inline void tell_dma_watch(const tlm::tlm_generic_payload& p, uint64_t iova, uint64_t physical, uint64_t len,
                           bool write) {
    core::debug_listener* l = core::current_debug_listener();
    if (!l) return;
    core::dma_access a;
    const auto* ext = p.get_extension<core::dma_extension>();
    a.initiator = core::initiator_of(p);
    a.has_stream = ext && ext->has_stream_id();
    a.stream = a.has_stream ? ext->stream_id : 0;
    a.iova = iova;
    a.physical = physical;
    a.length = len;
    a.write = write;
    l->dma(a);
}

template <class Route, class BeforeWrite = no_write_hook>
void forward_dma(tlm::tlm_generic_payload& p, sc_core::sc_time& delay, memory_port& port,
                 tlm::tlm_initiator_socket<>& downstream, core::logger& log, Route&& route,
                 BeforeWrite&& before_write = {}) {
    const uint64_t addr = p.get_address();
    const unsigned len = p.get_data_length();
    const bool write = p.is_write();
    dma_route r = route(addr, uint64_t{len});
    const uint64_t last = addr + (len ? len - 1 : 0);
    if (r.what == dma_route::kind::forward && last >= addr && last <= r.limit) {
        if (write) before_write(r.output, p.get_data_ptr(), len);
        if (core::watching_dma) tell_dma_watch(p, addr, r.output, len, write);
        if (!p.get_byte_enable_ptr() && p.get_streaming_width() >= len &&
            port.dmi_access(write, r.output, p.get_data_ptr(), len, delay)) {
            p.set_response_status(tlm::TLM_OK_RESPONSE);
            p.set_dmi_allowed(false);
            return;
        }
        p.set_address(r.output);
        downstream->b_transport(p, delay);
        if (p.is_response_ok() && p.is_dmi_allowed()) port.learn_dmi(r.output);
        p.set_address(addr);
        p.set_dmi_allowed(false);
        return;
    }
    if (r.what == dma_route::kind::refuse) {
        p.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    if (p.get_byte_enable_ptr() || p.get_streaming_width() < len) {
        log.warning("DMA of " + std::to_string(len) + " bytes at " + core::hex(addr) + " by " + core::initiator_of(p) +
                    " crosses a page and has byte enables or streaming: refused");
        p.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
        return;
    }
    unsigned char* const data = p.get_data_ptr();
    uint64_t done = 0;
    tlm::tlm_response_status status = tlm::TLM_OK_RESPONSE;
    while (done < len) {
        const uint64_t a = addr + done;
        if (done) r = route(a, len - done);
        if (r.what == dma_route::kind::refuse) {
            status = tlm::TLM_ADDRESS_ERROR_RESPONSE;
            break;
        }
        const uint64_t piece = std::min<uint64_t>(len - done, r.limit - a + 1);
        if (r.what == dma_route::kind::raz_wi) {
            if (!write) std::memset(data + done, 0, piece);
        } else {
            if (write) before_write(r.output, data + done, piece);
            if (core::watching_dma) tell_dma_watch(p, a, r.output, piece, write);
            p.set_address(r.output);
            p.set_data_ptr(data + done);
            p.set_data_length(static_cast<unsigned>(piece));
            p.set_streaming_width(static_cast<unsigned>(piece));
            p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
            downstream->b_transport(p, delay);
            if (!p.is_response_ok()) {
                status = p.get_response_status();
                break;
            }
        }
        done += piece;
    }
    p.set_address(addr);
    p.set_data_ptr(data);
    p.set_data_length(len);
    p.set_streaming_width(len);
    p.set_dmi_allowed(false);
    p.set_response_status(status);
}

// Returns the number of bytes transferred, as transport_dbg does.
template <class Route>
unsigned forward_debug(tlm::tlm_generic_payload& p, tlm::tlm_initiator_socket<>& downstream, Route&& route) {
    const uint64_t addr = p.get_address();
    const unsigned len = p.get_data_length();
    unsigned char* const data = p.get_data_ptr();
    unsigned done = 0;
    while (done < len) {
        const uint64_t a = addr + done;
        const dma_route r = route(a, uint64_t{len - done});
        if (r.what != dma_route::kind::forward) break;
        const unsigned piece = static_cast<unsigned>(std::min<uint64_t>(len - done, r.limit - a + 1));
        p.set_address(r.output);
        p.set_data_ptr(data + done);
        p.set_data_length(piece);
        const unsigned n = downstream->transport_dbg(p);
        done += n;
        if (n < piece) break;
    }
    p.set_address(addr);
    p.set_data_ptr(data);
    p.set_data_length(len);
    return done;
}

} // namespace socsim::iommu
