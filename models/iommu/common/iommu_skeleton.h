#pragma once
// The skeleton every IOMMU model is built on: the DMA entry (sockets, extension and stream id,
// debug accesses, the DMA-API check, translation piece by piece, forwarding or failing) and the
// vocabulary its translate policy answers in. A model derives from `iommu_skeleton<Model>` and
// supplies only what its hardware does:
//
//   translation translate(const dma_access& a, uint64_t iova, uint64_t remaining, sc_time& delay);
//       The outcome for the piece of the DMA that starts at `iova` (with `remaining` bytes left):
//       translated or bypassed to an output address, read-as-zero / write-ignored, or a fault,
//       each valid up to `limit`. With `a.debug` set it must have no side effects (no TLB fill,
//       no fault recorded, no time): it serves the debugger and transport_dbg.
//   void before_dma();  (optional)  runs once per DMA, after the DMA-API check and before the
//       first piece is translated (the DART completes a TLB command whose time has come).
//   void dma_written(uint64_t pa, const unsigned char* data, uint64_t n);  (optional)  sees each
//       forwarded write piece before it lands (the H6 tells its coherence tracker).
//
// The model declares `friend class iommu_skeleton<Model>;` so that these may stay private. The
// hooks are called statically (CRTP): the hot path costs no virtual call and no std::function.
//
// What the skeleton does, for every IOMMU:
// - `upstream` takes DMA from any number of masters; a command other than read or write
//   completes with nothing done; DMI is never granted upstream (every DMA is translated and
//   checked); `downstream` carries table walks and translated DMA, through `port_`, whose DMI
//   pointers it drops when the target revokes them.
// - the DMA-API check (`checker_`, common/dma_checker.h): when firmware announced buffers, the
//   access is checked against those of its stream before anything is translated;
// - forwarding (common/dma_forwarding.h): one translation covering the whole access is copied
//   through DMI or sent down; an access that crosses pieces is split, each piece translated; a
//   fault ends the DMA with TLM_ADDRESS_ERROR_RESPONSE;
// - debug accesses (transport_dbg) translate with `a.debug` set and stop at the first piece
//   that is not forwarded;
// - invalidations (`apply_invalidation`): a model describes what a command covers as an
//   invalidation_note; the skeleton drops the entries and tells the DMA checker.
// Adding an IOMMU: docs/adding-an-iommu.md.

#include <cstdint>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "models/core/dma_extension.h"
#include "models/core/peripheral.h"
#include "models/iommu/common/debug_view.h"
#include "models/iommu/common/dma_checker.h"
#include "models/iommu/common/dma_forwarding.h"
#include "models/iommu/common/fault_record.h"
#include "models/iommu/common/invalidation_note.h"
#include "models/iommu/common/memory_port.h"
#include "models/iommu/common/upstream_socket.h"

namespace socsim::iommu {

// The outcome of translating one piece of a DMA: the IOMMU's answer for input addresses from the
// piece's start up to `limit`.
struct translation {
    enum class outcome : uint8_t {
        translated,  // through the tables, to `output`
        bypass,      // untranslated by configuration: `output` is the input address
        raz_wi,      // terminated without an error: reads return zeros, writes are dropped (SMMUv3 CD.A=0)
        fault,       // refused: the DMA ends with an error response
    };
    outcome what = outcome::fault;
    uint64_t output = 0;  // translated, bypass: where the piece's first byte goes
    uint64_t limit = 0;   // last input address this outcome covers

    static translation translated_to(uint64_t output, uint64_t limit) { return {outcome::translated, output, limit}; }
    static translation bypassed(uint64_t iova) { return {outcome::bypass, iova, ~uint64_t{0}}; }
    static translation faulted(uint64_t limit) { return {outcome::fault, 0, limit}; }
    static translation read_as_zero(uint64_t limit) { return {outcome::raz_wi, 0, limit}; }

    dma_route route() const {
        if (what == outcome::translated || what == outcome::bypass) return {dma_route::kind::forward, output, limit};
        if (what == outcome::raz_wi) return {dma_route::kind::raz_wi, 0, limit};
        return dma_route::refused();
    }
};

// One DMA as the skeleton hands it to a model's translate policy.
struct dma_access {
    const tlm::tlm_generic_payload& payload;
    const core::dma_extension* ext;  // null: the DMA carries no extension
    uint32_t stream;                 // core::dma_extension::no_id: the DMA carries no stream id
    bool write;
    bool debug;                      // transport_dbg or a debugger: no side effects

    bool has_stream() const { return stream != core::dma_extension::no_id; }

    // Fills in the access part of a fault record (stream, IOVA, direction, length, initiator,
    // time); the model sets what went wrong (kind, code, detail, level, fetch address) by name.
    void record_access(fault_record& f, uint32_t stream_id, uint64_t iova, unsigned length) const {
        f.stream = stream_id;
        f.iova = iova;
        f.write = write;
        f.length = length;
        f.time = sc_core::sc_time_stamp();
        if (ext) f.initiator = ext->initiator;
    }
};

template <class Model>
class iommu_skeleton : public core::peripheral, public debug_view {
public:
    upstream_socket<iommu_skeleton> upstream;
    tlm_utils::simple_initiator_socket<iommu_skeleton> downstream;

    const dma_checker& checker() const { return checker_; }
    dma_checker& checker() { return checker_; }

protected:
    // Registers of an IOMMU: offsets with no register read as zero and ignore writes (drivers
    // poke undocumented ones).
    explicit iommu_skeleton(sc_core::sc_module_name name)
        : core::peripheral(name, core::register_file::unmapped::read_zero_write_ignore), upstream("upstream"),
          downstream("downstream"), port_(downstream, this->name()), checker_(this->name()) {
        upstream.register_b_transport(this, &iommu_skeleton::b_transport_upstream);
        upstream.register_transport_dbg(this, &iommu_skeleton::transport_dbg_upstream);
        upstream.register_get_direct_mem_ptr(this, &iommu_skeleton::get_direct_mem_ptr_upstream);
        downstream.register_invalidate_direct_mem_ptr(this, &iommu_skeleton::invalidate_dmi_downstream);
    }

    // Carries out an invalidation and tells the DMA checker what it covered, so that a stale
    // report can say why it missed an entry (common/invalidation_note.h). Each scope names one of
    // this IOMMU's own caches and the tlb_match dropped there; a scope compared by IOVA mask (the
    // H6's TLB_IVLD) is the model's to carry out before it tells the checker itself.
    void apply_invalidation(invalidation_note note) {
        for (const invalidation_scope& s : note.scopes)
            if (!s.iova_mask) s.cache->invalidate(s.match);
        checker_.note_invalidation(std::move(note));
    }

    // Default hooks; a model declares its own to replace them.
    void before_dma() {}
    void dma_written(uint64_t, const unsigned char*, uint64_t) {}

    memory_port port_;     // table walks and translated DMA (downstream)
    dma_checker checker_;  // DMA-API check, stale translations, uncleaned tables

private:
    Model& model() { return static_cast<Model&>(*this); }

    static dma_access access_of(const tlm::tlm_generic_payload& p, bool debug) {
        const auto* ext = p.get_extension<core::dma_extension>();
        return {p, ext, ext ? ext->stream_id : core::dma_extension::no_id, p.is_write(), debug};
    }

    void b_transport_upstream(int, tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
        if (!p.is_read() && !p.is_write()) {
            p.set_response_status(tlm::TLM_OK_RESPONSE);
            return;
        }
        const dma_access a = access_of(p, false);
        // DMA-API debugging: the access against the buffers firmware announced for this stream.
        if (checker_.announcements().any() && a.has_stream())
            checker_.check_access(a.stream, p.get_address(), p.get_data_length(), a.write);
        model().before_dma();
        forward_dma(
            p, delay, port_, downstream, log_,
            [&](uint64_t iova, uint64_t remaining) { return model().translate(a, iova, remaining, delay).route(); },
            [&](uint64_t pa, const unsigned char* data, uint64_t n) { model().dma_written(pa, data, n); });
    }

    unsigned transport_dbg_upstream(int, tlm::tlm_generic_payload& p) {
        const dma_access a = access_of(p, true);
        sc_core::sc_time delay;
        return forward_debug(p, downstream, [&](uint64_t iova, uint64_t remaining) {
            return model().translate(a, iova, remaining, delay).route();
        });
    }

    bool get_direct_mem_ptr_upstream(int, tlm::tlm_generic_payload&, tlm::tlm_dmi& dmi) {
        dmi.allow_none();  // every DMA must be translated (and checked): no DMI through an IOMMU
        return false;
    }

    void invalidate_dmi_downstream(sc_dt::uint64 start, sc_dt::uint64 end) { port_.invalidate_dmi(start, end); }
};

} // namespace socsim::iommu
