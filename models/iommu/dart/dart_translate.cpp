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

// ---- translation ----

translation dart::refuse(const dma_access& a, uint64_t iova, unsigned len, fault_record f) {
    if (a.debug) return translation::faulted(iova | PAGE_MASK);
    ++stats_.faults;
    a.record_access(f, a.stream, iova, len);
    f.has_stream = a.has_stream();
    f.detail += "; nothing latched in ERROR";
    report_fault(log_, name(), f);
    return translation::faulted(iova | PAGE_MASK);
}

translation dart::fault(const dma_access& a, uint64_t iova, unsigned len, uint32_t error_bit, fault_record f) {
    if (a.debug) return translation::faulted(iova | PAGE_MASK);
    ++stats_.faults;
    a.record_access(f, a.stream, iova, len);
    report_fault(log_, name(), f);
    latch_error(error_bit, a.stream, iova);
    return translation::faulted(iova | PAGE_MASK);
}

bool dart::root_for(uint32_t sid, uint64_t iova, uint64_t& table, int& level, std::string& why) const {
    const uint32_t tcr = static_cast<uint32_t>(tcr_[sid]->get());
    const bool four = v_.tcr_four_level && (tcr & v_.tcr_four_level);
    const unsigned space = v_.iova_space_bits(four);
    if (space < 64 && (iova >> space)) {
        why = "IOVA beyond the " + std::to_string(space) + "-bit space of TTBR" +
              (v_.ttbr_count > 1 ? "[0.." + std::to_string(v_.ttbr_count - 1) + "] (IOVA[" +
                                       std::to_string(v_.ttbr_select_shift + v_.ttbr_select_bits() - 1) + ":" +
                                       std::to_string(v_.ttbr_select_shift) + "] picks the TTBR)"
                                 : std::string(four ? " with FOUR_LEVEL" : ""));
        return false;
    }
    const unsigned index = v_.ttbr_index(iova);
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
translation dart::translate(const dma_access& a, uint64_t iova, uint64_t remaining, sc_core::sc_time& delay) {
    const uint32_t sid = a.stream;
    const bool write = a.write, debug = a.debug;
    const unsigned len = static_cast<unsigned>(remaining);
    if (sid >= v_.streams) {
        fault_record f;
        f.kind = a.has_stream() ? fault_kind::bad_stream : fault_kind::no_stream_id;
        f.code = a.has_stream() ? "bad stream" : "no stream id";
        f.detail = a.has_stream() ? "stream " + std::to_string(sid) + " does not exist on this " + v_.name +
                                        " DART (streams 0.." + std::to_string(v_.streams - 1) + ")"
                                  : std::string("the DMA carries no stream id");
        return refuse(a, iova, len, std::move(f));
    }
    if (!stream_enabled(sid)) {
        fault_record f;
        f.kind = fault_kind::stream_disabled;
        f.code = "stream disabled";
        f.detail = "stream " + std::to_string(sid) + " is disabled in " +
                   (v_.has(v_.streams_enable) ? std::string("STREAMS_ENABLE") : std::string("ENABLE_STREAMS"));
        return refuse(a, iova, len, std::move(f));
    }
    const uint32_t tcr = static_cast<uint32_t>(tcr_[sid]->get());
    if ((tcr & v_.tcr_bypass_dart) && cfg_.bypass_supported) {
        if (!debug) ++stats_.bypassed;
        return translation::bypassed(iova);
    }
    if (!(tcr & v_.tcr_translate)) {
        fault_record f;
        f.kind = fault_kind::stream_disabled;
        f.code = "NO_TTBR";
        f.detail = (tcr & v_.tcr_bypass_dart)
                       ? "TCR " + core::hex(tcr) + " asks for bypass, but this DART does not support it "
                                                   "(PARAMS2[0] = 0): DMA blocked"
                       : "translation disabled: TCR " + core::hex(tcr) + " has TRANSLATE_ENABLE clear "
                                                                          "(DMA blocked)";
        return fault(a, iova, len, v_.err_no_ttbr, std::move(f));
    }
    if (!debug && busy_ && !busy_dma_warned_ &&
        (busy_all_ || std::find(busy_streams_.begin(), busy_streams_.end(), sid) != busy_streams_.end())) {
        busy_dma_warned_ = true;
        ++stats_.dma_while_busy;
        log_.warning("DMA on stream " + std::to_string(sid) + " at IOVA " + core::hex(iova) + " by " +
                     core::initiator_of(a.payload) +
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
        e = walk_and_fill(a, iova, len, delay, failed);
        if (!e) return failed;
    }
    if (!(e->perms & (write ? perm_write : perm_read))) {
        fault_record f;
        f.kind = fault_kind::permission;
        f.code = write ? "WRITE_FAULT" : "READ_FAULT";
        f.detail = std::string("the page is ") + (write ? "NO_WRITE" : "NO_READ") + "; mapping " + core::hex(e->iova) +
                   " -> " + core::hex(e->output);
        f.level = e->level;
        return fault(a, iova, len, write ? v_.err_write : v_.err_read, std::move(f));
    }
    const unsigned offset = static_cast<unsigned>(iova & PAGE_MASK);
    const unsigned piece = static_cast<unsigned>(std::min<uint64_t>(len ? len : 1, PAGE_MASK + 1 - offset));
    const dart_subpage sp = dart_subpage::from_attrs(e->attrs);
    if (!sp.allows(offset, piece)) {
        fault_record f;
        f.kind = fault_kind::permission;
        f.level = e->level;
        f.detail = "bytes " + core::hex(offset) + "-" + core::hex(offset + piece - 1) +
                   " of the page are outside its sub-page window " + core::hex(sp.first) + "-" + core::hex(sp.last) +
                   "; mapping " + core::hex(e->iova) + " -> " + core::hex(e->output);
        if (v_.err_subpage) {
            f.code = "SUBPAGE_PROT";
            return fault(a, iova, len, v_.err_subpage, std::move(f));
        }
        f.code = write ? "WRITE_FAULT" : "READ_FAULT";
        f.detail += " (t8110 has no known sub-page code)";
        return fault(a, iova, len, write ? v_.err_write : v_.err_read, std::move(f));
    }
    if (!debug) ++stats_.translations;
    return translation::translated_to(e->translate(iova), e->last());
}

tlb_entry* dart::walk_and_fill(const dma_access& a, uint64_t iova, unsigned len, sc_core::sc_time& delay,
                               translation& failed) {
    const uint32_t sid = a.stream;
    std::string why;
    const walk_result w = walk(sid, iova, delay, a.debug, &why);
    if (!w.ok()) {
        const std::string loop =
            w.loop ? " (table loop: the table at " + core::hex(w.loop_table) + " is used at more than one level)" : "";
        const std::string entry = " (entry " + core::hex(w.fetch_addr) + " = " + core::hex(w.descriptor) + ")";
        fault_record f;
        f.kind = fault_kind::translation;
        f.level = w.level;
        f.fetch_addr = w.fetch_addr;
        f.has_fetch_addr = true;
        uint32_t error_bit;
        if (w.level < 0) {  // no walk: no valid TTBR covers the IOVA
            error_bit = v_.err_no_ttbr;
            f.code = "NO_TTBR";
            f.detail = why;
            f.fetch_addr = 0;
            f.has_fetch_addr = false;
        } else if (w.status == walk_status::bus_error) {
            error_bit = v_.err_walk_bus;
            f.kind = fault_kind::walk_bus_error;
            f.code = v_.walk_bus_name;
            f.detail = std::string(level_name(w.level)) + " table entry read at " + core::hex(w.fetch_addr) +
                       " failed on the bus" + loop;
        } else if (w.fault_code == dart_no_pgd) {
            error_bit = v_.err_no_pgd;
            f.code = "NO_PGD";
            f.detail = "no valid L0 entry" + entry + loop;
        } else if (w.fault_code == dart_no_pmd) {
            error_bit = v_.err_no_pmd;
            f.code = "NO_PMD";
            f.detail = "no valid L1 entry" + entry + loop;
        } else {
            error_bit = v_.err_no_pte;
            f.code = "NO_PTE";
            f.detail = "no valid L2 entry (PTE)" + entry + loop;
        }
        failed = fault(a, iova, len, error_bit, std::move(f));
        return nullptr;
    }
    if (a.debug) return &(debug_entry_ = w.cached(sid, sid));
    return &tlb_.insert(w.cached(sid, sid));
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
