// Apple DART: the DMA path. Stream checks, TCR (bypass / translate / blocked), TTBR selection,
// TLB, table walk, permission and sub-page checks, error latching, forwarding downstream.
#include <algorithm>
#include <cstring>

#include "models/core/address_range.h"
#include "models/core/dma_extension.h"
#include "models/iommu/dart/dart.h"

namespace socsim::iommu {

namespace {

constexpr uint64_t PAGE_MASK = (uint64_t{1} << dart_format::page_shift) - 1;

const char* level_name(int level) {
    static const char* names[] = {"L0", "L1", "L2"};
    return level >= 0 && level <= 2 ? names[level] : "L?";
}

} // namespace

// ---- upstream socket ----

dma_route dart::route_of(const translation& t) {
    if (t.what == translation::kind::fault) return dma_route::refused();
    return {dma_route::kind::forward, t.output, t.limit};
}

// One call per DMA transaction: the DMA-API debugging check (announced buffers) runs first, then
// the DMA goes through page by page (common/dma_forwarding.h).
void dart::b_transport_upstream(int, tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
    if (!p.is_read() && !p.is_write()) {
        p.set_response_status(tlm::TLM_OK_RESPONSE);
        return;
    }
    const auto* ext = p.get_extension<core::dma_extension>();
    const uint32_t sid = ext && ext->has_stream_id() ? ext->stream_id : core::dma_extension::no_id;
    const bool write = p.is_write();
    if (checker_.announcements().any() && sid != core::dma_extension::no_id)
        checker_.check_access(sid, p.get_address(), p.get_data_length(), write);
    poll_time();
    forward_dma(p, delay, port_, downstream, log_, [&](uint64_t a, uint64_t remaining) {
        return route_of(translate(p, sid, a, static_cast<unsigned>(remaining), write, delay, false));
    });
}

unsigned dart::transport_dbg_upstream(int, tlm::tlm_generic_payload& p) {
    const auto* ext = p.get_extension<core::dma_extension>();
    const uint32_t sid = ext && ext->has_stream_id() ? ext->stream_id : core::dma_extension::no_id;
    sc_core::sc_time delay;
    return forward_debug(p, downstream, [&](uint64_t a, uint64_t remaining) {
        return route_of(translate(p, sid, a, static_cast<unsigned>(remaining), p.is_write(), delay, true));
    });
}

bool dart::get_direct_mem_ptr_upstream(int, tlm::tlm_generic_payload&, tlm::tlm_dmi& dmi) {
    dmi.allow_none();  // every DMA must be translated (and checked)
    return false;
}

void dart::invalidate_dmi_downstream(sc_dt::uint64 start, sc_dt::uint64 end) { port_.invalidate_dmi(start, end); }

// ---- translation ----

namespace {

fault_record record_of(fault_kind kind, const std::string& code, uint32_t sid, uint64_t iova, unsigned len,
                       bool write) {
    fault_record f;
    f.kind = kind;
    f.code = code;
    f.stream = sid;
    f.iova = iova;
    f.write = write;
    f.length = len;
    return f;
}

} // namespace

// The fault record of a refused or faulting DMA (common/fault_record.h), reported and counted.
void dart::report(const tlm::tlm_generic_payload& p, fault_record f) {
    ++stats_.faults;
    f.time = sc_core::sc_time_stamp();
    if (auto* ext = p.get_extension<core::dma_extension>()) f.initiator = ext->initiator;
    report_fault(log_, name(), f);
}

dart::translation dart::refuse(const tlm::tlm_generic_payload& p, uint32_t sid, bool has_sid, uint64_t iova,
                               unsigned len, bool write, fault_kind kind, const std::string& code,
                               const std::string& detail, bool debug) {
    translation t;
    t.what = translation::kind::fault;
    t.limit = iova | PAGE_MASK;
    if (debug) return t;
    fault_record f = record_of(kind, code, sid, iova, len, write);
    f.has_stream = has_sid;
    f.detail = detail + "; nothing latched in ERROR";
    report(p, f);
    return t;
}

dart::translation dart::fault(const tlm::tlm_generic_payload& p, uint32_t sid, uint64_t iova, unsigned len,
                              bool write, uint32_t code_bit, const char* code, fault_kind kind,
                              const std::string& detail, int level, uint64_t fetch, bool has_fetch, bool debug) {
    translation t;
    t.what = translation::kind::fault;
    t.limit = iova | PAGE_MASK;
    if (debug) return t;
    fault_record f = record_of(kind, code, sid, iova, len, write);
    f.level = level;
    f.fetch_addr = fetch;
    f.has_fetch_addr = has_fetch;
    f.detail = detail;
    report(p, f);
    latch_error(code_bit, sid, iova);
    return t;
}

bool dart::root_for(uint32_t sid, uint64_t iova, uint64_t& table, int& level, std::string& why) const {
    const uint32_t tcr = static_cast<uint32_t>(tcr_[sid]->get());
    const bool four = v_.tcr_four_level && (tcr & v_.tcr_four_level);
    // The IOVA space: four TTBR regions of 2^36 (t8020), one 2^36 table (t8110), or VA_WIDTH bits.
    const unsigned select_bits = v_.ttbr_count > 1 ? 2 : 0;
    const unsigned space = four ? v_.va_bits : 36 + select_bits;
    if (space < 64 && (iova >> space)) {
        why = "IOVA beyond the " + std::to_string(space) + "-bit space of TTBR" +
              (v_.ttbr_count > 1 ? "[0..3] (IOVA[37:36] picks the TTBR)" : std::string(four ? " with FOUR_LEVEL" : ""));
        return false;
    }
    const unsigned index = select_bits ? static_cast<unsigned>((iova >> v_.ttbr_select_shift) & 3) : 0;
    const uint32_t ttbr = static_cast<uint32_t>(ttbr_[sid * v_.ttbr_count + index]->get());
    if (!(ttbr & v_.ttbr_valid)) {
        why = ttbr_[sid * v_.ttbr_count + index]->name() + " is not valid (" + core::hex(ttbr) + ")";
        return false;
    }
    table = v_.ttbr_table(ttbr);
    level = four ? 0 : 1;
    return true;
}

uint64_t dart::root_entry(uint32_t sid, uint64_t iova) const {
    uint64_t table = 0;
    int level = 1;
    std::string why;
    if (!root_for(sid, iova, table, level, why)) return 0;  // no valid TTBR: no cached walk started at 0
    return format_.entry_address(table, level, iova);
}

walk_result dart::walk(uint32_t sid, uint64_t iova, sc_core::sc_time& delay, bool debug, std::string* why) {
    uint64_t table = 0;
    int level = 1;
    std::string reason;
    if (!root_for(sid, iova, table, level, reason)) {
        if (why) *why = reason;
        walk_result r;
        r.status = walk_status::fault;
        r.fault_code = 0;  // NO_TTBR
        r.level = -1;
        return r;
    }
    return walker_.walk(format_, table, level, iova, delay, debug);
}

// The hot path: an enabled, translating stream and a TLB hit. Faults and misses are out of line.
dart::translation dart::translate(const tlm::tlm_generic_payload& p, uint32_t sid, uint64_t iova, unsigned len,
                                  bool write, sc_core::sc_time& delay, bool debug) {
    if (sid >= v_.streams) {
        const bool has = sid != core::dma_extension::no_id;
        return refuse(p, sid, has, iova, len, write, has ? fault_kind::bad_stream : fault_kind::no_stream_id,
                      has ? "bad stream" : "no stream id",
                      has ? "stream " + std::to_string(sid) + " does not exist on this " + v_.name + " DART (streams 0.." +
                                std::to_string(v_.streams - 1) + ")"
                          : std::string("the DMA carries no stream id"),
                      debug);
    }
    if (!stream_enabled(sid))
        return refuse(p, sid, true, iova, len, write, fault_kind::stream_disabled, "stream disabled",
                      "stream " + std::to_string(sid) + " is disabled in " +
                          (v_.has(v_.streams_enable) ? std::string("STREAMS_ENABLE") : std::string("ENABLE_STREAMS")),
                      debug);
    const uint32_t tcr = static_cast<uint32_t>(tcr_[sid]->get());
    if ((tcr & v_.tcr_bypass_dart) && cfg_.bypass_supported) {
        if (!debug) ++stats_.bypassed;
        translation t;
        t.what = translation::kind::bypass;
        t.output = iova;
        t.limit = ~uint64_t{0};
        return t;
    }
    if (!(tcr & v_.tcr_translate)) {
        const std::string why = (tcr & v_.tcr_bypass_dart)
                                    ? "TCR " + core::hex(tcr) + " asks for bypass, but this DART does not support it "
                                                                "(PARAMS2[0] = 0): DMA blocked"
                                    : "translation disabled: TCR " + core::hex(tcr) + " has TRANSLATE_ENABLE clear "
                                                                                       "(DMA blocked)";
        return fault(p, sid, iova, len, write, v_.err_no_ttbr, "NO_TTBR", fault_kind::stream_disabled, why, -1, 0,
                     false, debug);
    }
    if (!debug && busy_ && !busy_dma_warned_ &&
        (busy_all_ || std::find(busy_streams_.begin(), busy_streams_.end(), sid) != busy_streams_.end())) {
        busy_dma_warned_ = true;
        ++stats_.dma_while_busy;
        log_.warning("DMA on stream " + std::to_string(sid) + " at IOVA " + core::hex(iova) + " by " +
                     core::initiator_of(p) +
                     " while its TLB invalidation is in progress (the driver did not wait for BUSY to clear): "
                     "translations cached before the invalidation are still in use");
    }
    tlb_entry* e = debug ? const_cast<tlb_entry*>(tlb_.peek(sid, iova)) : tlb_.lookup(sid, iova);
    if (e) {
        if (!debug && checker_.enabled())
            checker_.check_hit(
                *e, sid, iova, write, walker_,
                [&] {
                    sc_core::sc_time d;
                    return walk(sid, iova, d, true);
                },
                root_entry(sid, iova));
    } else {
        translation failed;
        e = walk_and_fill(p, sid, iova, len, write, delay, debug, failed);
        if (!e) return failed;
    }
    if (!(e->perms & (write ? perm_write : perm_read))) {
        const std::string why = std::string("the page is ") + (write ? "NO_WRITE" : "NO_READ") + "; mapping " +
                                core::hex(e->iova) + " -> " + core::hex(e->output);
        return write ? fault(p, sid, iova, len, write, v_.err_write, "WRITE_FAULT", fault_kind::permission, why,
                             e->level, 0, false, debug)
                     : fault(p, sid, iova, len, write, v_.err_read, "READ_FAULT", fault_kind::permission, why,
                             e->level, 0, false, debug);
    }
    const unsigned offset = static_cast<unsigned>(iova & PAGE_MASK);
    const unsigned piece = static_cast<unsigned>(std::min<uint64_t>(len ? len : 1, PAGE_MASK + 1 - offset));
    const dart_subpage sp = dart_subpage::from_attrs(e->attrs);
    if (!sp.allows(offset, piece)) {
        const std::string why = "bytes " + core::hex(offset) + "-" + core::hex(offset + piece - 1) +
                                " of the page are outside its sub-page window " + core::hex(sp.first) + "-" +
                                core::hex(sp.last) + "; mapping " + core::hex(e->iova) + " -> " + core::hex(e->output);
        if (v_.err_subpage)
            return fault(p, sid, iova, len, write, v_.err_subpage, "SUBPAGE_PROT", fault_kind::permission, why,
                         e->level, 0, false, debug);
        return fault(p, sid, iova, len, write, write ? v_.err_write : v_.err_read, write ? "WRITE_FAULT" : "READ_FAULT",
                     fault_kind::permission, why + " (t8110 has no known sub-page code)", e->level, 0, false, debug);
    }
    if (!debug) ++stats_.translations;
    translation t;
    t.what = translation::kind::translated;
    t.output = e->translate(iova);
    t.limit = e->last();
    return t;
}

tlb_entry* dart::walk_and_fill(const tlm::tlm_generic_payload& p, uint32_t sid, uint64_t iova, unsigned len,
                               bool write, sc_core::sc_time& delay, bool debug, translation& failed) {
    std::string why;
    const walk_result w = walk(sid, iova, delay, debug, &why);
    if (!w.ok()) {
        const std::string loop =
            w.loop ? " (table loop: the table at " + core::hex(w.loop_table) + " is used at more than one level)" : "";
        const std::string entry = " (entry " + core::hex(w.fetch_addr) + " = " + core::hex(w.descriptor) + ")";
        if (w.level < 0)
            failed = fault(p, sid, iova, len, write, v_.err_no_ttbr, "NO_TTBR", fault_kind::translation, why, -1, 0,
                           false, debug);
        else if (w.status == walk_status::bus_error)
            failed = fault(p, sid, iova, len, write, v_.err_walk_bus, v_.walk_bus_name, fault_kind::walk_bus_error,
                           std::string(level_name(w.level)) + " table entry read at " + core::hex(w.fetch_addr) +
                               " failed on the bus" + loop,
                           w.level, w.fetch_addr, true, debug);
        else if (w.fault_code == dart_no_pgd)
            failed = fault(p, sid, iova, len, write, v_.err_no_pgd, "NO_PGD", fault_kind::translation,
                           "no valid L0 entry" + entry + loop, w.level, w.fetch_addr, true, debug);
        else if (w.fault_code == dart_no_pmd)
            failed = fault(p, sid, iova, len, write, v_.err_no_pmd, "NO_PMD", fault_kind::translation,
                           "no valid L1 entry" + entry + loop, w.level, w.fetch_addr, true, debug);
        else
            failed = fault(p, sid, iova, len, write, v_.err_no_pte, "NO_PTE", fault_kind::translation,
                           "no valid L2 entry (PTE)" + entry + loop, w.level, w.fetch_addr, true, debug);
        return nullptr;
    }
    tlb_entry& e = debug ? debug_entry_ : scratch_entry_;
    e = tlb_entry{};
    e.iova = w.iova_base;
    e.output = w.output;
    e.context = sid;
    e.stream = sid;
    e.size_shift = w.size_shift;
    e.perms = w.perms;
    e.level = static_cast<uint8_t>(w.level);
    e.attrs = w.attrs;
    e.trail = w.trail;
    e.filled_at = sc_core::sc_time_stamp();
    e.verified_at = e.filled_at;
    e.verified_epoch = core::memory_epoch::current();
    return debug ? &e : &tlb_.insert(e);
}

} // namespace socsim::iommu

// ---- the debugger's view ----

namespace socsim::iommu {

debug_translation dart::debug_translate(uint32_t sid, uint64_t iova) {
    // The decisions of translate() in its order, from the registers and memory as they are.
    debug_translation out;
    if (sid >= v_.streams) {
        out.why = "bad stream: stream " + std::to_string(sid) + " does not exist on this " + v_.name +
                  " DART (streams 0.." + std::to_string(v_.streams - 1) + ")";
        return out;
    }
    if (!stream_enabled(sid)) {
        out.why = "stream disabled: stream " + std::to_string(sid) + " is not enabled";
        return out;
    }
    const uint32_t tcr = static_cast<uint32_t>(tcr_[sid]->get());
    out.config.push_back("TCR[" + std::to_string(sid) + "] = " + core::hex(tcr));
    if ((tcr & v_.tcr_bypass_dart) && cfg_.bypass_supported) {
        out.result = debug_translation::outcome::bypass;
        out.output = iova;
        out.why = "TCR asks for bypass";
        return out;
    }
    if (!(tcr & v_.tcr_translate)) {
        out.why = "NO_TTBR: translation disabled (TRANSLATE_ENABLE clear): DMA blocked";
        return out;
    }
    sc_core::sc_time d;
    std::string why;
    const walk_result w = walk(sid, iova, d, true, &why);
    if (!why.empty()) {
        out.why = "NO_TTBR: " + why;
        return out;
    }
    fill_from_walk(out, w, iova,
                   w.status == walk_status::bus_error ? std::string(v_.walk_bus_name)
                   : w.fault_code == dart_no_pgd      ? "NO_PGD: no valid L0 entry"
                   : w.fault_code == dart_no_pmd      ? "NO_PMD: no valid L1 entry"
                                                      : "NO_PTE: no valid L2 entry (PTE)");
    return out;
}

void dart::debug_tlb(std::ostream& os) { print_tlb(os, std::string(name()) + " TLB", tlb_, walker_); }

} // namespace socsim::iommu
