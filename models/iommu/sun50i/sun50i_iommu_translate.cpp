// sun50i IOMMU: the DMA path. Bypass, micro TLB, macro TLB, PTW cache, table walk with neighbour
// prefetch, permission domains, faults and the stall, forwarding downstream, debug VA access.
#include <algorithm>
#include <cstring>

#include "models/core/log.h"
#include "models/core/address_range.h"
#include "models/core/dma_extension.h"
#include "models/core/trace_writer.h"
#include "models/iommu/sun50i/sun50i_format.h"
#include "models/iommu/sun50i/sun50i_iommu.h"
#include "models/memory/coherence_tracker.h"

namespace socsim::iommu {

using namespace sun50i_reg;
using namespace sun50i_format;

namespace {

constexpr uint64_t NEGATIVE = 1ull << 63;    // tlb_entry::attrs: a cached invalid entry
constexpr uint64_t PREFETCHED = 1ull << 62;  // tlb_entry::attrs: loaded by prefetch

const sun50i_format::walk format;

} // namespace

// ---- translation ----

void sun50i_iommu::dma_written(uint64_t pa, const unsigned char* data, uint64_t n) {
    if (check_coherence_) cfg_.coherence->device_write(pa, data, n);
}

// A debug access: untranslated where the DMA would be, else a fresh walk (no cache, no fault).
translation sun50i_iommu::translate_debug(const dma_access& a, uint64_t iova) {
    const bool translated =
        (enable_.get() & 1) && !(a.has_stream() && a.stream < masters() && (bypass_.get() >> a.stream) & 1);
    if (!translated) return translation::bypassed(iova);
    if (iova >> 32) return translation::faulted(iova | 0xfff);
    const walk_result w = fresh_walk(static_cast<uint32_t>(iova));
    if (!w.ok()) return translation::faulted(iova | 0xfff);
    return translation::translated_to(w.translate(iova), iova | 0xfff);
}

walk_result sun50i_iommu::fresh_walk(uint32_t iova) {
    sc_core::sc_time d;
    return walker_.walk(format, dt_of(ttb_.get()), 1, iova, d, true);
}

translation sun50i_iommu::refuse(const dma_access& a, unsigned master, uint64_t iova, const std::string& code,
                                 const std::string& why) {
    ++stats_.refused;
    fault_record f;
    f.kind = fault_kind::aborted;
    f.code = code;
    a.record_access(f, master, iova, a.payload.get_data_length());
    f.detail = why;
    report_fault(log_, name(), f);
    return translation::faulted(iova | 0xfff);
}

// Pages crossed are translated one by one (what 4KB_BDY_PRT_CTRL asks of the hardware, too).
translation sun50i_iommu::translate(const dma_access& a, uint64_t iova, uint64_t, sc_core::sc_time& delay) {
    if (a.debug) return translate_debug(a, iova);
    const bool has_master = a.has_stream();
    const unsigned m = has_master ? a.stream : 0;
    if (!(reset_.get() & RESET_ALL))
        return refuse(a, m, iova, "IOMMU_RESET", "the IOMMU is held in reset (RESET bit31 = 0): the DMA is refused");
    if (!has_master || m >= masters()) {
        // The master index is wiring: a DMA without one (or out of range) is a platform error.
        if (!(enable_.get() & 1)) {
            ++stats_.bypassed;
            return translation::bypassed(iova);
        }
        return refuse(a, m, iova, "BAD_MASTER",
                      has_master ? "master index " + std::to_string(m) + " does not exist (the " + variant_->soc +
                                       " has " + std::to_string(masters()) + " masters)"
                                 : std::string("the DMA carries no master index (stream id)"));
    }
    if (!(enable_.get() & 1) || ((bypass_.get() >> m) & 1)) {
        ++stats_.bypassed;
        return translation::bypassed(iova);
    }
    const uint32_t bit = 1u << m;
    if (stalled_ & bit) {
        ++stats_.refused;
        if (!(stall_noted_ & bit)) {
            stall_noted_ |= bit;
            log_.warning("master " + std::to_string(m) + " (" + variant_->master_names[m] +
                         ") is stalled by its earlier fault: its accesses are refused until RESET bit " +
                         std::to_string(m) + " is pulsed (first refused: " + (a.write ? "write" : "read") +
                         " at IOVA " + core::hex(iova) + ")");
        }
        return translation::faulted(iova | 0xfff);
    }
    if (!(reset_.get() & bit))
        return refuse(a, m, iova, "MASTER_RESET",
                      "RESET bit " + std::to_string(m) + " is held at 0 (master lane in reset): the DMA is refused");
    if (iova >> 32) return refuse(a, m, iova, "IOVA_RANGE", "the IOVA is beyond the 32-bit address space of the IOMMU");

    const sc_core::sc_time before = delay;
    const uint32_t va = static_cast<uint32_t>(iova);
    const lookup l = find(m, va, a.write, delay);
    if (pmu_enable_.get() & 1) latency_ns_[m] += static_cast<uint64_t>((delay - before).to_seconds() * 1e9 + 0.5);
    if (l.what != lookup::kind::ok) return fault(a, m, va, l);
    const tlb_entry& e = *l.entry;
    if (!permitted(m, e.attrs, a.write)) return permission_fault(a, m, va, e);
    ++stats_.translations;
    return translation::translated_to(e.translate(va), iova | 0xfff);
}

bool sun50i_iommu::permitted(unsigned master, uint64_t pte, bool write) const {
    const uint32_t ovwt = static_cast<uint32_t>(ovwt_.get());
    uint32_t bits;
    if (ovwt & (1u << 31)) {
        bits = ovwt;
    } else {
        const unsigned aci = pte_aci(pte);
        if (aci == 0) return true;  // domain 0: always read and write
        const uint32_t reg = static_cast<uint32_t>(dm_aut_[aci / 2]->get());
        bits = (aci & 1) ? reg >> 16 : reg & 0xffff;
    }
    return !((bits >> (2 * master + (write ? 1 : 0))) & 1);
}

sun50i_iommu::lookup sun50i_iommu::find(unsigned m, uint32_t iova, bool write, sc_core::sc_time& delay) {
    const bool pmu = pmu_enable_.get() & 1;
    auto check = [&](tlb_entry& e) {
        if (checker_.enabled())
            checker_.check_hit(e, m, iova, write, walker_, [&] { return fresh_walk(iova); },
                               dte_address(dt_of(ttb_.get()), iova));
    };
    lookup l;
    if (unit_on(1u << m)) {
        if (pmu) ++micro_pmu_[m].access;
        if (tlb_entry* e = micro_[m].lookup(0, iova)) {
            if (pmu) ++micro_pmu_[m].hit;
            check(*e);
            l.entry = e;
            return l;
        }
    }
    if (unit_on(MACRO_TLB)) {
        if (pmu) ++macro_pmu_.access;
        if (tlb_entry* e = macro_.lookup(0, iova)) {
            if (pmu) ++macro_pmu_.hit;
            if (e->attrs & NEGATIVE) {
                l.what = lookup::kind::l2_invalid;
                l.pte = e->attrs & 0xffffffffu;
                l.fetch_addr = e->trail.count ? e->trail.address[e->trail.count - 1] : 0;
                l.cached = true;
                l.cache = "macro TLB";
                l.cached_at = e->filled_at;
                l.prefetched = e->attrs & PREFETCHED;
                return l;
            }
            check(*e);
            l.entry = unit_on(1u << m) ? &micro_[m].insert(*e) : e;
            return l;
        }
    }
    lookup l2 = walk_and_fill(m, iova, delay);
    // A walk that started from a DTE in the PTW cache used that DTE as a cached translation: check
    // it like a hit (the TTB may have moved, or the DTE changed in memory, since it was cached).
    if (l2.walked_from_cache) check(*l2.walked_from_cache);
    return l2;
}

sun50i_iommu::lookup sun50i_iommu::walk_and_fill(unsigned m, uint32_t iova, sc_core::sc_time& delay) {
    const bool pmu = pmu_enable_.get() & 1;
    const uint64_t ttb = dt_of(ttb_.get());
    const uint32_t slot = slot_of(iova);
    lookup l;
    ++stats_.walks;
    walk_trail dte_trail;  // the DTE as used (from the PTW cache or read now)
    walk_result w;
    unsigned read_from = 0;  // first trail index read from memory by this walk
    const tlb_entry* cached_dte = nullptr;
    if (unit_on(PTW_CACHE)) {
        if (pmu) ++ptw_pmu_.access;
        cached_dte = ptw_.lookup(0, iova);
        if (cached_dte && pmu) ++ptw_pmu_.hit;
    }
    if (cached_dte) {
        const uint64_t dte = cached_dte->output;
        dte_trail = cached_dte->trail;
        if (!dte_valid(dte)) {
            l.what = lookup::kind::l1_invalid;
            l.dte = dte;
            l.fetch_addr = dte_trail.count ? dte_trail.address[0] : ttb + slot * 4;
            l.cached = true;
            l.cache = "PTW cache";
            l.cached_at = cached_dte->filled_at;
            l.prefetched = cached_dte->attrs & PREFETCHED;
            return l;
        }
        w = walker_.walk(format, dte_table(dte), 2, iova, delay);
        l.dte = dte;
        // The trail of the translation: the DTE as cached, then what this walk read.
        walk_trail t = dte_trail;
        t.dmi_generation = w.trail.dmi_generation;
        if (t.count) t.host[0] = port_.host_pointer(t.address[0], 4);
        read_from = t.count;
        for (unsigned i = 0; i < w.trail.count; ++i)
            t.add(w.trail.address[i], w.trail.value[i], 4, w.trail.host[i]);
        w.trail = t;
    } else {
        w = walker_.walk(format, ttb, 1, iova, delay);
        if (w.trail.count >= 1) {
            l.dte = w.trail.value[0];
            dte_trail.add(w.trail.address[0], w.trail.value[0], 4);
            if (unit_on(PTW_CACHE)) {
                tlb_entry d;
                d.iova = iova & slot_mask;
                d.size_shift = slot_shift;
                d.output = l.dte;
                d.attrs = l.dte;
                d.global = true;
                d.stream = m;
                d.trail = dte_trail;
                ptw_.insert(d.read_now());
                if (slot < last_slot) prefetch_dte(slot + 1, delay);
            }
        }
    }
    if (check_coherence_) check_coherence(m, iova, w.trail, read_from);

    if (w.status == walk_status::bus_error || (w.status == walk_status::fault && w.fault_code == fault_l1) ||
        w.status == walk_status::too_deep) {
        const bool at_l1 = w.level == 1;
        l.what = at_l1 ? lookup::kind::l1_invalid : lookup::kind::l2_invalid;
        l.bus_error = w.status == walk_status::bus_error;
        l.fetch_addr = w.fetch_addr;
        if (at_l1)
            l.dte = l.bus_error ? 0 : w.descriptor;
        else
            l.pte = 0;
        return l;
    }
    const uint64_t pt = dte_table(l.dte);
    const uint64_t pte = w.descriptor;
    tlb_entry& e = scratch_;
    e = tlb_entry{};
    e.iova = iova & page_mask;
    e.size_shift = page_shift;
    e.global = true;
    e.stream = m;
    e.level = 2;
    e.trail = w.trail;
    e.read_now();
    if (cached_dte) {  // the translation is as old as the cached DTE it was walked from
        e.filled_at = cached_dte->filled_at;
        e.verified_at = cached_dte->verified_at;
        e.verified_epoch = cached_dte->verified_epoch;
    }
    e.attrs = pte;
    if (w.status == walk_status::fault) {  // L2 invalid: cached as such in the macro TLB
        e.attrs |= NEGATIVE;
        if (unit_on(MACRO_TLB)) macro_.insert(e);
        if (prefetch_.get() & (1u << m)) prefetch_pte(m, iova, pt, dte_trail, delay);
        l.what = lookup::kind::l2_invalid;
        l.pte = pte;
        l.fetch_addr = w.fetch_addr;
        return l;
    }
    e.output = w.output;
    e.perms = w.perms;
    tlb_entry* stored = &e;
    if (unit_on(MACRO_TLB)) stored = &macro_.insert(e);
    if (unit_on(1u << m)) stored = &micro_[m].insert(e);
    if (prefetch_.get() & (1u << m)) prefetch_pte(m, iova, pt, dte_trail, delay);
    l.entry = stored;
    if (cached_dte) l.walked_from_cache = stored;
    return l;
}

void sun50i_iommu::prefetch_dte(uint32_t slot, sc_core::sc_time& delay) {
    const uint64_t addr = dte_address(dt_of(ttb_.get()), uint64_t{slot} << slot_shift);
    uint32_t dte = 0;
    if (!port_.read(addr, &dte, 4, delay)) return;  // a prefetch that fails is dropped
    ++stats_.prefetches;
    tlb_entry d;
    d.iova = uint64_t{slot} << 20;
    d.size_shift = slot_shift;
    d.output = dte;
    d.attrs = dte | PREFETCHED;
    d.global = true;
    d.trail.add(addr, dte, 4);
    ptw_.insert(d.read_now());
}

void sun50i_iommu::prefetch_pte(unsigned m, uint32_t iova, uint64_t pt, const walk_trail& dte_trail,
                                sc_core::sc_time& delay) {
    if (!unit_on(MACRO_TLB) || page_in_slot(iova) == last_page_in_slot) return;  // no prefetch across a slot
    const uint32_t next = (iova & page_mask) + (1u << page_shift);
    const uint64_t addr = pte_address(pt, next);
    uint32_t pte = 0;
    if (!port_.read(addr, &pte, 4, delay)) return;
    ++stats_.prefetches;
    tlb_entry e;
    e.iova = next;
    e.size_shift = page_shift;
    e.global = true;
    e.stream = m;
    e.level = 2;
    e.trail = dte_trail;
    e.trail.dmi_generation = port_.dmi_generation();
    if (e.trail.count) e.trail.host[0] = port_.host_pointer(e.trail.address[0], 4);
    e.trail.add(addr, pte, 4, port_.host_pointer(addr, 4));
    e.read_now().verified_epoch = 0;  // its DTE may come from the PTW cache, older than memory: re-read at the first hit
    e.attrs = pte | PREFETCHED;
    if (pte_valid(pte)) {
        e.output = pte_page(pte);
        e.perms = pte_perms(pte);
    } else {
        e.attrs |= NEGATIVE;
    }
    macro_.insert(e);
}

void sun50i_iommu::check_coherence(unsigned master, uint32_t iova, const walk_trail& trail, unsigned from) {
    for (unsigned i = from; i < trail.count; ++i) {
        memory::coherence_tracker::finding f;
        if (!cfg_.coherence->check(trail.address[i], trail.entry_size[i], trail.value[i], f)) continue;
        coherence_report r;
        r.stream = master;
        r.who = "master " + std::to_string(master) + " (" + variant_->master_names[master] + ")";
        r.iova = iova;
        r.table_addr = trail.address[i];
        r.entry = i == 0 ? "DTE" : "PTE";  // a trail starts at the DTE (read now or cached)
        r.memory_value = trail.value[i];
        r.seen_value = f.seen_value;
        r.why = f.explain();
        checker_.report_uncleaned(std::move(r));
    }
}

std::string sun50i_iommu::stale_note(uint32_t iova, const lookup& l) {
    if (!l.cached) return "";
    const walk_result w = fresh_walk(iova);
    std::string s = "; the invalid entry came from the " + std::string(l.cache) + " (" +
                    (l.prefetched ? "loaded by prefetch" : "cached by a walk") + " at " + core::format_ns(l.cached_at) +
                    ")";
    if (w.ok()) {
        ++stats_.stale_faults;
        s += ", but the tables now map IOVA " + core::hex(iova) + " to " + core::hex(w.translate(iova)) +
             ": stale fault, the entry was not invalidated after the mapping (TLB_IVLD / PC_IVLD of the "
             "neighbours, as Linux does)";
    } else if (l.what == lookup::kind::l2_invalid && w.status == walk_status::fault && w.level == 2 &&
               l.fetch_addr == w.fetch_addr) {
        s += "; the tables agree";
    }
    return s;
}

translation sun50i_iommu::fault(const dma_access& a, unsigned m, uint32_t iova, const lookup& l) {
    const bool l1 = l.what == lookup::kind::l1_invalid;
    const uint32_t status_bit = l1 ? L1_INVALID : L2_INVALID;
    const uint32_t entry = static_cast<uint32_t>(l1 ? l.dte : l.pte);
    if (!(int_sta_.get() & status_bit)) {  // the first fault is kept until INT_CLR
        (l1 ? err_addr_l1_ : err_addr_l2_).set(iova);
        (l1 ? err_data_l1_ : err_data_l2_).set(l.bus_error ? 0 : entry);
    }
    int_sta_.set(int_sta_.get() | status_bit);
    core::reg& pg = l1 ? l1pg_ : l2pg_;
    pg.set(pg.get() | (1u << m));
    stalled_ |= 1u << m;
    stall_noted_ &= ~(1u << m);
    ++stats_.faults;

    fault_record f;
    f.kind = l.bus_error ? fault_kind::walk_bus_error : fault_kind::translation;
    f.code = l1 ? "L1_PAGETABLE_INVALID" : "L2_PAGETABLE_INVALID";
    a.record_access(f, m, iova, a.payload.get_data_length());
    f.level = l1 ? 1 : 2;
    f.fetch_addr = l.fetch_addr;
    f.has_fetch_addr = true;
    const std::string who = "master " + std::to_string(m) + " (" + variant_->master_names[m] + ")";
    if (l.bus_error)
        f.detail = std::string(l1 ? "DTE" : "PTE") + " read at " + core::hex(l.fetch_addr) +
                   " failed on the bus (TTB " + core::hex(ttb_.get()) + "); reported as " +
                   (l1 ? "L1" : "L2") + " invalid";
    else if (l1)
        f.detail = "DTE " + core::hex(l.fetch_addr) + " = " + core::hex(entry) + " is not valid (type " +
                   std::to_string(dte_type(entry)) + ", only 0b01 is)";
    else
        f.detail = "PTE " + core::hex(l.fetch_addr) + " = " + core::hex(entry) + " is not valid (bit1 = 0)";
    f.detail += stale_note(iova, l) + "; " + who + " stalls until its RESET bit is pulsed";
    report_fault(log_, name(), f);
    update_irq();
    return translation::faulted(iova | 0xfff);
}

translation sun50i_iommu::permission_fault(const dma_access& a, unsigned m, uint32_t iova, const tlb_entry& e) {
    const uint32_t bit = 1u << m;
    const uint32_t pte = static_cast<uint32_t>(e.attrs);
    if (!(int_sta_.get() & bit)) {
        err_addr_[m]->set(iova);
        err_data_[m]->set(pte);
    }
    int_sta_.set(int_sta_.get() | bit);
    stalled_ |= bit;
    stall_noted_ &= ~bit;
    ++stats_.faults;
    fault_record f;
    f.kind = fault_kind::permission;
    f.code = "PERMISSION";
    a.record_access(f, m, iova, a.payload.get_data_length());
    f.level = 2;
    const unsigned aci = pte_aci(pte);
    const bool ovwt = ovwt_.get() & (1u << 31);
    f.detail = std::string(a.write ? "write" : "read") + " prohibited for master " + std::to_string(m) + " (" +
               variant_->master_names[m] + ") in permission domain " + std::to_string(aci) + " (PTE " +
               core::hex(pte) + ", " +
               (ovwt ? "DM_AUT_OVWT " + core::hex(ovwt_.get())
                     : "DM_AUT_CTRL" + std::to_string(aci / 2) + " " + core::hex(dm_aut_[aci / 2]->get())) +
               "); mapping " + core::hex(e.iova) + " -> " + core::hex(e.output) +
               "; the master stalls until its RESET bit is pulsed";
    report_fault(log_, name(), f);
    update_irq();
    return translation::faulted(iova | 0xfff);
}

// ---- debug VA access (VA_CONFIG) ----

void sun50i_iommu::debug_va_access(uint32_t config) {
    const uint32_t va = static_cast<uint32_t>(va_.get());
    const bool debug_mode = config & (1u << 31);
    const bool write = config & (1u << 8);
    sc_core::sc_time delay;
    const uint64_t ttb = dt_of(ttb_.get());
    const walk_result w = walker_.walk(format, ttb, 1, va, delay);
    if (!w.ok()) {
        const bool l1 = w.level == 1;
        const uint32_t bit = l1 ? L1_INVALID : L2_INVALID;
        if (!(int_sta_.get() & bit)) {
            (l1 ? err_addr_l1_ : err_addr_l2_).set(va);
            (l1 ? err_data_l1_ : err_data_l2_).set(w.status == walk_status::bus_error ? 0 : w.descriptor);
        }
        int_sta_.set(int_sta_.get() | bit);
        core::reg& pg = l1 ? l1pg_ : l2pg_;
        pg.set(pg.get() | DEBUG_MASTER);
        log_.warning(std::string("debug VA access at ") + core::hex(va) + ": " + (l1 ? "L1" : "L2") +
                     " invalid (entry " + core::hex(w.fetch_addr) + " = " + core::hex(w.descriptor) + ")");
        update_irq();
        return;
    }
    if (!debug_mode) {  // prefetch mode: the PTE into the macro TLB
        if (unit_on(MACRO_TLB)) {
            tlb_entry e = w.cached(0, 0);
            e.attrs |= PREFETCHED;
            macro_.insert(e);
        }
        return;
    }
    const uint64_t pa = w.translate(va);
    uint32_t data = static_cast<uint32_t>(va_data_.get());
    if (write) {
        if (!port_.write(pa, &data, 4, delay)) log_.warning("debug VA write to PA " + core::hex(pa) + " failed on the bus");
    } else if (port_.read(pa, &data, 4, delay)) {
        va_data_.set(data);
    } else {
        log_.warning("debug VA read from PA " + core::hex(pa) + " failed on the bus");
    }
}

} // namespace socsim::iommu

// ---- the debugger's view ----

namespace socsim::iommu {

debug_translation sun50i_iommu::debug_translate(uint32_t master, uint64_t iova) {
    // translate()'s decisions in its order; the walk is fresh_walk, which fills no cache.
    debug_translation out;
    if (!(reset_.get() & RESET_ALL)) {
        out.why = "IOMMU_RESET: the IOMMU is held in reset (RESET bit31 = 0)";
        return out;
    }
    if (master >= masters()) {
        out.why = "BAD_MASTER: master index " + std::to_string(master) + " does not exist (the " + variant_->soc +
                  " has " + std::to_string(masters()) + " masters)";
        return out;
    }
    if (!(enable_.get() & 1) || ((bypass_.get() >> master) & 1)) {
        out.result = debug_translation::outcome::bypass;
        out.output = iova;
        out.why = (enable_.get() & 1) ? "BYPASS bit " + std::to_string(master) + " is set" : "ENABLE is 0";
        return out;
    }
    if (iova >> 32) {
        out.why = "the IOVA is beyond the H6's 32-bit bus";
        return out;
    }
    out.config.push_back("TTB " + core::hex(dt_of(ttb_.get())));
    const walk_result w = fresh_walk(static_cast<uint32_t>(iova));
    fill_from_walk(out, w, iova, w.level <= 1 ? "L1 invalid (DTE)" : "L2 invalid (PTE)");
    if (out.result == debug_translation::outcome::translated) {
        const bool read = permitted(master, w.descriptor, false), write = permitted(master, w.descriptor, true);
        out.config.push_back("permission for master " + std::to_string(master) + " (ACI " +
                             std::to_string(pte_aci(w.descriptor)) + "): read " +
                             (read ? "allowed" : "prohibited") + ", write " + (write ? "allowed" : "prohibited"));
    }
    return out;
}

void sun50i_iommu::debug_tlb(std::ostream& os) {
    print_tlb(os, std::string(name()) + " macro TLB", macro_, walker_);
    for (unsigned m = 0; m < micro_.size(); ++m)
        print_tlb(os, std::string(name()) + " micro TLB " + std::to_string(m), micro_[m], walker_);
    print_tlb(os, std::string(name()) + " PTW cache (DTEs)", ptw_, walker_);
}

} // namespace socsim::iommu
