#pragma once
// Apple DART (Device Address Resolution Table), the IOMMU of Apple M1/M2 SoCs: one instance per
// group of DMA masters, 16 KiB pages, page tables per stream. Facts (Linux
// drivers/iommu/apple-dart.c and io-pgtable-dart.c, U-Boot drivers/iommu/apple_dart.c, m1n1) and
// their sources: docs/hardware/dart.md. The variants are rows of dart_variants()
// (dart_variant.h); the page table formats are dart_format (dart_format.h).
//
// DT: compatible "apple,t8103-dart" (t8020 registers, DART1 PTEs), "apple,t6000-dart" (t8020
// registers, DART2 PTEs), "apple,t8110-dart" (t8110 registers, DART2 PTEs); `reg` (0x4000);
// `interrupts` (one level-high line); #iommu-cells = <1> (the cell is the stream id).
// Simulator knobs: socsim,tlb-entries (default 256), socsim,tlb-ways (4), socsim,check-stale
// (1: the DMA checker runs on every TLB hit), socsim,bypass-supported (0: PARAMS2[0]),
// socsim,invalidate-polls (1: reads of the busy bit that still see it set after a TLB command),
// socsim,preset-ttbr = <stream table_hi table_lo>... and socsim,preset-locked (boot state left by
// earlier firmware, see below).
//
// Sockets: `socket` (registers), `upstream` (DMA masters; stream id from core::dma_extension),
// `downstream` (table walks and translated DMA). `irq`: level, high while an error is latched
// (ERROR.FLAG) and, on t8110, not masked by ERROR_MASK, or while an ERROR_STREAMS bit is set.
//
// Registers (32-bit, 4-byte accesses only; any other size or alignment gets a TLM error and a
// log line; offsets with no register read as zero and ignore writes, as m1n1 pokes several
// undocumented ones and polls 0x700 on t8110):
//   all      0x000 PARAMS1 RO: [27:24] = 14 (16 KiB pages). 0x004 PARAMS2 RO: [0] bypass support.
//   t8020    0x020 STREAM_COMMAND: write [20] INVALIDATE for the streams in STREAM_SELECT; [2] BUSY.
//   /t6000   0x034 STREAM_SELECT: stream bitmap (bits >= 16 are dropped with a warning).
//            0x040 ERROR: [31] FLAG, [27:24] stream, [0] NO_TTBR, [1] NO_PMD, [2] NO_PTE,
//              [3] WRITE_FAULT, [4] READ_FAULT, [6] PTE_READ_FAULT (table read failed on the bus),
//              [7] SUBPAGE_PROT; write-1-to-clear (writing back the value read clears it).
//            0x050/0x054 ERROR_ADDR_LO/HI RO. 0x060 CONFIG: [15] LOCK, set by software, cleared
//            only by reset. 0x080-0x08c REMAP[0..3]: stored (identity at reset), not applied.
//            0x0fc STREAMS_ENABLE: stream bitmap. 0x100 + 4*sid TCR: [7] TRANSLATE_ENABLE,
//            [8] BYPASS_DART, [12] BYPASS_DAPF. 0x200 + 16*sid + 4*i TTBR[sid][i]: [31] VALID,
//            [30:0] table PA >> 12.
//   t8110    0x008 PARAMS3 RO: PA_WIDTH 42, VA_WIDTH 42, version 2.0. 0x00c PARAMS4 RO:
//            [8:0] NUM_SIDS = 256. 0x080 TLB_CMD: write [10:8] OP (0 flush all, 1 flush the
//            stream in [7:0]); [31] BUSY. 0x100 ERROR: [31] FLAG, [27:20] stream, [19] SECONDARY,
//            [0] NO_TTBR, [1] NO_PGD, [2] NO_PMD, [3] NO_PTE, [4] WRITE_FAULT, [5] READ_FAULT,
//            [6] AXI_DECODE (table read failed on the bus); W1C. 0x104 ERROR_MASK (codes that
//            are not reported). 0x170/0x174 ERROR_ADDR_LO/HI. 0x1c0 + 4*i ERROR_STREAMS[0..7]
//            (stream bitmap of errors, W1C). 0x200 PROTECT (write 1s to set; [0] locks TTBR/TCR),
//            0x204 UNPROTECT (write 1s to clear, except bits in PROTECT_LOCK; reads 0),
//            0x208 PROTECT_LOCK (write 1s to set, sticky). 0xc00 + 4*i ENABLE_STREAMS[0..7] (write
//            1s to enable; reads the enabled map), 0xc20 + 4*i DISABLE_STREAMS[0..7] (write 1s
//            to disable; reads 0). 0x1000 + 4*sid TCR: [0] TRANSLATE_ENABLE, [1] BYPASS_DART,
//            [2] BYPASS_DAPF, [3] FOUR_LEVEL. 0x1400 + 4*sid TTBR: [0] VALID, [29:2] PA >> 14.
//   Reserved bits of TCR, TTBR, STREAM_SELECT and the stream bitmaps read as zero.
//
// Reset values (no public source gives any; these are choices): PARAMS as above, TCR = 0,
// TTBR = 0, ERROR = 0, CONFIG = 0, PROTECT = 0, REMAP identity, and every stream ENABLED
// (STREAMS_ENABLE = 0xffff; all t8110 enable bits). Why enabled: U-Boot never writes
// STREAMS_ENABLE on t8103/t6000 (its loop runs nsid/32 = 0 times in U-Boot's apple_dart.c) and
// relies on what iBoot left there, and its DMA works on hardware; Linux writes all-ones anyway.
// A stream whose enable bit software clears is blocked (DMA error, diagnostic, nothing latched).
//
// Boot state (applied at construction, i.e. at time 0, without writing RAM): each preset TTBR
// sets TTBR[stream][0] = VALID | table, TCR[stream] = TRANSLATE_ENABLE and the stream's enable
// bit; preset_locked sets CONFIG.LOCK (t8020/t6000) or PROTECT[0] and PROTECT_LOCK[0] (t8110,
// so that it stays locked as iBoot leaves the display DART). These become the reset values.
//
// Lock: while CONFIG.LOCK / PROTECT[0] is set, writes to TCR and TTBR are ignored (the value is
// kept; one warning per register naming it); TLB commands, ERROR, STREAMS_ENABLE and the tables
// in memory keep working (Asahi's locked-DART code relies on that).
//
// TLB invalidation takes time, as on hardware: a command marks the selected streams' entries
// for invalidation and sets BUSY; BUSY reads 1 for the next socsim,invalidate-polls reads
// (default 1: Linux's first poll sees it, the second does not) and the invalidation completes
// at the first read that sees 0, or once 1 us of simulated time has passed, whichever is first.
// Until then the old entries stay in use: a driver that starts DMA without polling BUSY gets a
// warning ("DMA ... while its TLB invalidation is in progress") and, if the tables changed, the
// DMA checker's stale-translation report. A command written while one is in progress completes
// the earlier one first (with a warning). TCR/TTBR writes do not invalidate (drivers always do);
// a TLB hit on a translation walked from another table than the one the TTBR names now is checked
// by the DMA checker, and reported stale when the current table translates the access differently.
// t8110 TLB_CMD OPs other than 0 and 1, and stream numbers >= 256, are ignored with a warning.
// Each completed command tells the DMA checker which streams it covered, so that a stale report
// can say why the last one missed (docs/hardware/dart.md, "Stale translations").
//
// Translation of a DMA (stream from the dma_extension, IOVA, length, direction):
// - no stream id, stream >= streams, or the stream's enable bit clear: the DMA is refused
//   (TLM_ADDRESS_ERROR_RESPONSE) with a diagnostic; ERROR cannot name such a stream and latches
//   nothing.
// - TCR.BYPASS_DART with PARAMS2[0] set: output = IOVA (BYPASS_DART wins over TRANSLATE_ENABLE).
// - TCR.TRANSLATE_ENABLE: t8020/t6000: IOVA[37:36] picks TTBR[stream][0..3]; IOVA >= 2^38
//   is NO_TTBR. t8110: IOVA >= 2^36 (2^42 with FOUR_LEVEL) is NO_TTBR. TTBR VALID clear: NO_TTBR.
//   Then L0 (FOUR_LEVEL) -> L1 -> L2 through the TLB (context = stream): invalid entries give
//   NO_PGD / NO_PMD / NO_PTE; a table read that fails on the bus (a TTBR or table pointer
//   outside RAM) PTE_READ_FAULT (t8020) / AXI_DECODE (t8110); a write to a NO_WRITE page
//   WRITE_FAULT, a read of a NO_READ page READ_FAULT; an access outside the leaf's sub-page
//   window [SP_START*4, SP_END*4+3] (DART1 SP_DIS turns the check off) SUBPAGE_PROT, or on
//   t8110, where no source names a sub-page code, READ_FAULT / WRITE_FAULT.
// - TCR with neither (Linux's "blocked", TCR = 0; also BYPASS_DART without bypass support):
//   NO_TTBR with the diagnostic "translation disabled" (Linux's intent).
// - A fault: the DMA gets TLM_ADDRESS_ERROR_RESPONSE (what the master sees on hardware is not
//   documented; an error is the natural choice), the first error is latched in ERROR (FLAG,
//   stream, code) and ERROR_ADDR (the IOVA); later errors while FLAG is set are counted
//   (stats().errors_lost) and, on t8110, set SECONDARY and their stream's ERROR_STREAMS bit.
//   Codes masked by t8110 ERROR_MASK are not latched. Every fault also gets one warning line
//   and one "iommu_fault" trace event (common/fault_record.h).
// - A DMA crossing a 16 KiB page is translated page by page (byte enables or streaming across
//   a page are refused). No DMI is granted upstream: every DMA is translated and checked.
//   Debug transactions upstream translate without side effects.

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

#include "models/core/irq_line.h"
#include "models/iommu/common/iommu_skeleton.h"
#include "models/iommu/common/page_walker.h"
#include "models/iommu/common/tlb.h"
#include "models/iommu/dart/dart_format.h"
#include "models/iommu/dart/dart_variant.h"

namespace socsim::iommu {

class dart : public iommu_skeleton<dart> {
public:
    struct preset_ttbr {
        uint32_t stream = 0;
        uint64_t table = 0;  // physical address of the L1 (t8110 FOUR_LEVEL: L0) table
    };
    struct config {
        const dart_variant* variant = nullptr;  // required
        unsigned tlb_entries = 256;
        unsigned tlb_ways = 4;
        bool check_stale = true;
        bool bypass_supported = false;
        unsigned invalidate_polls = 1;
        sc_core::sc_time invalidate_time = sc_core::sc_time(1, sc_core::SC_US);
        std::vector<preset_ttbr> presets;
        bool preset_locked = false;
    };

    struct statistics {
        uint64_t translations = 0;  // pieces translated through the tables
        uint64_t bypassed = 0;
        uint64_t faults = 0;        // DMAs (pieces) refused
        uint64_t errors_latched = 0;
        uint64_t errors_lost = 0;   // faults while an error was already latched
        uint64_t errors_masked = 0; // t8110 ERROR_MASK
        uint64_t tlb_commands = 0;
        uint64_t busy_polls = 0;    // reads that saw BUSY set
        uint64_t dma_while_busy = 0;
        uint64_t locked_writes = 0; // TCR/TTBR writes ignored because of the lock
    };

    core::irq_line irq;

    // Throws core::config_error for a missing variant, bad TLB geometry or a preset the
    // variant cannot express (stream out of range, table not 16 KiB aligned or too high).
    dart(sc_core::sc_module_name name, const config& cfg);
    ~dart() override;

    const dart_variant& variant() const { return v_; }
    const dart_format& format() const { return format_; }
    const iommu::tlb& tlb() const { return tlb_; }
    const statistics& stats() const { return stats_; }
    // The debugger's view (common/debug_view.h): a side-effect-free walk and the caches.
    debug_translation debug_translate(uint32_t stream, uint64_t iova) override;
    void debug_tlb(std::ostream& os) override;
    const config& configuration() const { return cfg_; }
    bool locked() const;
    bool invalidation_pending() const { return busy_; }
    // For `socsim info` (dart_describe.cpp): a variant in one phrase ("t8020 registers, DART1
    // PTEs, 16 KiB pages"), and this instance's lines (variant, TLB, lock at boot, preset TTBRs).
    static std::string variant_summary(const dart_variant& v);
    std::vector<std::string> describe() const;

private:
    friend class iommu_skeleton<dart>;

    void declare_registers();
    void guard_locked(core::reg& r, uint64_t old);
    void write_stream_select(core::reg& r, uint64_t now);
    void start_invalidation(std::vector<uint32_t> streams, bool all, const std::string& what);
    void complete_invalidation();
    void poll_time();
    uint64_t read_busy(const core::reg& r, bool debug);
    void write_tlb_cmd(uint32_t value);
    void latch_error(uint32_t code, uint32_t sid, uint64_t iova);
    void update_irq();
    bool stream_enabled(uint32_t sid) const;

    // The DMA path (common/iommu_skeleton.h): a TLB command whose time has come completes before
    // a DMA is translated.
    void before_dma() { poll_time(); }
    translation translate(const dma_access& a, uint64_t iova, uint64_t remaining, sc_core::sc_time& delay);
    // A DMA refused before translation (no such stream, stream disabled): reported, nothing latched.
    translation refuse(const dma_access& a, uint64_t iova, unsigned len, fault_record f);
    // A translation fault (`f` says what went wrong): reported and latched in ERROR as `error_bit`.
    translation fault(const dma_access& a, uint64_t iova, unsigned len, uint32_t error_bit, fault_record f);
    tlb_entry* walk_and_fill(const dma_access& a, uint64_t iova, unsigned len, sc_core::sc_time& delay,
                             translation& failed);
    // The table root and first level for `iova` on `sid`, or false with the NO_TTBR reason.
    bool root_for(uint32_t sid, uint64_t iova, uint64_t& table, int& level, std::string& why) const;
    walk_result walk(uint32_t sid, uint64_t iova, sc_core::sc_time& delay, bool debug, std::string* why = nullptr);
    // Where a walk of `iova` reads its first table entry now (0 when no valid TTBR covers it). The
    // DMA checker compares it with where a cached translation's walk started: a TTBR rewritten
    // without a TLB invalidation is caught there.
    uint64_t root_entry(uint32_t sid, uint64_t iova) const;

    const dart_variant& v_;
    config cfg_;
    dart_format format_;
    page_walker walker_;
    iommu::tlb tlb_;
    statistics stats_;

    // The registers the DMA path and commands use, bound where they are declared (declare_registers);
    // null where the variant has no such register (t8020 has no TLB_CMD, t8110 no CONFIG).
    std::vector<core::reg*> tcr_, ttbr_, enable_words_, error_streams_;
    core::reg *error_ = nullptr, *error_mask_ = nullptr, *error_addr_lo_ = nullptr, *error_addr_hi_ = nullptr,
              *config_ = nullptr, *protect_ = nullptr, *protect_lock_ = nullptr, *stream_select_ = nullptr,
              *stream_command_ = nullptr, *tlb_cmd_ = nullptr;
    std::set<std::string> lock_warned_;

    // The TLB command in progress.
    bool busy_ = false;
    bool busy_all_ = false;
    std::vector<uint32_t> busy_streams_;
    invalidation_note busy_note_;  // what the command in progress will invalidate (the DMA checker is told)
    unsigned polls_left_ = 0;
    sc_core::sc_time busy_until_;
    bool busy_dma_warned_ = false;

    tlb_entry debug_entry_;  // a translation made for a debug access (not cached)
};

} // namespace socsim::iommu
