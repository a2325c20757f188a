// sun50i IOMMU: variants, registers, cache maintenance, interrupts. The DMA path:
// sun50i_iommu_translate.cpp.
#include "models/iommu/sun50i/sun50i_iommu.h"
#include "models/iommu/sun50i/sun50i_format.h"

#include "models/core/address_range.h"
#include "models/core/config_error.h"
#include "models/core/trace_writer.h"
#include "models/memory/coherence_tracker.h"

namespace socsim::iommu {

using namespace sun50i_reg;

const std::vector<sun50i_variant>& sun50i_variants() {
    // Master names: BSP49 / BSPNEW for the H6; for the H616 only master 6 (G2D) is named by a
    // source (BSPNEW), the others are assumed to keep the H6 order.
    static const std::vector<sun50i_variant> v = {
        {"allwinner,sun50i-h6-iommu", "H6", 6, 0x10, 0x00, {"DE", "VE_R", "DI", "VE", "CSI", "VP9"}},
        {"allwinner,sun50i-h616-iommu", "H616", 7, 0x12, 0x7f, {"DE", "VE_R", "DI", "VE", "CSI", "VP9", "G2D"}},
    };
    return v;
}

const sun50i_variant* find_sun50i_variant(const std::string& compatible) {
    for (const sun50i_variant& v : sun50i_variants())
        if (compatible == v.compatible) return &v;
    return nullptr;
}

sun50i_iommu::sun50i_iommu(sc_core::sc_module_name name, const config& cfg)
    : iommu_skeleton(name), cfg_(cfg), variant_(cfg.variant ? cfg.variant : &sun50i_variants()[0]),
      walker_(port_, 2), macro_(cfg.tlb_entries, cfg.tlb_ways), ptw_(cfg.ptw_cache_entries, cfg.ptw_cache_ways),
      reset_(regs_.add("RESET", RESET, 4)), enable_(regs_.add("ENABLE", ENABLE, 4)),
      bypass_(regs_.add("BYPASS", BYPASS, 4)), ttb_(regs_.add("TTB", TTB, 4)),
      tlb_enable_(regs_.add("TLB_ENABLE", TLB_ENABLE, 4)), prefetch_(regs_.add("TLB_PREFETCH", TLB_PREFETCH, 4)),
      tlb_flush_enable_(regs_.add("TLB_FLUSH_ENABLE", TLB_FLUSH_ENABLE, 4)),
      tlb_ivld_addr_(regs_.add("TLB_IVLD_ADDR", TLB_IVLD_ADDR, 4)),
      tlb_ivld_addr_mask_(regs_.add("TLB_IVLD_ADDR_MASK", TLB_IVLD_ADDR_MASK, 4)),
      tlb_ivld_enable_(regs_.add("TLB_IVLD_ENABLE", TLB_IVLD_ENABLE, 4)),
      pc_ivld_addr_(regs_.add("PC_IVLD_ADDR", PC_IVLD_ADDR, 4)),
      pc_ivld_enable_(regs_.add("PC_IVLD_ENABLE", PC_IVLD_ENABLE, 4)), ovwt_(regs_.add("DM_AUT_OVWT", DM_AUT_OVWT, 4)),
      int_enable_(regs_.add("INT_ENABLE", INT_ENABLE, 4)), int_clr_(regs_.add("INT_CLR", INT_CLR, 4)),
      int_sta_(regs_.add("INT_STA", INT_STA, 4)), err_addr_l1_(regs_.add("INT_ERR_ADDR_L1", INT_ERR_ADDR_L1, 4)),
      err_addr_l2_(regs_.add("INT_ERR_ADDR_L2", INT_ERR_ADDR_L2, 4)),
      err_data_l1_(regs_.add("INT_ERR_DATA_L1", INT_ERR_DATA_L1, 4)),
      err_data_l2_(regs_.add("INT_ERR_DATA_L2", INT_ERR_DATA_L2, 4)), l1pg_(regs_.add("L1PG_INT", L1PG_INT, 4)),
      l2pg_(regs_.add("L2PG_INT", L2PG_INT, 4)), va_(regs_.add("VA", VA, 4)), va_data_(regs_.add("VA_DATA", VA_DATA, 4)),
      va_config_(regs_.add("VA_CONFIG", VA_CONFIG, 4)), pmu_enable_(regs_.add("PMU_ENABLE", PMU_ENABLE, 4)),
      pmu_clr_(regs_.add("PMU_CLR", PMU_CLR, 4)) {
    for (unsigned m = 0; m < variant_->masters; ++m) micro_.emplace_back(cfg.micro_tlb_entries, cfg.micro_tlb_ways);
    checker_.set_enabled(cfg.check_stale);
    // Entries carry no context (one table for every master): a report names caches, not contexts.
    for (unsigned m = 0; m < variant_->masters; ++m)
        checker_.describe_cache(
            {&micro_[m], "micro TLB " + std::to_string(m) + " (" + variant_->master_names[m] + ")", ""});
    checker_.describe_cache({&macro_, "macro TLB", ""});
    checker_.describe_cache({&ptw_, "PTW cache", ""});
    check_coherence_ = cfg.check_coherence && cfg.coherence;
    if (check_coherence_) cfg.coherence->set_active();
    declare_registers();
}

sun50i_iommu::~sun50i_iommu() = default;

void sun50i_iommu::self_clearing(core::reg& r, uint32_t writable, uint32_t busy_bits,
                                 std::function<void(uint32_t)> op) {
    // The operation happens at the write; the bits read as 1 until op_latency has passed.
    auto done_at = std::make_shared<sc_core::sc_time>();
    r.read_only(~uint64_t{writable})
        .on_write([this, op, done_at, busy_bits](core::reg& r, uint64_t, uint64_t now) {
            const uint32_t v = static_cast<uint32_t>(now);
            if (v & busy_bits) {
                *done_at = sc_core::sc_time_stamp() + cfg_.op_latency;
                op(v & busy_bits);
            }
            r.set(v);
        })
        .on_read([done_at, busy_bits](const core::reg& r, bool) {
            return sc_core::sc_time_stamp() >= *done_at ? r.get() & ~uint64_t{busy_bits} : r.get();
        });
}

void sun50i_iommu::declare_registers() {
    const uint32_t mm = master_mask();
    const uint32_t units = mm | MACRO_TLB | PTW_CACHE;
    const uint32_t half = (1u << (2 * variant_->masters)) - 1;  // read/write bits of all masters
    auto rw = [](core::reg& r, uint32_t writable, uint32_t reset = 0) -> core::reg& {
        return r.reset_value(reset).read_only(~uint64_t{writable});
    };
    auto ro = [&](const std::string& n, uint64_t off) -> core::reg& { return regs_.add(n, off, 4).read_only(); };

    regs_.add("VERSION", VERSION, 4).reset_value(variant_->version).read_only();
    rw(reset_, RESET_ALL | units, RESET_ALL | units).on_write([this](core::reg&, uint64_t o, uint64_t n) {
        write_reset(static_cast<uint32_t>(o), static_cast<uint32_t>(n));
    });
    rw(enable_, 1);
    rw(bypass_, mm, variant_->bypass_reset);
    rw(regs_.add("AUTO_GATING", AUTO_GATING, 4), 1, 1);
    rw(regs_.add("WBUF_CTRL", WBUF_CTRL, 4), mm, mm);
    rw(regs_.add("OOO_CTRL", OOO_CTRL, 4), mm, mm);
    rw(regs_.add("4KB_BDY_PRT_CTRL", BDY_PRT_CTRL, 4), mm, mm);
    rw(ttb_, 0xffffc000u).on_write([this](core::reg&, uint64_t old, uint64_t now) { write_ttb(old, now); });
    rw(tlb_enable_, units, units).on_write([this](core::reg&, uint64_t o, uint64_t n) {
        write_tlb_enable(static_cast<uint32_t>(o), static_cast<uint32_t>(n));
    });
    rw(prefetch_, mm);
    self_clearing(tlb_flush_enable_, units, units, [this](uint32_t v) { flush(v); });
    rw(tlb_ivld_addr_, 0xfffff000u);
    rw(tlb_ivld_addr_mask_, 0xfffff000u);
    self_clearing(tlb_ivld_enable_, 1, 1, [this](uint32_t) {
        invalidate_tlb(static_cast<uint32_t>(tlb_ivld_addr_.get()), static_cast<uint32_t>(tlb_ivld_addr_mask_.get()));
    });
    rw(pc_ivld_addr_, 0xfff00000u);
    self_clearing(pc_ivld_enable_, 1, 1, [this](uint32_t) { invalidate_ptw(static_cast<uint32_t>(pc_ivld_addr_.get())); });
    for (unsigned d = 0; d < 8; ++d) {
        // Domain 0 (the low half of CTRL0) always allows everything: its bits are read-only zero.
        dm_aut_[d] = &rw(regs_.add("DM_AUT_CTRL" + std::to_string(d), DM_AUT_CTRL0 + 4 * d, 4),
                         d == 0 ? half << 16 : (half << 16) | half);
    }
    rw(ovwt_, (1u << 31) | half);
    rw(int_enable_, mm | L1_INVALID | L2_INVALID).on_write([this](core::reg&, uint64_t, uint64_t) { update_irq(); });
    int_clr_.write_only().on_write(
        [this](core::reg& r, uint64_t, uint64_t now) { write_int_clr(r, static_cast<uint32_t>(now)); });
    int_sta_.read_only();
    for (unsigned m = 0; m < variant_->masters; ++m) {
        err_addr_[m] = &ro("INT_ERR_ADDR" + std::to_string(m), INT_ERR_ADDR0 + 4 * m);
        err_data_[m] = &ro("INT_ERR_DATA" + std::to_string(m), INT_ERR_DATA0 + 4 * m);
    }
    for (core::reg* r : {&err_addr_l1_, &err_addr_l2_, &err_data_l1_, &err_data_l2_, &l1pg_, &l2pg_}) r->read_only();
    rw(va_, 0xffffffffu);
    rw(va_data_, 0xffffffffu);
    self_clearing(va_config_, (1u << 31) | (1u << 8) | 1u, 1u,
                  [this](uint32_t) { debug_va_access(static_cast<uint32_t>(va_config_.get())); });
    rw(pmu_enable_, 1);
    self_clearing(pmu_clr_, 1, 1, [this](uint32_t) { clear_pmu(); });
    // Counter sets: micro TLBs at 0x230 + 0x10 i, the macro TLB at 0x2D0, the PTW cache at 0x2E0.
    auto counter_set = [&](const std::string& n, uint64_t off, const pmu_counter& c) {
        auto word = [&](const char* what, uint64_t o, bool hit, bool high) {
            ro(n + what, off + o).on_read([&c, hit, high](const core::reg&, bool) -> uint64_t {
                const uint64_t v = hit ? c.hit : c.access;
                return high ? (v >> 32) & 0x7ff : v & 0xffffffffu;
            });
        };
        word("_ACCESS_LOW", 0x0, false, false);
        word("_ACCESS_HIGH", 0x4, false, true);
        word("_HIT_LOW", 0x8, true, false);
        word("_HIT_HIGH", 0xc, true, true);
    };
    for (unsigned m = 0; m < variant_->masters; ++m) {
        counter_set("PMU_MICRO" + std::to_string(m), PMU_COUNTERS0 + 0x10 * m, micro_pmu_[m]);
        const unsigned mi = m;
        ro("PMU_TL_LOW" + std::to_string(m), PMU_TL0 + 0x10 * m)
            .on_read([this, mi](const core::reg&, bool) -> uint64_t { return latency_ns_[mi] & 0xffffffffu; });
        ro("PMU_TL_HIGH" + std::to_string(m), PMU_TL0 + 0x10 * m + 4)
            .on_read([this, mi](const core::reg&, bool) -> uint64_t { return (latency_ns_[mi] >> 32) & 0x3ffff; });
    }
    counter_set("PMU_MACRO", PMU_MACRO, macro_pmu_);
    counter_set("PMU_PTW", PMU_PTW, ptw_pmu_);
}

void sun50i_iommu::write_ttb(uint64_t old, uint64_t now) {
    if (old != now && (enable_.get() & 1) && (bypass_.get() & master_mask()) != master_mask())
        log_.warning("TTB changed to " + core::hex(now) + " while translation is enabled and masters are not "
                     "bypassed (ENABLE=1, BYPASS=" + core::hex(bypass_.get()) +
                     "): the manual allows it only while disabled; the model walks the new table from now on");
}

void sun50i_iommu::write_int_clr(core::reg& r, uint32_t value) {
    const uint32_t v = value & (master_mask() | L1_INVALID | L2_INVALID);
    int_sta_.set(int_sta_.get() & ~uint64_t{v});
    if (v & L1_INVALID) l1pg_.set(0);
    if (v & L2_INVALID) l2pg_.set(0);
    r.set(0);
    update_irq();
}

void sun50i_iommu::write_reset(uint32_t old, uint32_t now) {
    const uint32_t asserted = old & ~now;  // 0 = reset asserted
    if (asserted & RESET_ALL) {
        soft_reset();
        reset_.set(now);
        SOCSIM_LOG(log_, info, "RESET bit31 asserted: whole-IOMMU soft reset");
        return;
    }
    for (unsigned m = 0; m < variant_->masters; ++m)
        if (asserted & (1u << m)) {
            if (stalled_ & (1u << m))
                SOCSIM_LOG(log_, info, "master " << m << " (" << variant_->master_names[m]
                                                 << ") reset: its stall is released");
            stalled_ &= ~(1u << m);
            stall_noted_ &= ~(1u << m);
        }
    if (asserted) {  // each unit held in reset drops its entries
        ++stats_.invalidations;
        apply_invalidation(emptied("RESET " + core::hex(now), asserted));
    }
}

invalidation_note sun50i_iommu::emptied(std::string command, uint32_t units) {
    invalidation_note note;
    note.command = std::move(command);
    for (unsigned m = 0; m < variant_->masters; ++m)
        if (units & (1u << m)) note.scopes.push_back({&micro_[m], tlb_match::all()});
    if (units & MACRO_TLB) note.scopes.push_back({&macro_, tlb_match::all()});
    if (units & PTW_CACHE) note.scopes.push_back({&ptw_, tlb_match::all()});
    return note;
}

void sun50i_iommu::soft_reset() {
    regs_.reset();
    apply_invalidation(emptied("RESET bit31 (soft reset)", ~0u));
    stalled_ = stall_noted_ = 0;
    clear_pmu();
    update_irq();
}

void sun50i_iommu::write_tlb_enable(uint32_t old, uint32_t now) {
    const uint32_t disabled = old & ~now;
    if (disabled) apply_invalidation(emptied("TLB_ENABLE " + core::hex(now), disabled));
}

void sun50i_iommu::flush(uint32_t units) {
    ++stats_.invalidations;
    apply_invalidation(emptied("TLB_FLUSH_ENABLE " + core::hex(units), units));
    SOCSIM_LOG(log_, debug, "TLB_FLUSH_ENABLE " << core::hex(units));
}

void sun50i_iommu::invalidate_tlb(uint32_t addr, uint32_t mask) {
    mask &= sun50i_format::page_mask;
    const uint32_t want = addr & mask;
    // Entries are pages; collect the matching ones, then drop each (a mask need not be contiguous).
    auto drop = [&](iommu::tlb& t) {
        std::vector<uint64_t> pages;
        t.for_each([&](const tlb_entry& e) {
            if ((static_cast<uint32_t>(e.iova) & mask) == want) pages.push_back(e.iova);
        });
        for (uint64_t p : pages) t.invalidate(tlb_match::by_range(p, p));
    };
    drop(macro_);
    for (auto& t : micro_) drop(t);
    ++stats_.invalidations;
    invalidation_note note;
    note.command = "TLB_IVLD ADDR " + core::hex(addr) + " MASK " + core::hex(mask);
    // A zero mask compares nothing: every entry matches.
    const invalidation_scope scope = mask ? invalidation_scope{&macro_, tlb_match::by_range(want, want), mask}
                                          : invalidation_scope{&macro_, tlb_match::all(), 0};
    note.scopes.push_back(scope);
    for (auto& t : micro_) {
        note.scopes.push_back(scope);
        note.scopes.back().cache = &t;
    }
    checker_.note_invalidation(std::move(note));
    SOCSIM_LOG(log_, debug, "TLB_IVLD " << core::hex(addr) << " mask " << core::hex(mask));
}

void sun50i_iommu::invalidate_ptw(uint32_t addr) {
    const uint64_t slot = addr & sun50i_format::slot_mask;
    ++stats_.invalidations;
    invalidation_note note;
    note.command = "PC_IVLD ADDR " + core::hex(addr);
    note.scopes.push_back({&ptw_, tlb_match::by_range(slot, slot | ~sun50i_format::slot_mask)});
    apply_invalidation(std::move(note));
    SOCSIM_LOG(log_, debug, "PC_IVLD " << core::hex(slot));
}

void sun50i_iommu::update_irq() { irq.set((int_sta_.get() & int_enable_.get()) != 0); }

void sun50i_iommu::clear_pmu() {
    for (auto& c : micro_pmu_) c = {};
    macro_pmu_ = ptw_pmu_ = {};
    for (auto& l : latency_ns_) l = 0;
}

} // namespace socsim::iommu
