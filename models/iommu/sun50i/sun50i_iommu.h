#pragma once
// Allwinner H6 IOMMU ("sun50i-iommu"), and the H616 as a variant. Facts and their public sources
// (Linux drivers/iommu/sun50i-iommu.c, the vendor driver, the H616 manual):
// docs/hardware/sun50i-iommu.md. One 32-bit address space (one TTB) shared by all masters,
// 4 KiB pages, a directory (DT) of 4096 entries x 1 MiB and page tables (PT) of 256 entries.
//
// DT: compatible "allwinner,sun50i-h6-iommu" (6 masters, VERSION 0x10, BYPASS reset 0) or
// "allwinner,sun50i-h616-iommu" (7 masters, VERSION 0x12, BYPASS reset 0x7f: all bypassed) - the
// variant table in sun50i_iommu.cpp; `reg` (64 KiB), `interrupts` (level high), `#iommu-cells`
// = <1> (the cell is the master index; masters stamp it as the stream id). Simulator knobs:
//   socsim,tlb-entries / socsim,tlb-ways          macro TLB (default 256 entries, 4 ways)
//   socsim,micro-tlb-entries / -ways               each master's micro TLB (16, 4)
//   socsim,ptw-cache-entries / -ways               PTW (walk) cache of DTEs (32, 4)
//   socsim,op-latency-ns                           completion time of flushes/invalidations (500)
//   socsim,check-stale (1)                         the DMA checker on every TLB hit
//   socsim,check-coherence (1)                     walker reads checked against CPU cache cleans
//
// Registers (offset: reset value; per-master fields use bits 0..N-1, N = 6 on H6, 7 on H616):
//   0x000 VERSION (RO, 0x10 / 0x12)        0x010 RESET (0x8003003F: all released; 0 = assert)
//   0x020 ENABLE bit0 (0)                  0x030 BYPASS per master (0 / 0x7f)
//   0x040 AUTO_GATING bit0 (1)             0x044 WBUF_CTRL, 0x048 OOO_CTRL, 0x04C 4KB_BDY_PRT_CTRL
//                                          (per master, reset all ones; stored, no effect here)
//   0x050 TTB bits[31:14] (0)              0x060 TLB_ENABLE micro bits, 16 macro, 17 PTW (0x3003F)
//   0x070 TLB_PREFETCH per master (0)      0x080 TLB_FLUSH_ENABLE micro bits, 16 macro, 17 PTW
//   0x090 TLB_IVLD_ADDR [31:12]            0x094 TLB_IVLD_ADDR_MASK [31:12]   0x098 TLB_IVLD_ENABLE bit0
//   0x0A0 PC_IVLD_ADDR [31:20]             0x0A8 PC_IVLD_ENABLE bit0
//   0x0B0..0x0CC DM_AUT_CTRL0..7 (0)       0x0D0 DM_AUT_OVWT (0)
//   0x100 INT_ENABLE (0)   0x104 INT_CLR (W1C, reads 0)   0x108 INT_STA (RO)
//   0x110+4m INT_ERR_ADDR[m]   0x130 INT_ERR_ADDR_L1   0x134 INT_ERR_ADDR_L2
//   0x150+4m INT_ERR_DATA[m]   0x170 INT_ERR_DATA_L1   0x174 INT_ERR_DATA_L2
//   0x180 L1PG_INT   0x184 L2PG_INT   (bit m: master m; bit31: the debug VA access)
//   0x190 VA, 0x194 VA_DATA, 0x198 VA_CONFIG (bit31 debug/prefetch mode, bit8 write, bit0 START)
//   0x200 PMU_ENABLE bit0   0x210 PMU_CLR bit0
//   0x230+0x10i PMU_ACCESS_LOW/HIGH, HIT_LOW/HIGH of micro TLB i; 0x2D0 macro TLB; 0x2E0 PTW cache
//   0x300+0x10i PMU_TL_LOW/HIGH: total translation latency of master i, in nanoseconds
//   Everything else in the 64 KiB window (the V12+/V14+ range-invalidation registers included)
//   reads as zero and ignores writes. Registers take 4-byte accesses only; other sizes and
//   misaligned accesses get an error response and a log line. Writable fields are masked: bits
//   outside them read as zero.
//
// Translation of a DMA by master m at IOVA v (docs/hardware/sun50i-iommu.md, "Table format"; the
// DTE/PTE fields: sun50i_format.h):
//   ENABLE=0 or BYPASS[m]=1: untranslated. Otherwise micro TLB m, then the macro TLB, then the
//   PTW cache for the DTE (else a DT read at TTB + 4*v[31:20]), then a PT read at
//   DTE[31:10] + 4*v[19:12]. DTE[1:0] != 0b01 -> L1 invalid; PTE bit1 = 0 -> L2 invalid. Then the
//   permission check of ACI = PTE[7:4]: domain 0 always allows; DM_AUT_OVWT bit31 set -> its bits
//   2m (read prohibited) / 2m+1 (write prohibited) decide for every entry; else DM_AUT_CTRL[aci/2]
//   half (aci odd: bits 31:16), bits 2m / 2m+1. Output = PTE[31:12] | v[11:0]. Reserved DTE/PTE
//   bits (DTE[9:2], PTE[11:8], PTE[3:2] where the vendor driver puts R/W, PTE bit0) are ignored.
//   An IOVA above 32 bits is refused (error response, fault record, no interrupt): the H6 bus is
//   32 bits wide. A DMA that crosses a page is translated page by page (which is also what
//   4KB_BDY_PRT_CTRL asks for; in a loosely timed model splitting changes nothing else).
//
// Caches and what they hold (choices; no source gives sizes or policy):
//   - The PTW cache holds DTEs, valid or not, keyed by the 1 MiB slot. A DT read for slot s also
//     loads slot s+1's DTE (if s < 4095) - valid or invalid - as hardware prefetch does
//     (docs/hardware/sun50i-iommu.md, "Invalidation": neighbours).
//   - The macro TLB holds PTEs, valid or not. A PT read for page p by a master whose
//     TLB_PREFETCH bit is set also loads page p+1's PTE when p+1 is in the same 1 MiB slot
//     (same PT); the prefetch crosses no slot boundary.
//   - Micro TLB m holds only valid translations, filled from the macro TLB or a walk.
//   So, exactly: a walk of IOVA v caches the DTEs of v and v+1 MiB and the PTEs of v and (with
//   prefetch) v+4 KiB. Invalid entries cached this way fault again, without a table read, until
//   invalidated: a driver that maps v+4 KiB or v+1 MiB after a walk of v and does not invalidate
//   them (Linux's neighbour invalidations, docs/hardware/sun50i-iommu.md, "Invalidation") gets a
//   stale L1/L2 fault; the fault's
//   log line says the tables now map the address.
//   - Invalidation: TLB_IVLD drops macro and micro entries with (iova & MASK) == (ADDR & MASK)
//     (MASK[11:0] ignored); PC_IVLD drops the DTE of ADDR's slot; TLB_FLUSH_ENABLE drops per unit;
//     RESET bit m/16/17 asserted drops micro TLB m / the macro TLB / the PTW cache; a disabled
//     unit (TLB_ENABLE bit clear, or held in reset) is neither looked up nor filled, and is
//     emptied when disabled. Every invalidation tells the DMA checker which caches and IOVAs it
//     covered, so that a stale report can say why the last one missed
//     (docs/hardware/sun50i-iommu.md, "Stale translations").
//   - Operations take effect at the register write; the START/enable bits of TLB_FLUSH_ENABLE,
//     TLB_IVLD_ENABLE, PC_IVLD_ENABLE, PMU_CLR and VA_CONFIG read back as 1 until
//     socsim,op-latency-ns of simulated time have passed (the CPU sees time advance at its
//     quantum boundaries), then as 0: firmware must poll, as Linux does.
//   - Permission domains and bypass are read at each access (not cached).
//   - ENABLE = 0 and a TTB write leave every cache as it is (no source says the hardware drops
//     anything there; Linux's detach relies on the CCU reset, which socsim does not model): a
//     driver that switches the TTB between domains without a flush keeps using the old domain's
//     cached DTEs and translations. The DMA checker is told where a walk would start now (TTB +
//     4 * slot), so a TLB hit on a translation walked from the previous table is reported as
//     stale when the current table translates the access differently. A walk that starts from a
//     DTE in the PTW cache is checked the same way before its translation is used (the DTE is a
//     cached translation too: the TTB may have moved, or the DTE changed, since it was cached).
//
// Faults (docs/hardware/sun50i-iommu.md, "What Linux does": Fault).
// L1 invalid: INT_STA bit16, L1PG_INT bit m, INT_ERR_ADDR_L1 = IOVA and
// INT_ERR_DATA_L1 = the DTE (kept from the first fault until bit16 is cleared). L2 invalid: the
// same with bit17 / L2PG_INT / ..._L2 and the PTE. Permission: INT_STA bit m, INT_ERR_ADDR[m] =
// IOVA, INT_ERR_DATA[m] = the PTE. A table read that fails on the bus (TTB or a PT outside RAM) is
// reported as L1/L2 invalid with data 0 and says so in the log. Writing INT_CLR bit16/17 also
// clears L1PG_INT/L2PG_INT. The interrupt line is the level (INT_STA & INT_ENABLE) != 0.
// Stall: the hardware holds the faulting master until its RESET bit is pulsed. Targets never
// wait() in this design, so the stall is modelled as: the faulting access and every later access
// of that master complete with TLM_ADDRESS_ERROR_RESPONSE and no memory access (the stalled beat
// is dropped), until firmware asserts RESET bit m (writes it 0); while bit m is held at 0 the
// master's accesses are refused as well. Each fault gives one warning line and one
// "iommu_fault" trace event naming master, IOVA and reason (common/fault_record.h); the first
// refused access of a stall episode gives one more line. RESET bit31 asserted is a whole-IOMMU
// soft reset: every other register returns to its reset value and all caches, stalls and
// counters are cleared; DMA is refused while it is held.
//
// Debug VA access (docs/hardware/sun50i-iommu.md, register map: VA_CONFIG): VA_CONFIG START
// with bit31=1 translates VA through the tables (no
// caches, no permission check: there is no master) and reads VA_DATA from, or with bit8 writes it
// to, the output address; with bit31=0 it prefetches VA's PTE into the macro TLB. Walk faults set
// bit31 of L1PG_INT/L2PG_INT and INT_STA bit16/17 as above, without a stall.
//
// Non-coherent walker (models/memory/coherence_tracker.h): every DT/PT word the walker reads for a
// translation (not the prefetched neighbours, which a correct driver invalidates before use) is
// checked; a word the CPU wrote after its last cache clean is reported by the DMA checker as
// "walker read uncleaned table memory" (master, IOVA, address, values), once per line until it is
// cleaned again. The walker still uses the value in RAM. DMA writes forwarded by this IOMMU are
// told to the tracker (they are in memory, not in a CPU cache).
//
// No DMI is granted upstream (every DMA is translated and checked); downstream, translated DMA
// into RAM is copied through the memory port's DMI. Debug transactions upstream translate with a
// side-effect-free walk of the tables.

#include <cstdint>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

#include "models/core/irq_line.h"
#include "models/iommu/common/iommu_skeleton.h"
#include "models/iommu/common/page_walker.h"
#include "models/iommu/common/tlb.h"

namespace socsim::memory {
class coherence_tracker;
}

namespace socsim::iommu {

namespace sun50i_reg {
constexpr uint64_t VERSION = 0x000, RESET = 0x010, ENABLE = 0x020, BYPASS = 0x030, AUTO_GATING = 0x040,
                   WBUF_CTRL = 0x044, OOO_CTRL = 0x048, BDY_PRT_CTRL = 0x04c, TTB = 0x050, TLB_ENABLE = 0x060,
                   TLB_PREFETCH = 0x070, TLB_FLUSH_ENABLE = 0x080, TLB_IVLD_ADDR = 0x090,
                   TLB_IVLD_ADDR_MASK = 0x094, TLB_IVLD_ENABLE = 0x098, PC_IVLD_ADDR = 0x0a0,
                   PC_IVLD_ENABLE = 0x0a8, DM_AUT_CTRL0 = 0x0b0, DM_AUT_OVWT = 0x0d0, INT_ENABLE = 0x100,
                   INT_CLR = 0x104, INT_STA = 0x108, INT_ERR_ADDR0 = 0x110, INT_ERR_ADDR_L1 = 0x130,
                   INT_ERR_ADDR_L2 = 0x134, INT_ERR_DATA0 = 0x150, INT_ERR_DATA_L1 = 0x170,
                   INT_ERR_DATA_L2 = 0x174, L1PG_INT = 0x180, L2PG_INT = 0x184, VA = 0x190, VA_DATA = 0x194,
                   VA_CONFIG = 0x198, PMU_ENABLE = 0x200, PMU_CLR = 0x210, PMU_COUNTERS0 = 0x230,
                   PMU_MACRO = 0x2d0, PMU_PTW = 0x2e0, PMU_TL0 = 0x300;
// Bits shared by TLB_ENABLE, TLB_FLUSH_ENABLE, RESET and the interrupt registers.
constexpr uint32_t MACRO_TLB = 1u << 16, PTW_CACHE = 1u << 17, L1_INVALID = 1u << 16, L2_INVALID = 1u << 17,
                   RESET_ALL = 1u << 31, DEBUG_MASTER = 1u << 31;
} // namespace sun50i_reg

// One row per SoC (Linux-style hardware description rather than if-chains).
struct sun50i_variant {
    const char* compatible;
    const char* soc;
    unsigned masters;
    uint32_t version;
    uint32_t bypass_reset;
    const char* master_names[8];
};
// The known variants; null if `compatible` is none of them.
const sun50i_variant* find_sun50i_variant(const std::string& compatible);
const std::vector<sun50i_variant>& sun50i_variants();

class sun50i_iommu : public iommu_skeleton<sun50i_iommu> {
public:
    struct config {
        const sun50i_variant* variant = nullptr;  // null: the H6
        unsigned tlb_entries = 256, tlb_ways = 4;            // macro TLB
        unsigned micro_tlb_entries = 16, micro_tlb_ways = 4;  // each
        unsigned ptw_cache_entries = 32, ptw_cache_ways = 4;
        sc_core::sc_time op_latency = sc_core::sc_time(500, sc_core::SC_NS);
        bool check_stale = true;
        bool check_coherence = true;
        memory::coherence_tracker* coherence = nullptr;  // needed for check_coherence
    };

    struct statistics {
        uint64_t translations = 0;
        uint64_t bypassed = 0;
        uint64_t faults = 0;
        uint64_t refused = 0;       // accesses of stalled masters or lanes in reset
        uint64_t walks = 0;         // DT/PT walks for translations
        uint64_t prefetches = 0;    // neighbour entries loaded
        uint64_t stale_faults = 0;  // faults from cached invalid entries that the tables now map
        uint64_t invalidations = 0;
    };

    core::irq_line irq;

    sun50i_iommu(sc_core::sc_module_name name, const config& cfg);
    ~sun50i_iommu() override;

    const sun50i_variant& variant() const { return *variant_; }
    unsigned masters() const { return variant_->masters; }
    const statistics& stats() const { return stats_; }
    // The debugger's view (common/debug_view.h): a side-effect-free walk and the caches.
    debug_translation debug_translate(uint32_t stream, uint64_t iova) override;
    void debug_tlb(std::ostream& os) override;
    const iommu::tlb& macro_tlb() const { return macro_; }
    const iommu::tlb& micro_tlb(unsigned m) const { return micro_[m]; }
    const iommu::tlb& ptw_cache() const { return ptw_; }
    uint32_t stalled_masters() const { return stalled_; }
    const config& configuration() const { return cfg_; }
    // For `socsim info` (sun50i_describe.cpp): a variant in one phrase ("H6 IOMMU (6 masters,
    // ...)"), and this instance's lines (variant, masters, caches, completion, checks).
    static std::string variant_summary(const sun50i_variant& v);
    std::vector<std::string> describe() const;

private:
    friend class iommu_skeleton<sun50i_iommu>;

    // What a lookup found for one page.
    struct lookup {
        enum class kind : uint8_t { ok, l1_invalid, l2_invalid } what = kind::ok;
        const tlb_entry* entry = nullptr;  // ok: the translation
        uint64_t dte = 0, pte = 0;
        uint64_t fetch_addr = 0;           // the entry that was invalid
        bool bus_error = false;
        bool cached = false;               // the invalid entry came from a cache
        const char* cache = "";            // which one
        sc_core::sc_time cached_at;
        bool prefetched = false;
        tlb_entry* walked_from_cache = nullptr;  // ok: filled by a walk that used a cached DTE
    };
    void declare_registers();
    // `r` runs `op` at a write setting any of `busy_bits`, which then read as 1 for op_latency.
    void self_clearing(core::reg& r, uint32_t writable, uint32_t busy_bits, std::function<void(uint32_t)> op);
    // Register handlers.
    void write_reset(uint32_t old, uint32_t now);
    void write_ttb(uint64_t old, uint64_t now);
    void write_int_clr(core::reg& r, uint32_t value);
    void soft_reset();
    void write_tlb_enable(uint32_t old, uint32_t now);
    void flush(uint32_t units);
    // The invalidation that empties `units` (micro TLB bits, MACRO_TLB, PTW_CACHE), as applied and
    // told to the DMA checker (apply_invalidation).
    invalidation_note emptied(std::string command, uint32_t units);
    void invalidate_tlb(uint32_t addr, uint32_t mask);
    void invalidate_ptw(uint32_t addr);
    void debug_va_access(uint32_t config);
    void update_irq();
    void clear_pmu();

    // DMA path.
    // (common/iommu_skeleton.h)
    translation translate(const dma_access& a, uint64_t iova, uint64_t remaining, sc_core::sc_time& delay);
    // Device writes are memory content the CPU did not write (coherence tracker).
    void dma_written(uint64_t pa, const unsigned char* data, uint64_t n);
    translation translate_debug(const dma_access& a, uint64_t iova);
    lookup find(unsigned master, uint32_t iova, bool write, sc_core::sc_time& delay);
    lookup walk_and_fill(unsigned master, uint32_t iova, sc_core::sc_time& delay);
    void prefetch_dte(uint32_t slot, sc_core::sc_time& delay);
    void prefetch_pte(unsigned master, uint32_t iova, uint64_t pt, const walk_trail& dte_trail,
                      sc_core::sc_time& delay);
    walk_result fresh_walk(uint32_t iova);
    bool permitted(unsigned master, uint64_t pte, bool write) const;
    translation fault(const dma_access& a, unsigned master, uint32_t iova, const lookup& l);
    translation permission_fault(const dma_access& a, unsigned master, uint32_t iova, const tlb_entry& e);
    // A DMA refused by configuration (reset, no such master, IOVA beyond 32 bits).
    translation refuse(const dma_access& a, unsigned master, uint64_t iova, const std::string& code,
                       const std::string& why);
    std::string stale_note(uint32_t iova, const lookup& l);
    void check_coherence(unsigned master, uint32_t iova, const walk_trail& trail, unsigned from);

    // TLB_ENABLE bit set and not held in reset (inline: twice on every translation).
    bool unit_on(uint32_t bit) const {
        const uint64_t reset = reset_.get();
        return (tlb_enable_.get() & bit) && (reset & bit) && (reset & sun50i_reg::RESET_ALL);
    }
    uint32_t master_mask() const { return (1u << variant_->masters) - 1; }

    config cfg_;
    const sun50i_variant* variant_;
    page_walker walker_;
    std::vector<iommu::tlb> micro_;
    iommu::tlb macro_;
    iommu::tlb ptw_;
    statistics stats_;
    uint32_t stalled_ = 0;        // masters stalled by a fault
    uint32_t stall_noted_ = 0;    // ... whose first refused access was logged
    bool check_coherence_ = false;
    tlb_entry scratch_;           // a translation not cached (caches disabled)
    struct pmu_counter {
        uint64_t access = 0, hit = 0;
    };
    pmu_counter micro_pmu_[8];  // PMU_MICRO0..7: each master's micro TLB
    pmu_counter macro_pmu_;     // PMU_MACRO: the macro TLB
    pmu_counter ptw_pmu_;       // PMU_PTW: the PTW cache
    uint64_t latency_ns_[8] = {};

    // The registers, each bound to its name and offset at construction (sun50i_reg) and given its
    // masks and handlers in declare_registers(). Per-master and per-domain registers are arrays
    // (as many as the variant has masters).
    core::reg &reset_, &enable_, &bypass_, &ttb_, &tlb_enable_, &prefetch_, &tlb_flush_enable_, &tlb_ivld_addr_,
        &tlb_ivld_addr_mask_, &tlb_ivld_enable_, &pc_ivld_addr_, &pc_ivld_enable_, &ovwt_, &int_enable_, &int_clr_,
        &int_sta_, &err_addr_l1_, &err_addr_l2_, &err_data_l1_, &err_data_l2_, &l1pg_, &l2pg_, &va_, &va_data_,
        &va_config_, &pmu_enable_, &pmu_clr_;
    core::reg *dm_aut_[8] = {}, *err_addr_[8] = {}, *err_data_[8] = {};
};

} // namespace socsim::iommu
